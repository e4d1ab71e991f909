/**
 * StatusCauses with the exact message bodies apimachinery's field.Error prints
 * (pkg/util/validation/field/errors.go), for the values schema validation reports: numbers,
 * strings, and whole objects or lists (printed as JSON with sorted keys, as Go marshals maps).
 */
import { fieldRequired, type StatusCause } from '../../apimachinery/errors.ts';

/** JSON the way Go's encoding/json writes a decoded value: object keys sorted. */
export function goJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goJson(record[k])}`).join(',')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, goEscape);
  return JSON.stringify(value);
}

/** Go's json.Marshal escapes HTML-significant characters and the JS line separators. */
function goEscape(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** A float as Go's %v prints it: shortest form, exponent with at least two digits. */
export function goNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) {
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(n);
}

/** A bad value as field.Error prints it: numbers and booleans bare, strings quoted, the rest as JSON. */
export function badValue(value: unknown): string {
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return goJson(value);
}

function withDetail(body: string, detail: string): string {
  return detail ? `${body}: ${detail}` : body;
}

/** FieldValueInvalid: `Invalid value: <value>: <detail>`. */
export function invalidCause(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: withDetail(`Invalid value: ${badValue(value)}`, detail) };
}

/** FieldValueTypeInvalid: same body as Invalid, different reason. */
export function typeInvalidCause(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueTypeInvalid', field, message: withDetail(`Invalid value: ${badValue(value)}`, detail) };
}

/** FieldValueRequired: `Required value`. */
export function requiredCause(field: string): StatusCause {
  return fieldRequired(field);
}

/** FieldValueNotSupported: `Unsupported value: "x": supported values: "a", "b"`. */
export function notSupportedCause(field: string, value: unknown, allowed: string[]): StatusCause {
  const detail = allowed.length ? `supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}` : '';
  return { reason: 'FieldValueNotSupported', field, message: withDetail(`Unsupported value: ${badValue(value)}`, detail) };
}

/** FieldValueTooLong: `Too long: may not be more than N bytes`. */
export function tooLongCause(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` };
}

/** FieldValueTooMany: `Too many: 3: must have at most 2 items`. */
export function tooManyCause(field: string, actual: number, max: number): StatusCause {
  return { reason: 'FieldValueTooMany', field, message: `Too many: ${actual}: must have at most ${max} ${max === 1 ? 'item' : 'items'}` };
}

/** FieldValueDuplicate: `Duplicate value: <value>`. */
export function duplicateCause(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${badValue(value)}` };
}
