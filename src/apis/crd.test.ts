import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { crds, crdDescriptions } from './index.ts';
import { buildCrd, openApiSchema, type CrdDescription, type CustomResourceDefinition, type JsonSchemaProps } from './crd.ts';
import { StringEnum, StringMap } from './structural.ts';

/*
 * A checker for the rules apiextensions.k8s.io/v1 applies to CRD schemas (structural schemas),
 * written from the documented rules: every node has a type unless it is an int-or-string or
 * preserves unknown fields; no $ref/definitions/patternProperties/const; no type, description
 * or default inside anyOf/allOf/oneOf/not (except the int-or-string pair); properties and
 * additionalProperties exclusive; list-type map lists keyed by required scalar fields.
 */

/** The JSONSchemaProps fields kube accepts in a CRD schema (everything else is rejected or dropped). */
const ALLOWED_KEYS = new Set([
  'description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'multipleOf', 'enum', 'maxProperties', 'minProperties',
  'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties', 'additionalProperties', 'nullable', 'example',
  'externalDocs', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-validations',
]);
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
const FORBIDDEN_IN_JUNCTORS = ['type', 'description', 'default', 'additionalProperties', 'nullable', 'title',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys'];

type Node = JsonSchemaProps;

function isIntOrStringPair(node: Node): boolean {
  const anyOf = node.anyOf as Node[] | undefined;
  return Array.isArray(anyOf) && anyOf.length === 2
    && JSON.stringify(anyOf[0]) === '{"type":"integer"}' && JSON.stringify(anyOf[1]) === '{"type":"string"}';
}

function defaultMatchesType(node: Node): boolean {
  const value = node.default;
  switch (node.type) {
    case 'string': return typeof value === 'string';
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'boolean': return typeof value === 'boolean';
    case 'array': return Array.isArray(value);
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    default: return true;
  }
}

function junctorProblems(node: Node, path: string): string[] {
  const problems: string[] = [];
  const skipAnyOf = node['x-kubernetes-int-or-string'] === true && isIntOrStringPair(node);
  for (const junctor of ['anyOf', 'allOf', 'oneOf']) {
    if (junctor === 'anyOf' && skipAnyOf) continue;
    for (const [i, branch] of ((node[junctor] as Node[] | undefined) ?? []).entries()) {
      for (const key of FORBIDDEN_IN_JUNCTORS) if (key in branch) problems.push(`${path}.${junctor}[${i}].${key}: forbidden in a junctor`);
      for (const key of Object.keys(branch)) if (!ALLOWED_KEYS.has(key)) problems.push(`${path}.${junctor}[${i}].${key}: not allowed in a CRD schema`);
    }
  }
  return problems;
}

function listTypeProblems(node: Node, path: string): string[] {
  if (node['x-kubernetes-list-type'] !== 'map') return [];
  const keys = node['x-kubernetes-list-map-keys'] as string[] | undefined;
  const items = node.items as Node | undefined;
  if (!keys || keys.length === 0) return [`${path}: list-type map needs x-kubernetes-list-map-keys`];
  if (!items || items.type !== 'object') return [`${path}: list-type map needs object items`];
  const required = (items.required as string[] | undefined) ?? [];
  const props = items.properties as Record<string, Node>;
  return keys.filter((k) => !required.includes(k) && props[k]?.default === undefined)
    .map((k) => `${path}: map key ${k} must be required or defaulted`);
}

function nodeProblems(node: Node, path: string): string[] {
  const problems = Object.keys(node).filter((k) => !ALLOWED_KEYS.has(k)).map((k) => `${path}.${k}: not allowed in a CRD schema`);
  const escape = node['x-kubernetes-int-or-string'] === true || node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.type === undefined && !escape) problems.push(`${path}: no type`);
  if (node.type !== undefined && !TYPES.has(node.type as string)) problems.push(`${path}: unknown type ${String(node.type)}`);
  if (node['x-kubernetes-int-or-string'] === true && !isIntOrStringPair(node)) problems.push(`${path}: int-or-string without the anyOf pair`);
  if (node.properties && node.additionalProperties !== undefined) problems.push(`${path}: properties and additionalProperties together`);
  if (node.additionalProperties === false) problems.push(`${path}: additionalProperties false`);
  if (node.type === 'array' && !node.items) problems.push(`${path}: array without items`);
  if (node.default !== undefined && !defaultMatchesType(node)) problems.push(`${path}: default does not match type`);
  const required = (node.required as string[] | undefined) ?? [];
  const props = (node.properties as Record<string, Node> | undefined) ?? {};
  for (const name of required) if (!(name in props)) problems.push(`${path}: required ${name} is not a property`);
  return [...problems, ...junctorProblems(node, path), ...listTypeProblems(node, path)];
}

/** Every problem making `schema` non-structural, with a path to it. */
function structuralProblems(schema: Node, path = '$'): string[] {
  const problems = nodeProblems(schema, path);
  for (const [name, child] of Object.entries((schema.properties as Record<string, Node> | undefined) ?? {})) {
    problems.push(...structuralProblems(child, `${path}.${name}`));
  }
  if (schema.items) problems.push(...structuralProblems(schema.items as Node, `${path}[]`));
  if (typeof schema.additionalProperties === 'object') problems.push(...structuralProblems(schema.additionalProperties as Node, `${path}{}`));
  return problems;
}

/** Paths of properties without a description (`kubectl explain` would show nothing for them). */
function undescribedProperties(schema: Node, path = '$'): string[] {
  const missing: string[] = [];
  for (const [name, child] of Object.entries((schema.properties as Record<string, Node> | undefined) ?? {})) {
    const at = `${path}.${name}`;
    const isRootMetadata = path === '$' && name === 'metadata';
    if (!isRootMetadata && (typeof child.description !== 'string' || child.description.trim() === '')) missing.push(at);
    missing.push(...undescribedProperties(child, at));
  }
  if (schema.items) missing.push(...undescribedProperties(schema.items as Node, `${path}[]`));
  return missing;
}

function schemaOf(crd: CustomResourceDefinition): Node {
  return crd.spec.versions[0].schema.openAPIV3Schema;
}

function crdOf(kind: string): CustomResourceDefinition {
  const crd = crds().find((c) => c.spec.names.kind === kind);
  assert.ok(crd, `no CRD for ${kind}`);
  return crd;
}

void test('the structural checker rejects what kube rejects (so its silence below means something)', () => {
  const bad: CrdDescription = {
    ...crdDescriptions[0],
    spec: Type.Object({
      union: Type.Union([Type.Literal('a'), Type.Literal('b')], { description: 'literal union' }),
      record: Type.Record(Type.String(), Type.String(), { description: 'record' }),
      untyped: Type.Unsafe<unknown>({ description: 'no type' }),
    }, { description: 'bad' }),
  };
  const problems = structuralProblems(schemaOf(buildCrd(bad)));
  assert.ok(problems.some((p) => p.includes('$.spec.union.anyOf[0].type')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('$.spec.union.anyOf[0].const')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('$.spec.record.patternProperties')), problems.join('\n'));
  assert.ok(problems.includes('$.spec.untyped: no type'), problems.join('\n'));
  assert.deepEqual(undescribedProperties({ type: 'object', properties: { a: { type: 'string' } } }), ['$.a']);
});

void test('the structural-safe builders produce enum and additionalProperties, not anyOf/patternProperties', () => {
  assert.deepEqual(openApiSchema(StringEnum(['x', 'y'] as const, { description: 'd' })), { description: 'd', enum: ['x', 'y'], type: 'string' });
  assert.deepEqual(openApiSchema(StringMap({ description: 'd' })), { additionalProperties: { type: 'string' }, description: 'd', type: 'object' });
});

for (const crd of crds()) {
  const kind = crd.spec.names.kind;

  void test(`${kind}: the schema is structural`, () => {
    assert.deepEqual(structuralProblems(schemaOf(crd)), []);
  });

  void test(`${kind}: every property has a description`, () => {
    assert.deepEqual(undescribedProperties(schemaOf(crd)), []);
    assert.ok(String(schemaOf(crd).description).length > 20);
  });

  void test(`${kind}: the root restricts nothing in metadata and has no TypeBox leftovers`, () => {
    const root = schemaOf(crd);
    assert.deepEqual((root.properties as Record<string, Node>).metadata, { type: 'object' });
    assert.equal(JSON.stringify(root).includes('$id'), false);
    assert.equal(JSON.stringify(root).includes('"const"'), false);
  });

  void test(`${kind}: names, categories, status subresource and Age column`, () => {
    assert.equal(crd.metadata.name, `${crd.spec.names.plural}.stream.streamspace.io`);
    assert.equal(crd.spec.group, 'stream.streamspace.io');
    assert.deepEqual(crd.spec.names.categories, ['streamspace']);
    assert.equal(crd.spec.names.listKind, `${kind}List`);
    const [v] = crd.spec.versions;
    assert.equal(v.name, 'v1alpha1');
    assert.equal(v.served && v.storage, true);
    assert.deepEqual(v.subresources, { status: {} });
    assert.deepEqual(v.additionalPrinterColumns.at(-1), { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' });
  });
}

void test('scopes and short names', () => {
  const summary = Object.fromEntries(crds().map((c) => [c.spec.names.kind, [c.spec.scope, c.spec.names.shortNames.join(',')]]));
  assert.deepEqual(summary, {
    Template: ['Namespaced', 'tpl'],
    Session: ['Namespaced', 'ss'],
    SessionQuota: ['Cluster', 'sq'],
    NodeOperation: ['Cluster', 'nodeop'],
  });
});

void test('printer columns: exact names and paths', () => {
  const columns = (kind: string) => crdOf(kind).spec.versions[0].additionalPrinterColumns.map((c) => `${c.name}=${c.jsonPath}`);
  assert.deepEqual(columns('Session'), [
    'User=.spec.user', 'Template=.spec.template', 'State=.spec.state', 'Phase=.status.phase', 'URL=.status.url', 'Age=.metadata.creationTimestamp',
  ]);
  assert.deepEqual(columns('Template'), [
    'Display Name=.spec.displayName', 'Category=.spec.category', 'Image=.spec.baseImage', 'Valid=.status.valid', 'Age=.metadata.creationTimestamp',
  ]);
  assert.deepEqual(columns('NodeOperation'), ['Node=.spec.nodeName', 'Operation=.spec.operation', 'Phase=.status.phase', 'Age=.metadata.creationTimestamp']);
});

function at(schema: Node, path: string): Node {
  return path.split('.').reduce((node, name) => (name === '[]' ? node.items : (node.properties as Record<string, Node>)[name]) as Node, schema);
}

void test('Session spec: required fields, defaults, enums and the duration pattern', () => {
  const spec = at(schemaOf(crdOf('Session')), 'spec');
  assert.deepEqual(spec.required, ['user', 'template']);
  assert.deepEqual(schemaOf(crdOf('Session')).required, ['spec']);
  assert.equal(at(spec, 'state').default, 'running');
  assert.deepEqual(at(spec, 'state').enum, ['running', 'hibernated', 'terminated']);
  assert.equal(at(spec, 'persistentHome').default, true);
  const pattern = new RegExp(at(spec, 'idleTimeout').pattern as string);
  for (const ok of ['30m', '1h30m', '1.5h', '300ms', '0', '2µs']) assert.ok(pattern.test(ok), ok);
  for (const bad of ['30', 'thirty minutes', '-5m', '1d', '']) assert.ok(!pattern.test(bad), bad);
  assert.deepEqual(at(schemaOf(crdOf('Session')), 'status.phase').enum, ['Pending', 'Running', 'Hibernated', 'Failed', 'Terminated']);
});

void test('conditions are list-type map keyed by type, in every status', () => {
  for (const crd of crds()) {
    const conditions = at(schemaOf(crd), 'status.conditions');
    assert.equal(conditions['x-kubernetes-list-type'], 'map', crd.spec.names.kind);
    assert.deepEqual(conditions['x-kubernetes-list-map-keys'], ['type']);
    assert.deepEqual(at(conditions, '[]').required, ['type', 'status', 'lastTransitionTime', 'reason', 'message']);
  }
});

void test('Template spec: baseImage required, VNC port default 5900, homeMountPath default /config, quantities int-or-string', () => {
  const spec = at(schemaOf(crdOf('Template')), 'spec');
  assert.deepEqual(spec.required, ['baseImage']);
  assert.equal(at(spec, 'vnc.port').default, 5900);
  assert.match(String(at(spec, 'vnc.port').description), /3000/);
  assert.deepEqual(at(spec, 'vnc.protocol').enum, ['rfb', 'websocket']);
  assert.equal(at(spec, 'homeMountPath').default, '/config');
  const quantity = at(spec, 'defaultResources.limits').additionalProperties as Node;
  assert.equal(quantity['x-kubernetes-int-or-string'], true);
  assert.ok(new RegExp(quantity.pattern as string).test('4Gi'));
  assert.ok(!new RegExp(quantity.pattern as string).test('4 GB'));
});

void test('SessionQuota documents precedence and NodeOperation its operations and defaults', () => {
  const quota = schemaOf(crdOf('SessionQuota'));
  for (const path of ['spec.users', 'spec.groups', 'spec.default']) {
    assert.match(String(at(quota, path).description), /spec\.users wins over .*spec\.groups, which wins over .*spec\.default/, path);
  }
  assert.equal(at(quota, 'status.usage')['x-kubernetes-list-type'], 'map');
  const op = schemaOf(crdOf('NodeOperation'));
  assert.deepEqual(at(op, 'spec.operation').enum, ['cordon', 'uncordon', 'drain', 'label', 'unlabel', 'taint', 'untaint']);
  assert.deepEqual(at(op, 'spec.parameters.taint.effect').enum, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
  assert.equal(at(op, 'spec.parameters.drain.gracePeriodSeconds').default, 30);
  assert.deepEqual(at(op, 'status.phase').enum, ['Pending', 'Running', 'Succeeded', 'Failed']);
});
