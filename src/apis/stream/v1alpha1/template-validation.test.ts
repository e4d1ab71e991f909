import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateTemplateSpec } from './template-validation.ts';
import type { TemplateSpec } from './template.ts';

function validSpec(): TemplateSpec {
  return {
    displayName: 'Firefox',
    baseImage: 'lscr.io/linuxserver/firefox:latest',
    ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }],
    env: [{ name: 'PUID', value: '1000' }, { name: 'my.env-name' }],
    volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
    defaultResources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: 2, memory: '4Gi' } },
    homeMountPath: '/config',
    vnc: { enabled: true, port: 3000, protocol: 'websocket' },
  };
}

/** `field: reason` pairs, the part of a cause a client acts on. */
function fieldsOf(spec: TemplateSpec | undefined): string[] {
  return validateTemplateSpec(spec).map((c) => `${c.field}: ${c.reason}`);
}

void test('a valid spec has no causes', () => {
  assert.deepEqual(validateTemplateSpec(validSpec()), []);
  assert.deepEqual(validateTemplateSpec({ baseImage: 'codercom/code-server:4.96.4', webapp: { enabled: true, port: 8080, path: '/', healthCheck: '/healthz' } }), []);
});

void test('image reference: missing, malformed, uppercase', () => {
  assert.deepEqual(validateTemplateSpec({ ...validSpec(), baseImage: '' }), [
    { reason: 'FieldValueRequired', field: 'spec.baseImage', message: 'Required value: the image the session runs' },
  ]);
  assert.deepEqual(validateTemplateSpec({ ...validSpec(), baseImage: 'nginx:' }), [
    { reason: 'FieldValueInvalid', field: 'spec.baseImage', message: 'Invalid value: "nginx:": invalid reference format' },
  ]);
  assert.deepEqual(validateTemplateSpec({ ...validSpec(), baseImage: 'linuxserver/FireFox' }), [
    { reason: 'FieldValueInvalid', field: 'spec.baseImage', message: 'Invalid value: "linuxserver/FireFox": repository name must be lowercase' },
  ]);
});

void test('ports: range, duplicates, names and protocol at exact paths', () => {
  const spec = validSpec();
  spec.ports = [
    { name: 'http', containerPort: 8080 },
    { name: 'http', containerPort: 70000 },
    { name: 'alt', containerPort: 8080, protocol: 'TCP' },
    { name: 'udp', containerPort: 8080, protocol: 'UDP' },
    { name: 'Bad_Name', containerPort: 0 },
    { containerPort: 22, protocol: 'ICMP' as 'TCP' },
  ];
  assert.deepEqual(fieldsOf(spec), [
    'spec.ports[1].containerPort: FieldValueInvalid',
    'spec.ports[1].name: FieldValueDuplicate',
    'spec.ports[2].containerPort: FieldValueDuplicate',
    'spec.ports[4].name: FieldValueInvalid',
    'spec.ports[4].containerPort: FieldValueInvalid',
    'spec.ports[5].protocol: FieldValueNotSupported',
  ]);
  const [outOfRange] = validateTemplateSpec(spec);
  assert.equal(outOfRange.message, 'Invalid value: 70000: must be between 1 and 65535, inclusive');
});

void test('a template must enable VNC or a web app', () => {
  const spec = validSpec();
  spec.vnc = { enabled: false };
  assert.deepEqual(validateTemplateSpec(spec), [
    { reason: 'FieldValueRequired', field: 'spec', message: 'Required value: at least one of vnc.enabled or webapp.enabled must be true' },
  ]);
  delete spec.vnc;
  assert.deepEqual(fieldsOf(spec), ['spec: FieldValueRequired']);
});

void test('webapp: port required when enabled, paths absolute', () => {
  const spec: TemplateSpec = { baseImage: 'codercom/code-server:4.96.4', webapp: { enabled: true, path: 'ide', healthCheck: 'healthz' } };
  assert.deepEqual(fieldsOf(spec), [
    'spec.webapp.port: FieldValueRequired',
    'spec.webapp.path: FieldValueInvalid',
    'spec.webapp.healthCheck: FieldValueInvalid',
  ]);
  assert.deepEqual(fieldsOf({ baseImage: 'x', vnc: { enabled: true, port: 65536 } }), ['spec.vnc.port: FieldValueInvalid']);
});

void test('homeMountPath and volume mounts must be absolute and distinct', () => {
  const spec = validSpec();
  spec.homeMountPath = 'config';
  assert.deepEqual(validateTemplateSpec(spec), [
    { reason: 'FieldValueInvalid', field: 'spec.homeMountPath', message: 'Invalid value: "config": must be an absolute path' },
  ]);
  const mounts = validSpec();
  mounts.volumeMounts = [
    { name: 'a', mountPath: 'relative' },
    { name: 'b', mountPath: '/data/../etc' },
    { name: 'c', mountPath: '/data' },
    { name: 'd', mountPath: '/data' },
    { name: 'e', mountPath: '/config' },
    { name: '', mountPath: '' },
  ];
  assert.deepEqual(fieldsOf(mounts), [
    'spec.volumeMounts[0].mountPath: FieldValueInvalid',
    'spec.volumeMounts[1].mountPath: FieldValueInvalid',
    'spec.volumeMounts[3].mountPath: FieldValueInvalid',
    'spec.volumeMounts[4].mountPath: FieldValueInvalid',
    'spec.volumeMounts[5].name: FieldValueRequired',
    'spec.volumeMounts[5].mountPath: FieldValueRequired',
  ]);
  // An unset homeMountPath means the CRD default, /config, which a volume mount may not reuse.
  const defaulted = validSpec();
  delete defaulted.homeMountPath;
  defaulted.volumeMounts = [{ name: 'x', mountPath: '/config' }];
  assert.match(validateTemplateSpec(defaulted)[0].message, /must differ from homeMountPath/);
});

void test('env names follow kube\'s rule', () => {
  const spec = validSpec();
  spec.env = [{ name: 'OK_NAME' }, { name: '1BAD' }, { name: '' }, { name: 'has space' }];
  assert.deepEqual(fieldsOf(spec), ['spec.env[1].name: FieldValueInvalid', 'spec.env[2].name: FieldValueRequired', 'spec.env[3].name: FieldValueInvalid']);
  assert.match(validateTemplateSpec(spec)[0].message, /^Invalid value: "1BAD": a valid environment variable name must consist of/);
});

void test('resource quantities are checked per resource name', () => {
  const spec = validSpec();
  spec.defaultResources = { requests: { cpu: 'lots' }, limits: { memory: '-1Gi' } };
  assert.deepEqual(fieldsOf(spec), ['spec.defaultResources.requests[cpu]: FieldValueInvalid', 'spec.defaultResources.limits[memory]: FieldValueInvalid']);
  assert.equal(validateTemplateSpec(spec)[1].message, 'Invalid value: "-1Gi": must be greater than or equal to 0');
  spec.defaultResources = { requests: { cpu: '2500m', memory: '1Gi' }, limits: { cpu: 2, memory: '1024Mi' } };
  assert.deepEqual(validateTemplateSpec(spec), [
    { reason: 'FieldValueInvalid', field: 'spec.defaultResources.requests[cpu]', message: 'Invalid value: "2500m": must be less than or equal to cpu limit of 2' },
  ]);
});

void test('a missing spec is one Required cause; a custom root path is honoured', () => {
  assert.deepEqual(fieldsOf(undefined), ['spec: FieldValueRequired']);
  assert.deepEqual(validateTemplateSpec({ baseImage: '' , vnc: { enabled: true } }, 'object.spec').map((c) => c.field), ['object.spec.baseImage']);
});
