/**
 * The fields of an object as server-side apply sees them: its set of owned-able paths, and
 * reading, comparing and removing the value at a path. Leaves are scalars, nulls, empty maps,
 * atomic lists and set items; map-list items are paths too (their existence is owned).
 * `apiVersion`, `kind` and the server-owned metadata fields are never tracked.
 */
import { FieldSet } from './field-set.ts';
import { fieldElement, keyElement, parseElement, valueElement, type FieldPath, type ParsedElement } from './field-path.ts';
import { deleteMember, hasMember, isJsonObject, jsonEqual, type JsonObject } from './json-value.ts';
import type { ListType, ResolvedListTypes } from './list-type.ts';

/** metadata fields that belong to the server, never to a field manager. */
const UNTRACKED_METADATA = new Set([
  'name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'clusterName',
]);

/** The paths of every leaf and map-list item of `obj`. */
export function fieldSetOf(obj: JsonObject, listTypes: ResolvedListTypes): FieldSet {
  const set = new FieldSet();
  collectMap(obj, [], [], { set, listTypes });
  return set;
}

interface CollectContext {
  set: FieldSet;
  listTypes: ResolvedListTypes;
}

function collectMap(obj: JsonObject, path: FieldPath, names: readonly string[], ctx: CollectContext): void {
  for (const [name, value] of Object.entries(obj)) {
    if (isUntracked(names, name) || value === undefined) continue;
    collectValue(value, [...path, fieldElement(name)], [...names, name], ctx);
  }
}

function isUntracked(names: readonly string[], name: string): boolean {
  if (names.length === 0) return name === 'apiVersion' || name === 'kind';
  return names.length === 1 && names[0] === 'metadata' && UNTRACKED_METADATA.has(name);
}

function collectValue(value: unknown, path: FieldPath, names: readonly string[], ctx: CollectContext): void {
  if (isJsonObject(value) && Object.keys(value).length > 0) collectMap(value, path, names, ctx);
  else if (Array.isArray(value) && value.length > 0) collectList(value, path, names, ctx);
  else ctx.set.add(path);
}

function collectList(list: unknown[], path: FieldPath, names: readonly string[], ctx: CollectContext): void {
  const listType = ctx.listTypes(names);
  if (listType === 'set' && list.every(isScalar)) {
    for (const item of list) ctx.set.add([...path, valueElement(item)]);
    return;
  }
  const keys = typeof listType === 'object' ? list.map((item) => itemKey(item, listType)) : [];
  if (keys.length === 0 || keys.some((key) => key === undefined)) {
    ctx.set.add(path); // atomic, or a map list with an item that cannot be keyed
    return;
  }
  list.forEach((item, i) => {
    const itemPath = [...path, keyElement(keys[i] as JsonObject)];
    ctx.set.add(itemPath);
    collectMap(item as JsonObject, itemPath, names, ctx);
  });
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** The key fields of a map-list item (defaults filled in); undefined when the item cannot be keyed. */
export function itemKey(item: unknown, listType: ListType): JsonObject | undefined {
  if (typeof listType !== 'object' || !isJsonObject(item)) return undefined;
  const key: JsonObject = {};
  for (const name of listType.map) {
    const value = hasMember(item, name) ? item[name] : listType.defaults?.[name];
    if (value === undefined || value === null) return undefined;
    key[name] = value;
  }
  return key;
}

/** The outcome of reading a path. */
export type Lookup = { found: true; value: unknown } | { found: false };

/** One resolved step of a path: the container it was taken in, and where. */
interface Step {
  container: JsonObject | unknown[];
  /** Member name or list index inside `container`. */
  at: string | number;
  value: unknown;
}

/** Reads the value at `path`. */
export function lookupPath(obj: JsonObject, path: FieldPath, listTypes: ResolvedListTypes): Lookup {
  const steps = resolvePath(obj, path, listTypes);
  return steps ? { found: true, value: steps.length ? steps[steps.length - 1].value : obj } : { found: false };
}

function resolvePath(obj: JsonObject, path: FieldPath, listTypes: ResolvedListTypes): Step[] | undefined {
  const steps: Step[] = [];
  const names: string[] = [];
  let node: unknown = obj;
  for (const element of path) {
    const parsed = parseElement(element);
    const step = parsed && resolveStep(node, parsed, () => listTypes(names));
    if (!step) return undefined;
    if (parsed.kind === 'field') names.push(parsed.name);
    steps.push(step);
    node = step.value;
  }
  return steps;
}

function resolveStep(node: unknown, element: ParsedElement, listType: () => ListType): Step | undefined {
  if (element.kind === 'field') {
    return isJsonObject(node) && hasMember(node, element.name)
      ? { container: node, at: element.name, value: node[element.name] } : undefined;
  }
  if (!Array.isArray(node)) return undefined;
  const index = findItem(node, element, listType);
  return index >= 0 && index < node.length ? { container: node, at: index, value: node[index] } : undefined;
}

function findItem(list: unknown[], element: ParsedElement, listType: () => ListType): number {
  switch (element.kind) {
    case 'index': return element.index;
    case 'value': return list.findIndex((item) => jsonEqual(item, element.value));
    case 'key': {
      const type = listType();
      return list.findIndex((item) => jsonEqual(itemKey(item, type), element.key));
    }
    default: return -1;
  }
}

/**
 * True when `path` holds the same thing in both objects. Items (keyed, set or indexed) compare by
 * existence; two non-empty maps compare equal, since their contents are fields of their own.
 */
export function sameAtPath(a: JsonObject, b: JsonObject, path: FieldPath, listTypes: ResolvedListTypes): boolean {
  const left = lookupPath(a, path, listTypes);
  const right = lookupPath(b, path, listTypes);
  if (!left.found || !right.found) return left.found === right.found;
  if (!path[path.length - 1]?.startsWith('f:')) return true;
  if (isNonEmptyMap(left.value) && isNonEmptyMap(right.value)) return true;
  return jsonEqual(left.value, right.value);
}

function isNonEmptyMap(value: unknown): boolean {
  return isJsonObject(value) && Object.keys(value).length > 0;
}

/**
 * Removes the field or item at `path` from `obj` (in place). Key fields of a list item are kept
 * (the item would lose its identity). Maps and lists that the removal leaves empty are removed
 * too, up to but not including the top-level fields (`spec` stays). Returns whether anything was removed.
 */
export function removePath(obj: JsonObject, path: FieldPath, listTypes: ResolvedListTypes): boolean {
  if (isItemKeyField(path)) return false;
  const steps = resolvePath(obj, path, listTypes);
  if (!steps || steps.length === 0) return false;
  removeStep(steps[steps.length - 1]);
  for (let depth = steps.length - 1; depth >= 2 && isEmptyContainer(steps[depth].container); depth--) {
    removeStep(steps[depth - 1]);
  }
  return true;
}

function isItemKeyField(path: FieldPath): boolean {
  if (path.length < 2) return false;
  const field = parseElement(path[path.length - 1]);
  const item = parseElement(path[path.length - 2]);
  return field?.kind === 'field' && item?.kind === 'key' && hasMember(item.key, field.name);
}

function removeStep(step: Step): void {
  if (Array.isArray(step.container)) step.container.splice(step.at as number, 1);
  else deleteMember(step.container, step.at as string);
}

function isEmptyContainer(container: JsonObject | unknown[]): boolean {
  return Array.isArray(container) ? container.length === 0 : Object.keys(container).length === 0;
}
