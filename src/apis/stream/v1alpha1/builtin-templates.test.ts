import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { crds } from '../../index.ts';
import type { JsonSchemaProps } from '../../crd.ts';
import { validateTemplateSpec } from './template-validation.ts';
import { validateSessionSpec } from './session-validation.ts';
import type { Template } from './template.ts';

const TEMPLATES_DIR = fileURLToPath(new URL('../../../../deploy/templates/', import.meta.url));

/*
 * A small checker of a value against a CRD schema: types, required fields, enums, patterns,
 * bounds, and unknown fields (which kube-apiserver would silently prune: a typo in a built-in
 * template would vanish instead of failing).
 */
type Node = JsonSchemaProps;

function typeProblem(node: Node, value: unknown, path: string): string | undefined {
  if (node['x-kubernetes-int-or-string'] === true) {
    return Number.isInteger(value) || typeof value === 'string' ? undefined : `${path}: must be integer or string`;
  }
  const ok: Record<string, (v: unknown) => boolean> = {
    object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    array: Array.isArray,
    string: (v) => typeof v === 'string',
    integer: Number.isInteger,
    number: (v) => typeof v === 'number',
    boolean: (v) => typeof v === 'boolean',
  };
  const type = node.type as string | undefined;
  return type && !ok[type](value) ? `${path}: must be ${type}` : undefined;
}

function valueProblems(node: Node, value: unknown, path: string): string[] {
  const problems: string[] = [];
  if (Array.isArray(node.enum) && !node.enum.includes(value as string)) problems.push(`${path}: not one of ${node.enum.join(',')}`);
  if (typeof value === 'string') {
    if (typeof node.pattern === 'string' && !new RegExp(node.pattern).test(value)) problems.push(`${path}: does not match ${node.pattern}`);
    if (typeof node.minLength === 'number' && value.length < node.minLength) problems.push(`${path}: too short`);
    if (typeof node.maxLength === 'number' && value.length > node.maxLength) problems.push(`${path}: too long`);
  }
  if (typeof value === 'number') {
    if (typeof node.minimum === 'number' && value < node.minimum) problems.push(`${path}: below minimum`);
    if (typeof node.maximum === 'number' && value > node.maximum) problems.push(`${path}: above maximum`);
  }
  return problems;
}

function objectProblems(node: Node, value: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  const props = node.properties as Record<string, Node> | undefined;
  for (const name of (node.required as string[] | undefined) ?? []) if (!(name in value)) problems.push(`${path}.${name}: required`);
  for (const [key, child] of Object.entries(value)) {
    const schema = props ? props[key] : (node.additionalProperties as Node | undefined);
    if (!schema) {
      if (node['x-kubernetes-preserve-unknown-fields'] !== true) problems.push(`${path}.${key}: unknown field`);
      continue;
    }
    problems.push(...conformanceProblems(schema, child, `${path}.${key}`));
  }
  return problems;
}

function conformanceProblems(node: Node, value: unknown, path = '$'): string[] {
  const wrongType = typeProblem(node, value, path);
  if (wrongType) return [wrongType];
  const problems = valueProblems(node, value, path);
  if (node.type === 'object') problems.push(...objectProblems(node, value as Record<string, unknown>, path));
  if (node.type === 'array') (value as unknown[]).forEach((item, i) => problems.push(...conformanceProblems(node.items as Node, item, `${path}[${i}]`)));
  return problems;
}

function schemaFor(kind: string): Node {
  const crd = crds().find((c) => c.spec.names.kind === kind);
  assert.ok(crd);
  const root = crd.spec.versions[0].schema.openAPIV3Schema;
  // metadata is the apiserver's to validate, not the CRD schema's.
  return { ...root, properties: { ...(root.properties as Record<string, Node>), metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
}

function builtinTemplates(): Array<[string, Template]> {
  return readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.yaml')).sort()
    .map((f) => [f, load(readFileSync(`${TEMPLATES_DIR}${f}`, 'utf8')) as Template]);
}

void test('the conformance checker notices unknown fields, wrong types and pattern mismatches', () => {
  const schema = schemaFor('Template');
  const bad = { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Template', metadata: {}, spec: { baseImage: 'x', vnc: { port: '5900', enable: true }, defaultResources: { limits: { cpu: '2 cores' } } } };
  assert.deepEqual(conformanceProblems(schema, bad).map((p) => p.split(':')[0]).sort(), ['$.spec.defaultResources.limits.cpu', '$.spec.vnc.enable', '$.spec.vnc.port']);
});

void test('there are the five built-in templates', () => {
  assert.deepEqual(builtinTemplates().map(([f, t]) => `${f}=${t.metadata.name}`), ['code-server.yaml=code-server', 'firefox.yaml=firefox', 'local-desktop.yaml=local-desktop', 'local-notes.yaml=local-notes', 'ubuntu-xfce.yaml=ubuntu-xfce']);
});

for (const [file, template] of builtinTemplates()) {
  void test(`${file}: conforms to the Template CRD schema and passes validateTemplateSpec`, () => {
    assert.equal(template.apiVersion, 'stream.streamspace.io/v1alpha1');
    assert.equal(template.kind, 'Template');
    assert.deepEqual(conformanceProblems(schemaFor('Template'), template), []);
    assert.deepEqual(validateTemplateSpec(template.spec), []);
    assert.ok(template.spec.displayName && template.spec.description && template.spec.category);
  });
}

void test('built-in templates carry the promised settings', () => {
  const byName = Object.fromEntries(builtinTemplates().map(([, t]) => [t.metadata.name, t.spec]));
  const code = byName['code-server'];
  assert.match(code.baseImage, /^codercom\/code-server:4\.\d+\.\d+$/, 'code-server must be pinned to a 4.x release');
  assert.deepEqual(code.webapp, { enabled: true, port: 8080, path: '/', healthCheck: '/healthz' });
  assert.equal(code.homeMountPath, '/home/coder');
  assert.deepEqual(code.defaultResources, { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } });
  const firefox = byName.firefox;
  assert.match(firefox.baseImage, /^lscr\.io\/linuxserver\/firefox(:|$)/);
  assert.deepEqual(firefox.vnc, { enabled: true, port: 3000, protocol: 'websocket' });
  assert.equal(firefox.homeMountPath, '/config');
  assert.deepEqual(byName['ubuntu-xfce'].vnc, { enabled: true, port: 5900, protocol: 'rfb' });
  // The local templates name programs of the streamspace-local runtime, never a shell.
  assert.deepEqual([byName['local-desktop'].runtimeClassName, byName['local-desktop'].command], ['streamspace-local', ['streamspace-desktop']]);
  assert.deepEqual([byName['local-notes'].runtimeClassName, byName['local-notes'].command], ['streamspace-local', ['streamspace-notes']]);
});

void test('sample Session, SessionQuota and NodeOperation objects conform to their schemas', () => {
  const session = {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: 'alice-firefox' },
    spec: { user: 'alice', template: 'firefox', state: 'running', resources: { requests: { memory: '2Gi', cpu: '1000m' } }, persistentHome: true, idleTimeout: '30m' },
    status: { phase: 'Running', url: 'https://alice-firefox.example.com', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'PodReady', message: '' }] },
  };
  assert.deepEqual(conformanceProblems(schemaFor('Session'), session), []);
  assert.deepEqual(validateSessionSpec(session.spec as never), []);
  assert.deepEqual(conformanceProblems(schemaFor('Session'), { ...session, spec: { ...session.spec, state: 'paused', idleTimeout: '30' } }).length, 2);
  const quota = {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'SessionQuota', metadata: { name: 'default' },
    spec: { default: true, limits: { maxSessions: 3, maxMemoryPerSession: '4Gi', maxTotalCPU: 4 }, allowedTemplates: ['*'] },
    status: { usage: [{ user: 'alice', sessions: 1, runningSessions: 1, cpu: '1', memory: '2Gi' }] },
  };
  assert.deepEqual(conformanceProblems(schemaFor('SessionQuota'), quota), []);
  const op = {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'NodeOperation', metadata: { name: 'drain-worker-1' },
    spec: { nodeName: 'worker-1', operation: 'drain', parameters: { drain: { gracePeriodSeconds: 30, timeoutSeconds: 600, force: false } }, ttlSecondsAfterFinished: 3600 },
    status: { phase: 'Running', podsEvicted: 3, podsRemaining: 2, startTime: '2025-01-01T00:00:00Z' },
  };
  assert.deepEqual(conformanceProblems(schemaFor('NodeOperation'), op), []);
});
