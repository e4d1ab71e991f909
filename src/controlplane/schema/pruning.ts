/**
 * Structural pruning as kube-apiserver does it when decoding a custom resource: fields the schema
 * does not specify are dropped (unless `x-kubernetes-preserve-unknown-fields`), the resource root
 * and embedded resources keep apiVersion/kind/metadata with metadata reduced to ObjectMeta's
 * fields, and non-nullable nulls without a default are removed. The dropped paths are returned
 * for `fieldValidation=Strict|Warn`.
 */
import type { JSONSchemaProps } from './json-schema-props.ts';
import { cloneJson, isPlainObject } from './json-values.ts';

/** The pruned copy of a value and the sorted paths of the fields that were dropped. */
export interface PruneResult {
  value: unknown;
  unknownFields: string[];
}

/** How to prune. */
export interface PruneOptions {
  /** The value is a whole object: apiVersion, kind and metadata are kept (default true). */
  isResourceRoot?: boolean;
}

const TYPE_META_AND_METADATA = new Set(['apiVersion', 'kind', 'metadata']);

/** metav1.ObjectMeta's JSON fields; nested lists name their items' fields. */
const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);
const META_LIST_ITEM_FIELDS: Record<string, ReadonlySet<string>> = {
  ownerReferences: new Set(['apiVersion', 'kind', 'name', 'uid', 'controller', 'blockOwnerDeletion']),
  managedFields: new Set(['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']),
};

function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Returns a pruned copy of `value` (the input is not modified) and what was dropped. */
export function prune(value: unknown, schema: JSONSchemaProps, options: PruneOptions = {}): PruneResult {
  const root = options.isResourceRoot ?? true;
  const effective = root && !schema['x-kubernetes-embedded-resource'] ? { ...schema, 'x-kubernetes-embedded-resource': true } : schema;
  const unknownFields: string[] = [];
  const pruned = pruneNode(value, effective, '', unknownFields);
  unknownFields.sort();
  return { value: pruned, unknownFields };
}

function pruneNode(value: unknown, schema: JSONSchemaProps | undefined, path: string, dropped: string[]): unknown {
  if (schema?.['x-kubernetes-preserve-unknown-fields']) return keepUnknown(value, schema, path, dropped);
  if (Array.isArray(value)) return value.map((item, i) => pruneNode(item, schema?.items, `${path}[${i}]`, dropped));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (schema?.['x-kubernetes-embedded-resource'] && TYPE_META_AND_METADATA.has(key)) {
      out[key] = key === 'metadata' ? coerceMetadata(child, childPath(path, key), dropped) : cloneJson(child);
      continue;
    }
    const childSchema = schemaFor(schema, key);
    if (childSchema === undefined) {
      // kube silently drops type meta at a non-resource root; everything else is reported.
      if (!TYPE_META_AND_METADATA.has(key) || path) dropped.push(childPath(path, key));
      continue;
    }
    if (isDroppableNull(child, childSchema)) continue;
    out[key] = childSchema === true ? cloneJson(child) : pruneNode(child, childSchema, childPath(path, key), dropped);
  }
  return out;
}

/** The schema of a property: its own, the map's value schema, `true` for an open map, or undefined when unknown. */
function schemaFor(schema: JSONSchemaProps | undefined, key: string): JSONSchemaProps | true | undefined {
  if (!schema) return undefined;
  const own = schema.properties?.[key];
  if (own) return own;
  const extra = schema.additionalProperties;
  if (typeof extra === 'object') return extra;
  return extra === true ? true : undefined;
}

/** A null the schema does not allow and cannot default: kube removes it before validation. */
function isDroppableNull(value: unknown, schema: JSONSchemaProps | true): boolean {
  return value === null && schema !== true && !schema.nullable && schema.default === undefined;
}

/**
 * Under x-kubernetes-preserve-unknown-fields unknown fields stay, but properties the schema does
 * specify are pruned normally (and list items inherit the preservation).
 */
function keepUnknown(value: unknown, schema: JSONSchemaProps | undefined, path: string, dropped: string[]): unknown {
  if (!schema) return cloneJson(value);
  if (Array.isArray(value)) return value.map((item, i) => keepUnknown(item, schema.items, `${path}[${i}]`, dropped));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (schema['x-kubernetes-embedded-resource'] && TYPE_META_AND_METADATA.has(key)) {
      out[key] = key === 'metadata' ? coerceMetadata(child, childPath(path, key), dropped) : cloneJson(child);
      continue;
    }
    const childSchema = schemaFor(schema, key);
    if (childSchema !== undefined && isDroppableNull(child, childSchema)) continue;
    const known = childSchema !== undefined && childSchema !== true;
    out[key] = known ? pruneNode(child, childSchema, childPath(path, key), dropped) : cloneJson(child);
  }
  return out;
}

/**
 * Metadata of a resource root or embedded resource becomes an ObjectMeta: unknown fields (and
 * nulls, which ObjectMeta omits) are dropped. A non-object metadata is left for validation to reject.
 */
function coerceMetadata(metadata: unknown, path: string, dropped: string[]): unknown {
  if (!isPlainObject(metadata)) return cloneJson(metadata);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!OBJECT_META_FIELDS.has(key)) {
      dropped.push(`${path}.${key}`);
    } else if (value !== null) {
      const itemFields = META_LIST_ITEM_FIELDS[key];
      out[key] = itemFields && Array.isArray(value) ? value.map((item, i) => coerceItem(item, itemFields, `${path}.${key}[${i}]`, dropped)) : cloneJson(value);
    }
  }
  return out;
}

function coerceItem(item: unknown, fields: ReadonlySet<string>, path: string, dropped: string[]): unknown {
  if (!isPlainObject(item)) return cloneJson(item);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    if (fields.has(key)) out[key] = cloneJson(value);
    else dropped.push(`${path}.${key}`);
  }
  return out;
}
