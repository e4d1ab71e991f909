/**
 * How a protobuf message maps to its JSON form: for each field number, the JSON name, the value
 * kind and how absence/zero is treated. The tables themselves live in the *-messages.ts files
 * beside this one; they are written from the field numbers of Kubernetes' published .proto
 * definitions (interoperability data), not generated from them.
 */

/** Plain protobuf scalars, and the Kubernetes types with a special JSON form. */
export type ScalarKind =
  | 'string' | 'bool' | 'int32' | 'int64'
  /** bytes → base64 text, as encoding/json writes []byte */
  | 'bytes'
  /** meta/v1 Time {seconds, nanos} → RFC 3339 at second precision, as metav1.Time marshals */
  | 'time'
  /** resource.Quantity {string} → its string */
  | 'quantity'
  /** intstr.IntOrString {type, intVal, strVal} → a number or a string */
  | 'intOrString';

/** A field's value: a scalar kind or a nested message. */
export type ValueKind = ScalarKind | MessageSchema;

/**
 * How a field appears on the wire and in JSON:
 * - `value`: a Go value field with `omitempty` — always written on the wire, so a zero value
 *   means "unset" and is left out of the JSON;
 * - `pointer`: a Go pointer (or a field without `omitempty`) — on the wire only when set, so a
 *   zero value was asked for and is kept (`replicas: 0`);
 * - `list`: a repeated field (packed or not);
 * - `map`: a map<string, V> (entries with key = 1, value = 2).
 */
export type FieldMode = 'value' | 'pointer' | 'list' | 'map';

/** One field of a message. */
export interface FieldSpec {
  json: string;
  kind: ValueKind;
  mode: FieldMode;
}

/** A message: its name (for error messages) and its fields by number. */
export interface MessageSchema {
  name: string;
  fields: ReadonlyMap<number, FieldSpec>;
}

/** A field written as `[jsonName, kind, mode?]`; mode defaults to `value`. */
export type FieldRow = readonly [json: string, kind: ValueKind, mode?: FieldMode];

/** Builds a message schema from a compact `{ fieldNumber: [json, kind, mode] }` table. */
export function message(name: string, rows: Record<number, FieldRow>): MessageSchema {
  const fields = new Map<number, FieldSpec>();
  for (const [num, [json, kind, mode]] of Object.entries(rows)) fields.set(Number(num), { json, kind, mode: mode ?? 'value' });
  return { name, fields };
}
