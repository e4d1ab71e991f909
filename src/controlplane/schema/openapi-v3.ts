/**
 * The documents served at `/openapi/v3` (an index of group-versions, each with a hash-pinned URL)
 * and `/openapi/v3/apis/<group>/<version>` (an OpenAPI 3.0 document per group-version), in the
 * shape kubectl consumes: `kubectl apply` looks for a PATCH operation carrying the kind's
 * `x-kubernetes-group-version-kind` and a `fieldValidation` query parameter (then leaves
 * validation to the server), and `kubectl explain` finds the kind's component schema by its
 * `x-kubernetes-group-version-kind` and follows `$ref`s inside the same document.
 */
import { createHash } from 'node:crypto';
import { API_VERSION_DESCRIPTION, KIND_DESCRIPTION, crdComponentSchema, crdSchemaName, listSchema } from './crd-openapi.ts';
import type { GroupVersionKind, JSONSchemaProps } from './json-schema-props.ts';
import { schemaNameForKind } from './kube-schema-names.ts';
import {
  DELETE_PARAMS, LIST_PARAMS, NAMESPACE_PARAM, NAME_PARAM, PATCH_PARAMS, PRETTY_PARAM, WRITE_PARAMS, type OpenApiParameter,
} from './openapi-parameters.ts';

const REF_PREFIX = '#/components/schemas/';
const STATUS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const SCALE_SCHEMA = 'io.k8s.api.autoscaling.v1.Scale';
const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const JSON_TYPES = ['application/json', 'application/yaml'];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];

/** The index document of `/openapi/v3`. */
export interface OpenApiRoot {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** One resource of a group-version (a registry ResourceType fits this shape). */
export interface OpenApiResource {
  kind: string;
  /** Defaults to `<kind>List`. */
  listKind?: string;
  plural: string;
  namespaced: boolean;
  /** Kubernetes verbs served; all of them when omitted. */
  verbs?: string[];
  subresources?: { status?: boolean; scale?: unknown };
  /** A custom resource: its component is built from `schema` (the CRD version's openAPIV3Schema). */
  custom?: boolean;
  /** Component name of the kind; derived when omitted (`io.k8s.api.core.v1.Pod`, `com.example.v1.Widget`). */
  schemaName?: string;
  schema?: JSONSchemaProps;
}

/** What one group-version document is made of. */
export interface GroupVersionDocumentInput {
  group: string;
  version: string;
  resources: OpenApiResource[];
  /** Component schemas to draw built-in kinds and references from (see `builtinSchemas`, `commonSchemas`). */
  schemas?: Record<string, JSONSchemaProps>;
}

/** An OpenAPI 3.0 document as served (plain JSON). */
export interface OpenApiDocument {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JSONSchemaProps> };
}

/** The `/openapi/v3` path of a group-version: `api/v1` for `v1`, `apis/apps/v1` for `apps/v1`. */
export function groupVersionPath(groupVersion: string): string {
  if (groupVersion.startsWith('api/') || groupVersion.startsWith('apis/')) return groupVersion;
  return groupVersion.includes('/') ? `apis/${groupVersion}` : `api/${groupVersion}`;
}

/** `/openapi/v3`: each group-version's document URL, pinned by its hash so clients can cache it. */
export function openApiRoot(groupVersions: string[], hashOf: (groupVersion: string) => string): OpenApiRoot {
  const paths: OpenApiRoot['paths'] = {};
  for (const gv of groupVersions) {
    const path = groupVersionPath(gv);
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hashOf(gv)}` };
  }
  return { paths };
}

/** The hash kube-apiserver pins documents with: uppercase hex SHA-512 of the served JSON. */
export function openApiHash(document: unknown): string {
  return createHash('sha512').update(JSON.stringify(document)).digest('hex').toUpperCase();
}

/** The OpenAPI 3.0 document of one group-version. */
export function groupVersionDocument(input: GroupVersionDocumentInput): OpenApiDocument {
  const pool = input.schemas ?? {};
  const components: Record<string, JSONSchemaProps> = {};
  const paths: OpenApiDocument['paths'] = {};
  for (const resource of input.resources) {
    const names = addResourceSchemas(input, resource, pool, components);
    Object.assign(paths, resourcePaths(input, resource, names));
  }
  if (input.resources.some((r) => r.subresources?.scale)) components[SCALE_SCHEMA] ??= pool[SCALE_SCHEMA] ?? scaleStandIn();
  components[STATUS_SCHEMA] ??= pool[STATUS_SCHEMA] ?? standIn('Status is a return value for calls that do not return other objects.');
  components[DELETE_OPTIONS_SCHEMA] ??= pool[DELETE_OPTIONS_SCHEMA] ?? standIn('DeleteOptions may be provided when deleting an API object.');
  components[PATCH_SCHEMA] ??= { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' };
  addReferenced(components, pool);
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    components: { schemas: sortedByKey(components) },
  };
}

function standIn(description: string, gvk?: GroupVersionKind): JSONSchemaProps {
  const schema: JSONSchemaProps = { description, type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  if (gvk) schema['x-kubernetes-group-version-kind'] = [gvk];
  return schema;
}

type Schemas = Record<string, JSONSchemaProps>;
type PathItem = Record<string, unknown>;

interface ResourceNames {
  kind: string;
  list: string;
}

/** Puts the kind's and its list's schemas into the document; returns their names. */
function addResourceSchemas(
  gv: GroupVersionDocumentInput, resource: OpenApiResource, pool: Schemas, components: Schemas,
): ResourceNames {
  const { group, version } = gv;
  const gvk = { group, kind: resource.kind, version };
  const listKind = resource.listKind ?? `${resource.kind}List`;
  const derived = resource.custom ? crdSchemaName(group, version, resource.kind) : schemaNameForKind(group, version, resource.kind);
  const kind = resource.schemaName ?? derived;
  const list = kind.replace(/[^.]+$/, listKind);
  if (resource.custom) components[kind] = crdComponentSchema(group, version, resource.kind, resource.schema);
  else components[kind] = pool[kind] ? withGvk(pool[kind], gvk) : standIn(`${resource.kind} (schema not available)`, gvk);
  components[list] = (!resource.custom && pool[list]) || listSchema(gvk, listKind, kind);
  return { kind, list };
}

/** The schema, marked with the GVK kubectl explain looks it up by (a copy when the mark is missing). */
function withGvk(schema: JSONSchemaProps, gvk: GroupVersionKind): JSONSchemaProps {
  const marks = schema['x-kubernetes-group-version-kind'] ?? [];
  if (marks.some((m) => m.group === gvk.group && m.version === gvk.version && m.kind === gvk.kind)) return schema;
  return { ...schema, 'x-kubernetes-group-version-kind': [...marks, gvk] };
}

/** Adds every schema the document references, transitively, from the pool (stand-ins for unknown names). */
function addReferenced(components: Record<string, JSONSchemaProps>, pool: Record<string, JSONSchemaProps>): void {
  const pending = Object.values(components);
  while (pending.length) {
    for (const name of refsIn(pending.pop())) {
      if (components[name]) continue;
      components[name] = pool[name] ?? standIn(`${name.split('.').pop()} (schema not available)`);
      pending.push(components[name]);
    }
  }
}

/** Component names referenced anywhere inside a schema. */
export function refsIn(node: unknown, found: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) refsIn(item, found);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(REF_PREFIX)) found.add(value.slice(REF_PREFIX.length));
      else if (typeof value === 'object') refsIn(value, found);
    }
  }
  return found;
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What every operation of one resource shares. */
interface OperationContext {
  gvk: GroupVersionKind;
  tag: string;
  idPrefix: string;
  names: ResourceNames;
  custom: boolean;
}

/** `networking.k8s.io` → `Networking`, `example.com` → `ExampleCom`, core → `Core` (kube's operation-id spelling). */
export function groupIdentifier(group: string): string {
  if (!group) return 'Core';
  const words = group.replace(/\.k8s\.io$/, '').split(/[.-]/);
  return words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function operationContext(gv: GroupVersionDocumentInput, resource: OpenApiResource, names: ResourceNames): OperationContext {
  const groupId = groupIdentifier(gv.group);
  const versionId = gv.version.charAt(0).toUpperCase() + gv.version.slice(1);
  return {
    gvk: { group: gv.group, kind: resource.kind, version: gv.version },
    tag: `${groupId.charAt(0).toLowerCase()}${groupId.slice(1)}_${gv.version}`,
    idPrefix: `${groupId}${versionId}`,
    names,
    custom: !!resource.custom,
  };
}

function schemaContent(types: string[], schemaName: string): Record<string, { schema: JSONSchemaProps }> {
  return Object.fromEntries(types.map((t) => [t, { schema: { $ref: `${REF_PREFIX}${schemaName}` } }]));
}

function okResponses(codes: number[], schemaName: string): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  const text: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted' };
  for (const code of codes) responses[String(code)] = { description: text[code], content: schemaContent(JSON_TYPES, schemaName) };
  responses['401'] = { description: 'Unauthorized' };
  return responses;
}

/** One operation: what kubectl reads is the GVK, the action and the parameters. */
interface OperationSpec {
  id: string;
  action: string;
  description: string;
  parameters: readonly OpenApiParameter[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

function operation(ctx: OperationContext, spec: OperationSpec, gvk: GroupVersionKind = ctx.gvk): Record<string, unknown> {
  const op: Record<string, unknown> = {
    tags: [ctx.tag],
    description: spec.description,
    operationId: spec.id,
    parameters: [...spec.parameters],
  };
  if (spec.requestBody) op.requestBody = spec.requestBody;
  op.responses = spec.responses;
  op['x-kubernetes-action'] = spec.action;
  op['x-kubernetes-group-version-kind'] = { ...gvk };
  return op;
}

function bodyOf(schemaName: string): unknown {
  return { content: { '*/*': { schema: { $ref: `${REF_PREFIX}${schemaName}` } } }, required: true };
}

function patchBody(custom: boolean): unknown {
  const types = custom ? PATCH_TYPES : [...PATCH_TYPES, 'application/strategic-merge-patch+json'];
  return { content: schemaContent(types, PATCH_SCHEMA), required: true };
}

function resourcePaths(gv: GroupVersionDocumentInput, resource: OpenApiResource, names: ResourceNames): Record<string, PathItem> {
  const ctx = operationContext(gv, resource, names);
  const verbs = new Set(resource.verbs ?? ALL_VERBS);
  const base = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
  const collection = resource.namespaced ? `${base}/namespaces/{namespace}/${resource.plural}` : `${base}/${resource.plural}`;
  const scope = resource.namespaced ? 'Namespaced' : '';
  const scopeParams = resource.namespaced ? [NAMESPACE_PARAM, PRETTY_PARAM] : [PRETTY_PARAM];
  const paths: Record<string, Record<string, unknown>> = {};
  paths[collection] = { parameters: scopeParams, ...collectionOperations(ctx, verbs, scope) };
  const itemParams = [NAME_PARAM(resource.kind), ...scopeParams];
  paths[`${collection}/{name}`] = { parameters: itemParams, ...itemOperations(ctx, verbs, scope, '') };
  if (resource.subresources?.status) {
    paths[`${collection}/{name}/status`] = { parameters: itemParams, ...itemOperations(ctx, verbs, scope, 'Status') };
  }
  if (resource.subresources?.scale) {
    paths[`${collection}/{name}/scale`] = { parameters: itemParams, ...scaleOperations(ctx, verbs, scope) };
  }
  if (resource.namespaced && verbs.has('list')) {
    const id = `list${ctx.idPrefix}${resource.kind}ForAllNamespaces`;
    paths[`${base}/${resource.plural}`] = { parameters: [PRETTY_PARAM], get: listOperation(ctx, id) };
  }
  return withOperations(paths);
}

/** Path items without any operation (all verbs filtered out) are left out. */
function withOperations(paths: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.entries(paths).filter(([, item]) => Object.keys(item).some((k) => k !== 'parameters')));
}

function listOperation(ctx: OperationContext, id: string): Record<string, unknown> {
  return operation(ctx, {
    id, action: 'list', description: `list or watch objects of kind ${ctx.gvk.kind}`,
    parameters: LIST_PARAMS, responses: okResponses([200], ctx.names.list),
  });
}

function collectionOperations(ctx: OperationContext, verbs: Set<string>, scope: string): Record<string, unknown> {
  const kind = ctx.gvk.kind;
  const ops: Record<string, unknown> = {};
  if (verbs.has('list')) ops.get = listOperation(ctx, `list${ctx.idPrefix}${scope}${kind}`);
  if (verbs.has('create')) {
    ops.post = operation(ctx, {
      id: `create${ctx.idPrefix}${scope}${kind}`, action: 'post', description: `create a ${kind}`,
      parameters: WRITE_PARAMS, requestBody: bodyOf(ctx.names.kind), responses: okResponses([200, 201, 202], ctx.names.kind),
    });
  }
  if (verbs.has('deletecollection')) {
    ops.delete = operation(ctx, {
      id: `delete${ctx.idPrefix}Collection${scope}${kind}`, action: 'deletecollection', description: `delete collection of ${kind}`,
      parameters: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
      requestBody: { content: schemaContent(['*/*'], DELETE_OPTIONS_SCHEMA) }, responses: okResponses([200], STATUS_SCHEMA),
    });
  }
  return ops;
}

function itemOperations(ctx: OperationContext, verbs: Set<string>, scope: string, sub: string): Record<string, unknown> {
  const kind = ctx.gvk.kind;
  const what = sub ? `${sub.toLowerCase()} of the specified ${kind}` : `the specified ${kind}`;
  const ops: Record<string, unknown> = {};
  if (verbs.has('get')) {
    ops.get = operation(ctx, {
      id: `read${ctx.idPrefix}${scope}${kind}${sub}`, action: 'get', description: `read ${what}`,
      parameters: [], responses: okResponses([200], ctx.names.kind),
    });
  }
  if (verbs.has('update')) {
    ops.put = operation(ctx, {
      id: `replace${ctx.idPrefix}${scope}${kind}${sub}`, action: 'put', description: `replace ${what}`,
      parameters: WRITE_PARAMS, requestBody: bodyOf(ctx.names.kind), responses: okResponses([200, 201], ctx.names.kind),
    });
  }
  if (verbs.has('patch')) {
    ops.patch = operation(ctx, {
      id: `patch${ctx.idPrefix}${scope}${kind}${sub}`, action: 'patch', description: `partially update ${what}`,
      parameters: PATCH_PARAMS, requestBody: patchBody(ctx.custom), responses: okResponses([200, 201], ctx.names.kind),
    });
  }
  if (verbs.has('delete') && !sub) {
    ops.delete = operation(ctx, {
      id: `delete${ctx.idPrefix}${scope}${kind}`, action: 'delete', description: `delete a ${kind}`,
      parameters: DELETE_PARAMS, requestBody: { content: schemaContent(['*/*'], DELETE_OPTIONS_SCHEMA) },
      responses: okResponses([200, 202], STATUS_SCHEMA),
    });
  }
  return ops;
}

const SCALE_GVK: GroupVersionKind = { group: 'autoscaling', kind: 'Scale', version: 'v1' };

/** The scale subresource speaks autoscaling/v1 Scale. */
function scaleOperations(ctx: OperationContext, verbs: Set<string>, scope: string): Record<string, unknown> {
  const scaleCtx: OperationContext = { ...ctx, names: { kind: SCALE_SCHEMA, list: ctx.names.list } };
  const ops = itemOperations(scaleCtx, new Set([...verbs].filter((v) => v !== 'delete')), scope, 'Scale');
  for (const op of Object.values(ops) as Array<Record<string, unknown>>) op['x-kubernetes-group-version-kind'] = { ...SCALE_GVK };
  return ops;
}

/** autoscaling/v1 Scale, for documents whose schema pool does not have it. */
function scaleStandIn(): JSONSchemaProps {
  return {
    description: 'Scale represents a scaling request for a resource.',
    type: 'object',
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
      kind: { description: KIND_DESCRIPTION, type: 'string' },
      metadata: { allOf: [{ $ref: `${REF_PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta` }] },
      spec: { type: 'object', properties: { replicas: { type: 'integer', format: 'int32' } } },
      status: {
        type: 'object', required: ['replicas'],
        properties: { replicas: { type: 'integer', format: 'int32' }, selector: { type: 'string' } },
      },
    },
    'x-kubernetes-group-version-kind': [{ ...SCALE_GVK }],
  };
}
