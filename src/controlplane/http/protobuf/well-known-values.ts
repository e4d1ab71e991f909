/**
 * The apimachinery value types whose JSON form is not an object: meta/v1 Time (RFC 3339 text),
 * resource.Quantity (its canonical string) and intstr.IntOrString (a number or a string). Each
 * is read as a small message and then converted.
 */
import { message } from './message-schema.ts';
import { MalformedProtobuf } from './wire-reader.ts';

/** meta/v1 Time as it goes over the wire: a protobuf Timestamp. */
export const timeMessage = message('Time', {
  1: ['seconds', 'int64'],
  2: ['nanos', 'int32'],
});

/** resource.Quantity: a single string. */
export const quantityMessage = message('Quantity', {
  1: ['string', 'string'],
});

/** intstr.IntOrString: a type discriminator (0 int, 1 string) and the two values. */
export const intOrStringMessage = message('IntOrString', {
  1: ['type', 'int64'],
  2: ['intVal', 'int32'],
  3: ['strVal', 'string'],
});

/** Seconds from the Unix epoch to Go's zero time (0001-01-01T00:00:00Z), which JSON writes as null. */
const GO_ZERO_TIME_SECONDS = -62_135_596_800;

/**
 * A decoded Time as metav1.Time writes it in JSON: RFC 3339 in UTC at second precision, or
 * undefined for the zero time (an empty message on the wire).
 */
export function timeToJson(fields: Record<string, unknown>, wasEmpty: boolean): string | undefined {
  const seconds = Number(fields.seconds ?? 0);
  if (wasEmpty || (seconds === GO_ZERO_TIME_SECONDS && !fields.nanos)) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw new MalformedProtobuf(`time ${seconds}s is out of range`);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A decoded Quantity as its string ("" when unset). */
export function quantityToJson(fields: Record<string, unknown>): string {
  return typeof fields.string === 'string' ? fields.string : '';
}

/** A decoded IntOrString as a number or a string, by its type discriminator. */
export function intOrStringToJson(fields: Record<string, unknown>): number | string {
  if (Number(fields.type ?? 0) === 1) return typeof fields.strVal === 'string' ? fields.strVal : '';
  return typeof fields.intVal === 'number' ? fields.intVal : 0;
}
