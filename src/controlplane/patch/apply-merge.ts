/**
 * The structural merge of server-side apply: the applied configuration merged into the live
 * object. Maps merge recursively, `null` removes a field, atomic lists are replaced, set lists
 * gain the applied items, and map lists merge item by item on their key fields.
 */
import { itemKey } from './object-fields.ts';
import { cloneJson, deleteMember, getMember, isJsonObject, jsonEqual, setMember, type JsonObject } from './json-value.ts';
import type { ListType, ResolvedListTypes } from './list-type.ts';

/** `config` merged into `live`, as a new object; the inputs are never mutated. */
export function mergeApplied(live: JsonObject, config: JsonObject, listTypes: ResolvedListTypes): JsonObject {
  return mergeObject(cloneJson(live), cloneJson(config), [], listTypes);
}

// `base` and `config` are private copies.
function mergeObject(base: JsonObject, config: JsonObject, names: readonly string[], listTypes: ResolvedListTypes): JsonObject {
  for (const [name, value] of Object.entries(config)) {
    if (value === null) {
      deleteMember(base, name);
      continue;
    }
    const current = getMember(base, name);
    const childNames = [...names, name];
    if (isJsonObject(value)) {
      setMember(base, name, mergeObject(isJsonObject(current) ? current : {}, value, childNames, listTypes));
    } else if (Array.isArray(value)) {
      setMember(base, name, mergeList(Array.isArray(current) ? current : [], value, childNames, listTypes));
    } else {
      setMember(base, name, value);
    }
  }
  return base;
}

function mergeList(current: unknown[], applied: unknown[], names: readonly string[], listTypes: ResolvedListTypes): unknown[] {
  const listType = listTypes(names);
  if (listType === 'set') return [...current, ...applied.filter((item, i) => isNewSetItem(item, i, current, applied))];
  if (typeof listType === 'object') {
    const merged = mergeMapList(current, applied, listType, { names, listTypes });
    if (merged) return merged;
  }
  return applied;
}

function isNewSetItem(item: unknown, index: number, current: unknown[], applied: unknown[]): boolean {
  return !current.some((c) => jsonEqual(c, item)) && applied.findIndex((a) => jsonEqual(a, item)) === index;
}

interface MapListContext {
  names: readonly string[];
  listTypes: ResolvedListTypes;
}

/**
 * Merges by key. Applied items keep the applied order; live items the configuration does not
 * mention stay where they were relative to the items around them. Undefined when an item has no key.
 */
function mergeMapList(current: unknown[], applied: unknown[], listType: ListType, ctx: MapListContext): unknown[] | undefined {
  const liveKeys = current.map((item) => itemKey(item, listType));
  const appliedKeys = applied.map((item) => itemKey(item, listType));
  if (appliedKeys.some((key) => key === undefined)) return undefined;
  const matches = appliedKeys.map((key) => liveKeys.findIndex((liveKey) => liveKey !== undefined && jsonEqual(liveKey, key)));
  const matched = new Set(matches.filter((index) => index >= 0));
  const out: unknown[] = [];
  let next = 0;
  const keepLiveItemsBefore = (limit: number) => {
    for (; next < limit; next++) if (!matched.has(next)) out.push(current[next]);
  };
  applied.forEach((item, i) => {
    const index = matches[i];
    if (index >= 0) keepLiveItemsBefore(index);
    const base = index >= 0 && isJsonObject(current[index]) ? current[index] : {};
    out.push(mergeObject(base, item as JsonObject, ctx.names, ctx.listTypes));
  });
  keepLiveItemsBefore(current.length);
  return out;
}
