/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) for built-in kinds, following
 * the semantics of apimachinery's pkg/util/strategicpatch as used by kube-apiserver:
 * - maps merge recursively and `null` deletes a key;
 * - lists tagged `patchStrategy: merge` merge by their `patchMergeKey` (lists of objects) or as
 *   sets (lists of scalars); every other list is replaced;
 * - directives: `$patch: replace|delete` in a map, `{"$patch": "replace"}` and
 *   `{"<key>": …, "$patch": "delete"}` items in a merged list, `$deleteFromPrimitiveList/<field>`,
 *   `$setElementOrder/<field>` and `$retainKeys`.
 * The patch metadata comes from strategic-merge-keys.ts; kinds it does not know get ObjectMeta
 * metadata only and otherwise behave like a JSON merge patch with directives.
 */
import { badRequest } from '../../apimachinery/errors.ts';
import {
  badPrimitiveListDirective, badRetainKeysDirective, badSetElementOrderDirective, goFormat, listOfListsUnsupported,
  missingMergeKey, unknownPatchType, untranslatedPatchError,
} from './strategic-errors.ts';
import { childFieldsOf, fieldMetaIn, rootFieldsOf, type FieldPatchMeta, type TypeFields } from './strategic-merge-keys.ts';
import {
  cloneJson, deleteMember, getMember, hasMember, isJsonObject, jsonEqual, setMember, type JsonObject,
} from './json-value.ts';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

/** Identifies a list element for ordering and matching: its merge key value, or itself for scalars. */
type ElementKey = (item: unknown) => unknown;

/**
 * Applies a strategic merge patch to `original` for `kind` (`apps/v1/Deployment`, `v1/Pod`) and
 * returns the result; the inputs are never mutated. Throws StatusError with kube-apiserver's status
 * for patches it rejects.
 */
export function applyStrategicMergePatch(original: unknown, patch: unknown, kind: string): unknown {
  if (patch === null || patch === undefined) return cloneJson(original);
  if (!isJsonObject(patch)) {
    const jsonKind = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
    throw badRequest(`json: cannot unmarshal ${jsonKind} into Go value of type map[string]interface {}`);
  }
  const base = isJsonObject(original) ? cloneJson(original) : {};
  return mergeMap(base, cloneJson(patch), rootFieldsOf(kind));
}

// `original` and `patch` are private copies: merging mutates them.
function mergeMap(original: JsonObject, patch: JsonObject, fields: TypeFields | undefined): JsonObject {
  if (hasMember(patch, DIRECTIVE)) return mapDirective(patch);
  applyRetainKeys(original, patch);
  const handled = mergeOrderedLists(original, patch, fields);
  const deletions: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (handled.has(key) || key === RETAIN_KEYS) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      deletions.push([directiveField(key, DELETE_FROM_PRIMITIVE_LIST), value]);
    } else {
      mergeField(original, key, value, fields);
    }
  }
  // Deletions run after additions, as the merged list is what a client's parallel deletion list refers to.
  for (const [field, values] of deletions) deleteFromList(original, field, values);
  return original;
}

function mapDirective(patch: JsonObject): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'delete') return {};
  if (directive !== 'replace') throw unknownPatchType(directive, patch);
  deleteMember(patch, DIRECTIVE);
  return cleanValue(patch) as JsonObject;
}

function mergeField(original: JsonObject, key: string, value: unknown, fields: TypeFields | undefined): void {
  if (value === null) {
    deleteMember(original, key);
    return;
  }
  const current = getMember(original, key);
  if (!hasMember(original, key) || shapeOf(current) !== shapeOf(value)) {
    setCleaned(original, key, value);
    return;
  }
  const meta = fieldMetaIn(fields, key);
  if (isJsonObject(value)) {
    if (meta?.strategy === 'replace') setCleaned(original, key, value);
    else setMember(original, key, mergeMap(current as JsonObject, value, childFieldsOf(meta)));
  } else if (Array.isArray(value)) {
    setMember(original, key, mergeList(current as unknown[], value, meta));
  } else {
    setMember(original, key, value);
  }
}

function shapeOf(value: unknown): 'object' | 'array' | 'scalar' {
  if (Array.isArray(value)) return 'array';
  return isJsonObject(value) ? 'object' : 'scalar';
}

/** Stores a patch value that has nothing to merge with: nulls dropped, directive maps not kept. */
function setCleaned(target: JsonObject, key: string, value: unknown): void {
  const cleaned = cleanValue(value);
  if (cleaned === undefined) deleteMember(target, key);
  else setMember(target, key, cleaned);
}

/** A patch value as plain data: null members and directive keys removed; undefined for a `$patch` map. */
function cleanValue(value: unknown): unknown {
  if (Array.isArray(value)) return cleanList(value);
  if (!isJsonObject(value)) return value;
  if (hasMember(value, DIRECTIVE)) return undefined;
  const out: JsonObject = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === null || isDirectiveKey(key)) continue;
    const cleaned = cleanValue(member);
    if (cleaned !== undefined) setMember(out, key, cleaned);
  }
  return out;
}

function cleanList(list: unknown[]): unknown[] {
  return list.map(cleanValue).filter((item) => item !== undefined);
}

function isDirectiveKey(key: string): boolean {
  return key === RETAIN_KEYS || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER);
}

/** The `<field>` of `$directive/<field>`. */
function directiveField(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === SET_ELEMENT_ORDER ? badSetElementOrderDirective() : badPrimitiveListDirective();
  }
  return key.slice(slash + 1);
}

// ---- $retainKeys ----

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasMember(patch, RETAIN_KEYS)) return;
  const retained = patch[RETAIN_KEYS];
  if (!Array.isArray(retained)) throw badRetainKeysDirective();
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || isDirectiveKey(key)) continue;
    if (!retained.includes(key)) throw badRetainKeysDirective();
  }
  for (const key of Object.keys(original)) {
    if (!retained.includes(key)) deleteMember(original, key);
  }
}

// ---- $deleteFromPrimitiveList ----

function deleteFromList(original: JsonObject, field: string, values: unknown): void {
  if (values === null) {
    deleteMember(original, field);
    return;
  }
  const current = getMember(original, field);
  if (!Array.isArray(values) || !Array.isArray(current)) return;
  setMember(original, field, current.filter((item) => !values.some((v) => jsonEqual(v, item))));
}

// ---- list merging ----

function mergeList(original: unknown[], patch: unknown[], meta: FieldPatchMeta | undefined): unknown[] {
  if (meta?.strategy !== 'merge') return cleanList(patch);
  if (original.length === 0 && patch.length === 0) return original;
  if (elementShape(original, patch) === 'scalar') return mergeScalarList(original, patch);
  if (!meta.mergeKey) throw untranslatedPatchError('cannot merge lists without merge key');
  return mergeKeyedList(original, patch, meta.mergeKey, childFieldsOf(meta));
}

/** The common shape of the elements of merged lists (all objects or all scalars). */
function elementShape(...lists: unknown[][]): 'object' | 'scalar' {
  const shapes = new Set(lists.flat().map(shapeOf));
  if (shapes.has('array')) throw listOfListsUnsupported();
  if (shapes.size > 1) throw untranslatedPatchError(`list element types are not identical: ${goFormat(lists)}`);
  return shapes.has('object') ? 'object' : 'scalar';
}

function mergeScalarList(original: unknown[], patch: unknown[]): unknown[] {
  const merged = [...new Set([...original, ...patch])];
  const inPatch = new Set(patch);
  const itself: ElementKey = (item) => item;
  return normalizeOrder(merged.filter((v) => inPatch.has(v)), merged.filter((v) => !inPatch.has(v)), patch, original, itself);
}

function mergeKeyedList(original: unknown[], patch: unknown[], mergeKey: string, fields: TypeFields | undefined): unknown[] {
  const keyOf: ElementKey = (item) => (isJsonObject(item) ? getMember(item, mergeKey) : undefined);
  const { base, items, replace } = applySpecialElements(original, patch, mergeKey, keyOf);
  if (replace) return cleanList(items);
  // Items the patch adds are not in the server order, so they go before the server-only items.
  const serverOrder = [...base];
  for (const item of items as JsonObject[]) {
    if (!hasMember(item, mergeKey)) throw missingMergeKey(item, mergeKey);
    const index = base.findIndex((candidate) => keyOf(candidate) === item[mergeKey]);
    if (index >= 0) base[index] = mergeMap(base[index] as JsonObject, item, fields);
    else base.push(cleanValue(item));
  }
  const patchKeys = new Set(items.map(keyOf));
  const fromPatch = base.filter((item) => patchKeys.has(keyOf(item)));
  const serverOnly = base.filter((item) => !patchKeys.has(keyOf(item)));
  return normalizeOrder(fromPatch, serverOnly, items, serverOrder, keyOf);
}

interface SpecialElementsResult {
  /** The original list after `$patch: delete` items were applied. */
  base: unknown[];
  /** The patch items that are not directives. */
  items: unknown[];
  /** A `{"$patch": "replace"}` item asked for the list to become `items`. */
  replace: boolean;
}

function applySpecialElements(original: unknown[], patch: unknown[], mergeKey: string, keyOf: ElementKey): SpecialElementsResult {
  let base = [...original];
  const items: unknown[] = [];
  let replace = false;
  for (const element of patch as JsonObject[]) {
    if (!hasMember(element, DIRECTIVE)) {
      items.push(element);
      continue;
    }
    const directive = element[DIRECTIVE];
    if (directive === 'replace') replace = true;
    else if (directive === 'delete') base = withoutKey(base, element, mergeKey, keyOf);
    else if (directive === 'merge') throw untranslatedPatchError('merging lists cannot yet be specified in the patch');
    else throw unknownPatchType(directive, element);
  }
  return { base, items, replace };
}

function withoutKey(list: unknown[], deletion: JsonObject, mergeKey: string, keyOf: ElementKey): unknown[] {
  if (!hasMember(deletion, mergeKey)) throw missingMergeKey(deletion, mergeKey);
  return list.filter((item) => keyOf(item) !== deletion[mergeKey]);
}

// ---- ordering ----

/**
 * Orders a merged list the way apimachinery does: items named by the patch keep the patch order,
 * server-only items keep their live order, and the two are interleaved so that a server-only item
 * goes before a patch item it preceded in the live list.
 */
function normalizeOrder(
  fromPatch: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], keyOf: ElementKey,
): unknown[] {
  const indexIn = (order: unknown[]) => (item: unknown) => order.findIndex((o) => keyOf(o) === keyOf(item));
  const left = sortByIndex(serverOnly, indexIn(serverOrder));
  const right = sortByIndex(fromPatch, indexIn(patchOrder));
  const serverIndex = indexIn(serverOrder);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const takeLeft = j >= right.length || (i < left.length && precedes(serverIndex(left[i]), serverIndex(right[j])));
    out.push(takeLeft ? left[i++] : right[j++]);
  }
  return out;
}

function precedes(leftIndex: number, rightIndex: number): boolean {
  return leftIndex >= 0 && rightIndex >= 0 && leftIndex < rightIndex;
}

function sortByIndex(items: unknown[], indexOf: (item: unknown) => number): unknown[] {
  const rank = (item: unknown) => {
    const index = indexOf(item);
    return index < 0 ? Number.MAX_SAFE_INTEGER : index;
  };
  return [...items].sort((a, b) => rank(a) - rank(b));
}

// ---- $setElementOrder ----

/** Merges the lists named by `$setElementOrder/<field>` and orders them; returns the patch keys it consumed. */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, fields: TypeFields | undefined): Set<string> {
  const handled = new Set<string>();
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const field = directiveField(key, SET_ELEMENT_ORDER);
    if (!Array.isArray(order)) throw badSetElementOrderDirective();
    handled.add(key);
    if (applyElementOrder(original, patch, field, order, fieldMetaIn(fields, field))) handled.add(field);
  }
  return handled;
}

function applyElementOrder(
  original: JsonObject, patch: JsonObject, field: string, order: unknown[], meta: FieldPatchMeta | undefined,
): boolean {
  const current = getMember(original, field);
  const patchList = getMember(patch, field);
  if (patchList === null || (current === undefined && patchList === undefined)) return false;
  if ((current !== undefined && !Array.isArray(current)) || (patchList !== undefined && !Array.isArray(patchList))) {
    throw badSetElementOrderDirective();
  }
  const mergeKey = meta?.mergeKey;
  checkOrderMatchesPatch(patchList ?? [], order, mergeKey);
  let merged: unknown[];
  if (patchList === undefined) merged = current as unknown[];
  else if (current === undefined) merged = cleanList(patchList);
  else merged = mergeList(current, patchList, meta);
  setMember(original, field, orderBy(merged, order, (current ?? []) as unknown[], mergeKey));
  return true;
}

function orderBy(merged: unknown[], order: unknown[], serverOrder: unknown[], mergeKey: string | undefined): unknown[] {
  const objects = merged.some(isJsonObject);
  // Best effort: lists of objects without a merge key cannot be matched against the order list.
  if (objects && !mergeKey) return merged;
  const keyOf: ElementKey = objects ? (item) => (isJsonObject(item) ? getMember(item, mergeKey as string) : undefined) : (item) => item;
  const wanted = new Set(order.map(keyOf));
  const named = merged.filter((item) => wanted.has(keyOf(item)));
  const others = merged.filter((item) => !wanted.has(keyOf(item)));
  return normalizeOrder(named, others, order, serverOrder, keyOf);
}

/** The patch list's items must appear in `$setElementOrder` and in the same relative order. */
function checkOrderMatchesPatch(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  if (patchList.length === 0 || order.length === 0) return;
  const items = patchList.filter((item) => !(isJsonObject(item) && item[DIRECTIVE] === 'delete'));
  let p = 0;
  for (let o = 0; p < items.length && o < order.length; o++) {
    while (p < items.length && isJsonObject(items[p]) && hasMember(items[p] as JsonObject, DIRECTIVE)) p++;
    if (p < items.length && sameElement(items[p], order[o], mergeKey)) p++;
  }
  if (p < items.length) {
    throw untranslatedPatchError(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(order)}\n`);
  }
}

function sameElement(item: unknown, ordered: unknown, mergeKey: string | undefined): boolean {
  if (!mergeKey) return item === ordered;
  if (!isJsonObject(item) || !hasMember(item, mergeKey)) throw missingMergeKey(item, mergeKey);
  if (!isJsonObject(ordered) || !hasMember(ordered, mergeKey)) throw missingMergeKey(ordered, mergeKey);
  return item[mergeKey] === ordered[mergeKey];
}
