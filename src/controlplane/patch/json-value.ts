/**
 * Plain JSON values as the patch engines see them: objects are string-keyed records, read and
 * written through own properties only, so that a key such as `__proto__` or `constructor`
 * (valid in a ConfigMap's data) is data, never the prototype chain.
 */

/** A JSON object: a non-null, non-array object. */
export type JsonObject = Record<string, unknown>;

/** True for a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `obj` has `key` as an own property. */
export function hasMember(obj: JsonObject, key: string): boolean {
  return Object.hasOwn(obj, key);
}

/** The own property `key` of `obj`, or undefined. */
export function getMember(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Sets the own property `key`; `__proto__` becomes a data property instead of changing the prototype. */
export function setMember(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/** Deletes the own property `key`. */
export function deleteMember(obj: JsonObject, key: string): void {
  if (Object.hasOwn(obj, key)) delete obj[key];
}

/** A deep copy; undefined stays undefined. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/** Deep equality of two JSON values (object key order is irrelevant, array order is significant). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => hasMember(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
