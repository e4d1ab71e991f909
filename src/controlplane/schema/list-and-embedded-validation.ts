/**
 * The checks kube-apiserver runs on a custom resource after schema validation: embedded resources
 * (`x-kubernetes-embedded-resource`) must carry a string apiVersion and kind, and lists typed
 * `x-kubernetes-list-type: set|map` must not repeat an item (set) or a key (map). Paths here use
 * apimachinery's field.Path form, where map keys print as `[key]`.
 */
import type { StatusCause } from '../../apimachinery/errors.ts';
import { duplicateCause, goJson, invalidCause, requiredCause } from './field-causes.ts';
import type { JSONSchemaProps } from './json-schema-props.ts';
import { isPlainObject } from './json-values.ts';

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_MESSAGE = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, " +
  "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Stands for a missing key field; no JSON key value can equal it. */
const UNSPECIFIED_KEY = { '\u0000unspecified': true };

/** Per schema node: whether anything beneath it declares a list type or an embedded resource. */
const relevance = new WeakMap<JSONSchemaProps, boolean>();

function childPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function needsCheck(schema: JSONSchemaProps | undefined): boolean {
  if (!schema) return false;
  let known = relevance.get(schema);
  if (known === undefined) {
    relevance.set(schema, false); // cycles (never in CRDs) end here
    const own = !!schema['x-kubernetes-embedded-resource'] || schema['x-kubernetes-list-type'] === 'set' ||
      schema['x-kubernetes-list-type'] === 'map';
    const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    known = own || needsCheck(schema.items) || needsCheck(extra) ||
      Object.values(schema.properties ?? {}).some(needsCheck);
    relevance.set(schema, known);
  }
  return known;
}

/** Embedded-resource and list-type causes for `value` (at field path `path`) under `schema`. */
export function validateListsAndEmbedded(value: unknown, schema: JSONSchemaProps, path: string): StatusCause[] {
  const embedded: StatusCause[] = [];
  const lists: StatusCause[] = [];
  walk(value, schema, path, { embedded, lists });
  return [...embedded, ...lists];
}

interface Found {
  embedded: StatusCause[];
  lists: StatusCause[];
}

function walk(value: unknown, schema: JSONSchemaProps | undefined, path: string, found: Found): void {
  if (!schema || !needsCheck(schema)) return;
  if (Array.isArray(value)) {
    checkListType(value, schema, path, found.lists);
    value.forEach((item, i) => walk(item, schema.items, `${path}[${i}]`, found));
    return;
  }
  if (!isPlainObject(value)) return;
  if (schema['x-kubernetes-embedded-resource']) found.embedded.push(...embeddedTypeMeta(value, path));
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const [key, child] of Object.entries(value)) {
    const own = schema.properties?.[key];
    if (own) walk(child, own, childPath(path, key), found);
    else if (extra) walk(child, extra, `${path}[${key}]`, found);
  }
}

function embeddedTypeMeta(value: Record<string, unknown>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const key of ['apiVersion', 'kind']) {
    const field = childPath(path, key);
    const v = value[key];
    if (v === undefined) causes.push(requiredCause(field));
    else if (typeof v !== 'string') causes.push(invalidCause(field, v, 'must be a string'));
    else if (!v) causes.push(invalidCause(field, v, 'must not be empty'));
    else if (key === 'apiVersion' && v.split('/').length > 2) causes.push(invalidCause(field, v, `unexpected GroupVersion string: ${v}`));
    else if (key === 'kind' && !DNS1035_LABEL.test(v.toLowerCase())) {
      causes.push(invalidCause(field, v, `may have mixed case, but should otherwise match: ${DNS1035_MESSAGE}`));
    }
  }
  return causes;
}

function checkListType(items: unknown[], schema: JSONSchemaProps, path: string, out: StatusCause[]): void {
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    for (const i of repeatedIndices(items)) out.push(duplicateCause(`${path}[${i}]`, items[i]));
  } else if (listType === 'map') {
    checkListMap(items, schema['x-kubernetes-list-map-keys'] ?? [], path, out);
  }
}

/** Indices of the second occurrence of each repeated value (later repeats are not reported again). */
function repeatedIndices(values: unknown[]): number[] {
  const seen = new Map<string, number>();
  const repeated: number[] = [];
  values.forEach((v, i) => {
    const key = v === undefined ? 'undefined' : goJson(v);
    const times = seen.get(key) ?? 0;
    if (times === 1) repeated.push(i);
    seen.set(key, times + 1);
  });
  return repeated;
}

function checkListMap(items: unknown[], keyFields: string[], path: string, out: StatusCause[]): void {
  const notObject = items.findIndex((item) => item !== null && !isPlainObject(item));
  if (notObject >= 0) {
    out.push(invalidCause(`${path}[${notObject}]`, items[notObject], 'must be an object for an array of list-type map'));
    return;
  }
  const keys = items.map((item) => mapKey(item as Record<string, unknown> | null, keyFields));
  // An item without its key field counts as one "unspecified" key, distinct from any value.
  const comparable = keys.map((key) => (Object.keys(key).length || keyFields.length !== 1 ? key : UNSPECIFIED_KEY));
  for (const i of repeatedIndices(comparable)) out.push(duplicateCause(`${path}[${i}]`, keys[i]));
}

function mapKey(item: Record<string, unknown> | null, keyFields: string[]): Record<string, unknown> {
  const key: Record<string, unknown> = {};
  if (!item) return key;
  for (const field of keyFields) if (item[field] !== undefined) key[field] = item[field];
  return key;
}
