/**
 * Row conversion shared by the SQL stores: both drivers return `timestamptz` as Date and may
 * return NULL for absent values; records use RFC 3339 strings and `undefined`.
 */

/** An RFC 3339 string of a timestamp column, or undefined for NULL. */
export function isoOrUndefined(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

/** An RFC 3339 string of a NOT NULL timestamp column. */
export function iso(value: unknown): string {
  return isoOrUndefined(value) ?? new Date(0).toISOString();
}

/** A text column, or undefined for NULL. */
export function textOrUndefined(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** Drops keys whose value is undefined, so records compare cleanly. */
export function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}
