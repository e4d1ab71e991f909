/**
 * Drift detection: does an object on the server still say what the controller wants? The
 * comparison is semantic and one-sided: every field the controller sets must be there with an
 * equal value, and everything else (server defaults, status, fields other managers own) is
 * ignored. Quantities compare by value (`1024Mi` equals `1Gi`), lists of named items match by
 * name, and empty lists or objects equal absent ones, as the API server omits them.
 *
 * A subset check alone cannot see a field the controller used to set and no longer wants, so
 * every applied object carries a hash of the whole desired object in an annotation: when the
 * desired object changes, the hash differs and the object is re-applied.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../apimachinery/object.ts';
import { compareQuantities, parseQuantity } from '../apimachinery/quantity.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** Two strings that are the same quantity written differently (`1000m` and `1`). */
function sameQuantity(a: string, b: string): boolean {
  try {
    return compareQuantities(parseQuantity(a), parseQuantity(b)) === 0;
  } catch {
    return false;
  }
}

function isNamedList(list: unknown[]): list is Record<string, unknown>[] {
  return list.length > 0 && list.every((item) => isObject(item) && typeof item.name === 'string');
}

function listIsSubset(desired: unknown[], observed: unknown): boolean {
  if (!Array.isArray(observed)) return false;
  if (isNamedList(desired)) {
    // Named items (containers, env, ports, volumes) match by name; items other managers added are theirs.
    const byName = new Map(observed.filter(isObject).map((item) => [item.name, item]));
    return desired.every((item) => isSubset(item, byName.get(item.name)));
  }
  return desired.length === observed.length && desired.every((item, i) => isSubset(item, observed[i]));
}

/** True when everything `desired` says is also in `observed` (see the module comment). */
export function isSubset(desired: unknown, observed: unknown): boolean {
  if (isEmpty(desired)) return isEmpty(observed) || typeof observed === typeof desired;
  if (Array.isArray(desired)) return listIsSubset(desired, observed);
  if (isObject(desired)) {
    if (!isObject(observed)) return false;
    return Object.entries(desired).every(([k, v]) => v === undefined || isSubset(v, observed[k]));
  }
  if (desired === observed) return true;
  return typeof desired === 'string' && typeof observed === 'string' && sameQuantity(desired, observed);
}

/** The annotation holding the hash of the object the controller last applied. */
export const APPLIED_HASH_ANNOTATION = 'stream.streamspace.io/applied-hash';

/**
 * `obj` with the applied-hash annotation set to the hash of everything else in it. The desired
 * objects are built by code in a fixed key order, so plain JSON is a stable enough input: at
 * worst a reordered template causes one needless (idempotent) apply.
 */
export function withAppliedHash<T extends KubeObject>(obj: T): T {
  const hash = createHash('sha256').update(JSON.stringify(obj)).digest('hex').slice(0, 16);
  const annotations = { ...obj.metadata.annotations, [APPLIED_HASH_ANNOTATION]: hash };
  return { ...obj, metadata: { ...obj.metadata, annotations } };
}

/** True when `observed` is missing or no longer says what `desired` (hash-stamped) says. */
export function hasDrifted(desired: KubeObject, observed: KubeObject | undefined): boolean {
  return observed === undefined || !isSubset(desired, observed);
}
