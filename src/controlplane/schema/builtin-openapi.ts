/**
 * OpenAPI v3 component schemas for built-in kinds, built from @kubernetes/client-node's generated
 * models (no OpenAPI document ships with the server). Shapes follow what kube-apiserver serves:
 * nested models as `$ref: '#/components/schemas/…'` (inside `allOf` when the field has its own
 * description), `x-kubernetes-group-version-kind` on top-level kinds, `type: string, format:
 * date-time` for times, and IntOrString / Quantity as int-or-string components.
 *
 * Only the models reachable from the requested kinds are loaded; results are cached per process.
 */
import { loadModel, type ModelField, type ModelInfo } from './client-node-models.ts';
import type { GroupVersionKind, JSONSchemaProps } from './json-schema-props.ts';
import {
  INT_OR_STRING_SCHEMA, QUANTITY_SCHEMA, modelNameFor, packageOf, parseModelName, schemaNameForKind, schemaNameForModel,
} from './kube-schema-names.ts';
import { QUANTITY_FIELDS } from './quantity-fields.ts';

export { modelNameFor } from './kube-schema-names.ts';
export { findUnknownFields } from './unknown-fields.ts';

/** A built-in kind to publish, with its client-node model (see `modelNameFor`). */
export interface BuiltinKind {
  group: string;
  version: string;
  kind: string;
  modelName: string;
}

const REF_PREFIX = '#/components/schemas/';
const ARRAY_TYPE = /^Array<(.+)>$/;
const MAP_TYPE = /^\{ \[key: string\]: (.+); \}$/;

/** A `$ref` to a component schema. */
export function schemaRef(name: string): JSONSchemaProps {
  return { $ref: `${REF_PREFIX}${name}` };
}

/** The component name a `$ref` points at, or undefined for other refs. */
export function refName(ref: string): string | undefined {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

const VALUE_TYPE_SCHEMAS: Record<string, JSONSchemaProps> = {
  [INT_OR_STRING_SCHEMA]: {
    description: 'IntOrString is a type that can hold an int32 or a string. In JSON or YAML it is written as either a number or a string.',
    format: 'int-or-string',
    'x-kubernetes-int-or-string': true,
  },
  [QUANTITY_SCHEMA]: {
    description: 'Quantity is a fixed-point representation of a number, written as a string such as "500m", "1Gi" or "2", or as a number.',
    'x-kubernetes-int-or-string': true,
  },
};

/** What a model graph walk produced: schema name per model, and the models themselves. */
interface ModelGraph {
  names: Map<string, string>;
  models: Map<string, ModelInfo>;
}

const cache = new Map<string, Promise<Record<string, JSONSchemaProps>>>();

/**
 * Component schemas for the given kinds and every model they reference, keyed by Kubernetes'
 * OpenAPI names (`io.k8s.api.core.v1.Pod`, `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`…).
 * The returned record is shared between callers: treat it as read-only.
 */
export function builtinSchemas(kinds: BuiltinKind[]): Promise<Record<string, JSONSchemaProps>> {
  const key = JSON.stringify(kinds.map((k) => [k.group, k.version, k.kind, k.modelName]));
  let pending = cache.get(key);
  if (!pending) {
    pending = buildSchemas(kinds.map((k) => ({
      model: k.modelName,
      name: schemaNameForKind(k.group, k.version, k.kind),
      gvk: { group: k.group, kind: k.kind, version: k.version },
    })));
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/** Component schemas for built-in kinds named by group/version/kind (the model found with `modelNameFor`). */
export function builtinSchemasFor(kinds: Array<Omit<BuiltinKind, 'modelName'>>): Promise<Record<string, JSONSchemaProps>> {
  return builtinSchemas(kinds.map((k) => {
    const modelName = modelNameFor(k.group, k.version, k.kind);
    if (!modelName) throw new Error(`no client-node model for ${k.group}/${k.version} ${k.kind}`);
    return { ...k, modelName };
  }));
}

let common: Promise<Record<string, JSONSchemaProps>> | undefined;

/**
 * The apimachinery schemas every group-version document refers to besides its kinds:
 * Status (delete responses), DeleteOptions, ListMeta and ObjectMeta.
 */
export function commonSchemas(): Promise<Record<string, JSONSchemaProps>> {
  common ??= buildSchemas(['V1Status', 'V1DeleteOptions', 'V1ListMeta', 'V1ObjectMeta'].map((model) => ({
    model, name: schemaNameForModel(model, ''),
  })));
  return common;
}

/** A model the walk starts from: its component name, and its GVK when it is a kind. */
interface RootModel {
  model: string;
  name: string;
  gvk?: GroupVersionKind;
}

async function buildSchemas(roots: RootModel[]): Promise<Record<string, JSONSchemaProps>> {
  const graph = await walkModels(roots);
  const schemas: Record<string, JSONSchemaProps> = {};
  let usesValueTypes = false;
  for (const [model, name] of graph.names) {
    if (schemas[name]) continue; // the same Kubernetes type reached under two client-node names
    const built = modelSchema(graph.models.get(model)!, graph);
    schemas[name] = built.schema;
    usesValueTypes ||= built.usesValueTypes;
  }
  for (const root of roots) {
    if (root.gvk) schemas[root.name]['x-kubernetes-group-version-kind'] = [root.gvk];
  }
  if (usesValueTypes) Object.assign(schemas, VALUE_TYPE_SCHEMAS);
  return schemas;
}

/** The model names a client-node type mentions (`Array<V1Container>` → V1Container). */
function referencedModels(type: string): string[] {
  const inner = ARRAY_TYPE.exec(type)?.[1] ?? MAP_TYPE.exec(type)?.[1];
  if (inner) return referencedModels(inner);
  return scalarSchema(type, '') === undefined && parseModelName(type) ? [type] : [];
}

/** Breadth-first over the model graph, loading each level in parallel; names follow first reach. */
async function walkModels(roots: RootModel[]): Promise<ModelGraph> {
  const names = new Map<string, string>();
  const models = new Map<string, ModelInfo>();
  let frontier: string[] = [];
  for (const root of roots) {
    if (names.has(root.model)) continue;
    names.set(root.model, root.name);
    frontier.push(root.model);
  }
  while (frontier.length) {
    const level = await Promise.all(frontier.map(loadModel));
    frontier = [];
    for (const model of level) {
      models.set(model.name, model);
      frontier.push(...nameReferences(model, names));
    }
  }
  return { names, models };
}

/** Names the models a model references that have no name yet; returns them for loading. */
function nameReferences(model: ModelInfo, names: Map<string, string>): string[] {
  const referrer = packageOf(names.get(model.name)!);
  const fresh: string[] = [];
  for (const ref of model.fields.flatMap((field) => referencedModels(field.type))) {
    if (names.has(ref)) continue;
    names.set(ref, schemaNameForModel(ref, referrer));
    fresh.push(ref);
  }
  return fresh;
}

function modelSchema(model: ModelInfo, graph: ModelGraph): { schema: JSONSchemaProps; usesValueTypes: boolean } {
  const properties: Record<string, JSONSchemaProps> = {};
  const required: string[] = [];
  let usesValueTypes = false;
  for (const field of model.fields) {
    const typed = fieldSchema(model, field, graph);
    properties[field.jsonName] = typed.schema;
    usesValueTypes ||= typed.usesValueTypes;
    if (field.required) required.push(field.jsonName);
  }
  const schema: JSONSchemaProps = model.description ? { description: model.description } : {};
  schema.type = 'object';
  schema.properties = properties;
  if (required.length) schema.required = required;
  return { schema, usesValueTypes };
}

function fieldSchema(model: ModelInfo, field: ModelField, graph: ModelGraph): { schema: JSONSchemaProps; usesValueTypes: boolean } {
  const usage = { valueTypes: false };
  const quantity = QUANTITY_FIELDS.get(model.name)?.has(field.jsonName) ?? false;
  const schema = typeSchema(field.type, field.format, quantity, graph, usage);
  const description = field.description ?? standardDescription(model, field);
  if (!description) return { schema, usesValueTypes: usage.valueTypes };
  // kube wraps a described reference in allOf so the description does not sit beside $ref.
  const described = schema.$ref ? { description, allOf: [schema] } : { description, ...schema };
  return { schema: described, usesValueTypes: usage.valueTypes };
}

const CONVENTIONS = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md';

/**
 * client-node keeps no description for fields that hold another model. For the fields every kind
 * has, the API conventions' standard wording is supplied (kubectl explain lists it beside the
 * field); other reference fields stay bare `$ref`s, explained by the referenced schema.
 */
function standardDescription(model: ModelInfo, field: ModelField): string | undefined {
  const subject = parseModelName(model.name)?.type ?? model.name;
  if (field.jsonName === 'metadata' && field.type === 'V1ObjectMeta') return `Standard object's metadata. More info: ${CONVENTIONS}#metadata`;
  if (field.jsonName === 'metadata' && field.type === 'V1ListMeta') return `Standard list metadata. More info: ${CONVENTIONS}#metadata`;
  if (field.jsonName === 'spec' && parseModelName(field.type)) return `Specification of the desired behavior of the ${subject}. More info: ${CONVENTIONS}#spec-and-status`;
  if (field.jsonName === 'status' && parseModelName(field.type)) {
    return `Most recently observed status of the ${subject}. Populated by the system. Read-only. More info: ${CONVENTIONS}#spec-and-status`;
  }
  return undefined;
}

function typeSchema(type: string, format: string, quantity: boolean, graph: ModelGraph, usage: { valueTypes: boolean }): JSONSchemaProps {
  const item = ARRAY_TYPE.exec(type)?.[1];
  if (item) return { type: 'array', items: typeSchema(item, format, quantity, graph, usage) };
  const value = MAP_TYPE.exec(type)?.[1];
  if (value) return { type: 'object', additionalProperties: typeSchema(value, format, quantity, graph, usage) };
  if (type === 'IntOrString' || (quantity && type === 'string')) {
    usage.valueTypes = true;
    return schemaRef(type === 'IntOrString' ? INT_OR_STRING_SCHEMA : QUANTITY_SCHEMA);
  }
  const scalar = scalarSchema(type, format);
  if (scalar) return scalar;
  const name = graph.names.get(type);
  if (!name) throw new Error(`client-node type ${type} was not loaded`);
  return schemaRef(name);
}

function scalarSchema(type: string, format: string): JSONSchemaProps | undefined {
  switch (type) {
    case 'string': return format === 'byte' ? { type: 'string', format: 'byte' } : { type: 'string' };
    case 'boolean': return { type: 'boolean' };
    case 'Date':
    case 'V1MicroTime': // client-node types MicroTime as a type alias, not a model
      return { type: 'string', format: 'date-time' };
    case 'any': return { 'x-kubernetes-preserve-unknown-fields': true };
    case 'number':
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return format ? { type: 'number', format } : { type: 'number' };
    default: return undefined;
  }
}
