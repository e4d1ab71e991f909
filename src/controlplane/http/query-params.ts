/**
 * Query parameters read as kube-apiserver's parameter codec reads them, so every client's spelling
 * works: the official Python client sends `watch=True`, others `watch=1` or a bare `watch`.
 * - booleans: absent is false; `0` or `false` in any case is false; anything else, even an empty
 *   value, is true (apimachinery's Convert_Slice_string_To_bool);
 * - integers: absent is undefined; otherwise base-10 digits with an optional sign, or 400
 *   BadRequest naming the parameter (apimachinery parses with strconv.ParseInt).
 */
import { badRequest } from '../../apimachinery/errors.ts';

/** A boolean query parameter; see the module comment. */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null) return false;
  return value !== '0' && value.toLowerCase() !== 'false';
}

/** An integer query parameter; see the module comment. */
export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const n = /^[+-]?\d{1,19}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`${name}: strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  return n;
}
