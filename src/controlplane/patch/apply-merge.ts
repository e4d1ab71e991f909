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
 * Merges by key, walking both lists the way structured-merge-diff does: live items the
 * configuration does not mention are kept where they are, applied items follow the applied order,
 * and an item in both is merged when the walk reaches it. Undefined when an applied item has no key.
 */
function mergeMapList(current: unknown[], applied: unknown[], listType: ListType, ctx: MapListContext): unknown[] | undefined {
  const liveKeys = current.map((item) => itemKey(item, listType));
  const appliedKeys = applied.map((item) => itemKey(item, listType));
  if (appliedKeys.some((key) => key === undefined)) return undefined;
  const matches = appliedKeys.map((key) => liveKeys.findIndex((liveKey) => liveKey !== undefined && jsonEqual(liveKey, key)));
  const walk = new ListWalk(current, applied, matches, ctx);
  while (walk.step());
  return walk.out;
}

/** The two-cursor walk of mergeMapList: `l` over live items, `r` over applied items. */
class ListWalk {
  readonly out: unknown[] = [];
  readonly #live: unknown[];
  readonly #applied: unknown[];
  /** For each applied item, the index of the live item with the same key, or -1. */
  readonly #matches: number[];
  readonly #matched: Set<number>;
  /** Live indices of shared items, in applied order: the next one due is `#shared[0]`. */
  readonly #shared: number[];
  readonly #merged = new Set<number>();
  readonly #ctx: MapListContext;
  #l = 0;
  #r = 0;

  constructor(live: unknown[], applied: unknown[], matches: number[], ctx: MapListContext) {
    this.#live = live;
    this.#applied = applied;
    this.#matches = matches;
    this.#matched = new Set(matches.filter((index) => index >= 0));
    this.#shared = matches.filter((index) => index >= 0);
    this.#ctx = ctx;
  }

  /** Advances the walk; false when both lists are consumed. */
  step(): boolean {
    if (this.#l >= this.#live.length && this.#r >= this.#applied.length) return false;
    if (this.#l < this.#live.length && this.#r < this.#applied.length) {
      if (this.#matches[this.#r] === this.#l) {
        this.#takeApplied();
        this.#l++;
        return true;
      }
      // A shared live item that is not due yet is emitted when the applied walk reaches it.
      if (this.#matched.has(this.#l) && this.#shared.length > 0 && this.#shared[0] !== this.#l) {
        this.#l++;
        return true;
      }
    }
    if (this.#l < this.#live.length) {
      if (!this.#matched.has(this.#l)) {
        this.out.push(this.#live[this.#l++]);
        return true;
      }
      if (this.#merged.has(this.#l)) this.#l++;
    }
    if (this.#r < this.#applied.length) this.#takeApplied();
    return true;
  }

  #takeApplied(): void {
    const index = this.#matches[this.#r];
    const base = index >= 0 && isJsonObject(this.#live[index]) ? this.#live[index] : {};
    this.out.push(mergeObject(base, this.#applied[this.#r] as JsonObject, this.#ctx.names, this.#ctx.listTypes));
    if (index >= 0) this.#merged.add(index);
    if (index >= 0 && this.#shared[0] === index) this.#shared.shift();
    this.#r++;
  }
}
