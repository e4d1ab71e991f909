/**
 * Field paths of server-side apply. A path is a list of elements spelled as the keys of
 * `managedFields[].fieldsV1`, so that sets round-trip with the wire format unchanged:
 * `f:<field>`, `k:<JSON of the key fields, sorted by name>` (an item of a map list),
 * `v:<JSON value>` (an item of a set list) and `i:<index>` (only read, never produced).
 */
import { isJsonObject, type JsonObject } from './json-value.ts';

/** One element of a field path (a fieldsV1 key). */
export type PathElement = string;

/** A path from the object root to a field or list item. */
export type FieldPath = readonly PathElement[];

/** A path element taken apart. */
export type ParsedElement =
  | { kind: 'field'; name: string }
  | { kind: 'key'; key: JsonObject }
  | { kind: 'value'; value: unknown }
  | { kind: 'index'; index: number };

/** `f:<name>`. */
export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

/** `k:{…}` with the key fields sorted by name, as structured-merge-diff serializes them. */
export function keyElement(key: JsonObject): PathElement {
  const sorted: JsonObject = {};
  for (const name of Object.keys(key).sort()) sorted[name] = key[name];
  return `k:${JSON.stringify(sorted)}`;
}

/** `v:<JSON>`. */
export function valueElement(value: unknown): PathElement {
  return `v:${JSON.stringify(value)}`;
}

/** Takes an element apart; undefined for an element that is not valid fieldsV1. */
export function parseElement(element: PathElement): ParsedElement | undefined {
  const prefix = element.slice(0, 2);
  const rest = element.slice(2);
  if (prefix === 'f:') return { kind: 'field', name: rest };
  if (prefix === 'i:' && /^[0-9]+$/.test(rest)) return { kind: 'index', index: Number(rest) };
  if (prefix !== 'k:' && prefix !== 'v:') return undefined;
  const parsed = parseJson(rest);
  if (!parsed.ok) return undefined;
  if (prefix === 'v:') return { kind: 'value', value: parsed.value };
  return isJsonObject(parsed.value) ? { kind: 'key', key: parsed.value } : undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** A stable string for a path, usable as a Map key. */
export function pathId(path: FieldPath): string {
  return JSON.stringify(path);
}

/** True when `prefix` is `path` or one of its ancestors. */
export function isPrefixOf(prefix: FieldPath, path: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((element, i) => element === path[i]);
}

/** The path as structured-merge-diff prints it in conflicts: `.spec.containers[name="c"].image`, `.metadata.finalizers[="x"]`. */
export function formatPath(path: FieldPath): string {
  return path.map(formatElement).join('');
}

function formatElement(element: PathElement): string {
  const parsed = parseElement(element);
  if (!parsed) return '{{invalid path element}}';
  switch (parsed.kind) {
    case 'field': return `.${parsed.name}`;
    case 'index': return `[${parsed.index}]`;
    case 'value': return `[=${formatValue(parsed.value)}]`;
    case 'key': return `[${Object.entries(parsed.key).map(([k, v]) => `${k}=${formatValue(v)}`).join(',')}]`;
  }
}

/** structured-merge-diff's `value.ToString`: strings quoted, numbers and booleans bare. */
function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(',')}]`;
  if (isJsonObject(value)) return Object.entries(value).map(([k, v]) => `${k}=${formatValue(v)}`).join('');
  return String(value);
}
