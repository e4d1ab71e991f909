/**
 * Turns protobuf message bytes into the JSON object the rest of the server handles, driven by a
 * MessageSchema table. Field numbers the table does not know are skipped by wire type and
 * recorded (message, number, JSON path): dropping one silently would change what the client
 * asked for, so the caller refuses the request when any were skipped.
 */
import type { FieldSpec, MessageSchema, ValueKind } from './message-schema.ts';
import { intOrStringMessage, intOrStringToJson, quantityMessage, quantityToJson, timeMessage, timeToJson } from './well-known-values.ts';
import { MalformedProtobuf, toInt32, toInt64, toUtf8, WireReader, WireType, type WireTypeNumber } from './wire-reader.ts';

/** A field the schema did not know, left out of the result. */
export interface SkippedField {
  /** The protobuf message it appeared in, e.g. `PodSpec`. */
  message: string;
  field: number;
  wireType: number;
  /** JSON path of the message it appeared in, e.g. `spec.template.spec`. */
  path: string;
}

/** The JSON form of a message plus the fields that could not be read. */
export interface DecodedMessage {
  value: Record<string, unknown>;
  skipped: SkippedField[];
}

type JsonObject = Record<string, unknown>;

/** Decodes `bytes` as the message described by `schema`. Throws MalformedProtobuf on bad input. */
export function decodeMessage(schema: MessageSchema, bytes: Uint8Array): DecodedMessage {
  const skipped: SkippedField[] = [];
  const value = readMessage(skipped, schema, bytes, '');
  return { value, skipped };
}

function readMessage(skipped: SkippedField[], schema: MessageSchema, bytes: Uint8Array, path: string): JsonObject {
  const out: JsonObject = {};
  const r = new WireReader(bytes);
  while (!r.done()) {
    const tag = r.tag();
    const spec = schema.fields.get(tag.field);
    if (!spec) {
      skipped.push({ message: schema.name, field: tag.field, wireType: tag.wireType, path });
      r.skip(tag.wireType);
      continue;
    }
    const ctx: FieldContext = { skipped, schema, spec, wireType: tag.wireType, path: join(path, spec.json) };
    if (spec.mode === 'list') readListItem(ctx, r, out);
    else if (spec.mode === 'map') readMapEntry(ctx, r, out);
    else readSingular(ctx, r, out);
  }
  return out;
}

interface FieldContext {
  skipped: SkippedField[];
  schema: MessageSchema;
  spec: FieldSpec;
  wireType: WireTypeNumber;
  path: string;
}

function join(path: string, name: string): string {
  if (!name) return path;
  return path ? `${path}.${name}` : name;
}

function readSingular(ctx: FieldContext, r: WireReader, out: JsonObject): void {
  const { spec } = ctx;
  const value = readValue(ctx, spec.kind, ctx.wireType, r, ctx.path);
  // An embedded Go struct (json name "") is written as a field but flattened into its parent in JSON.
  if (spec.json === '') {
    Object.assign(out, value);
    return;
  }
  if (value === undefined || (spec.mode === 'value' && isZeroScalar(value))) {
    delete out[spec.json];
    return;
  }
  out[spec.json] = value;
}

function isZeroScalar(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

const VARINT_KINDS = new Set<ValueKind>(['bool', 'int32', 'int64']);

function readListItem(ctx: FieldContext, r: WireReader, out: JsonObject): void {
  const list = (out[ctx.spec.json] ??= []) as unknown[];
  const { kind } = ctx.spec;
  // Repeated numbers may come packed: one length-delimited run of varints.
  if (VARINT_KINDS.has(kind) && ctx.wireType === WireType.lengthDelimited) {
    const packed = new WireReader(r.lengthDelimited());
    while (!packed.done()) list.push(readValue(ctx, kind, WireType.varint, packed, ctx.path));
    return;
  }
  const item = readValue(ctx, kind, ctx.wireType, r, `${ctx.path}[${list.length}]`);
  list.push(item ?? null);
}

function readMapEntry(ctx: FieldContext, r: WireReader, out: JsonObject): void {
  expectWireType(ctx, ctx.wireType, WireType.lengthDelimited);
  const entry = new WireReader(r.lengthDelimited());
  let key = '';
  let value: unknown;
  while (!entry.done()) {
    const tag = entry.tag();
    if (tag.field === 1) {
      expectWireType(ctx, tag.wireType, WireType.lengthDelimited);
      key = toUtf8(entry.lengthDelimited());
    } else if (tag.field === 2) {
      value = readValue(ctx, ctx.spec.kind, tag.wireType, entry, ctx.path);
    } else {
      ctx.skipped.push({ message: `${ctx.schema.name}.${ctx.spec.json} map entry`, field: tag.field, wireType: tag.wireType, path: ctx.path });
      entry.skip(tag.wireType);
    }
  }
  const map = (out[ctx.spec.json] ??= {}) as JsonObject;
  map[key] = value ?? zeroOf(ctx.spec.kind);
}

/** The JSON value of a map entry whose value was left off the wire (proto3-style zero). */
function zeroOf(kind: ValueKind): unknown {
  if (typeof kind !== 'string') return {};
  if (kind === 'bool') return false;
  if (kind === 'int32' || kind === 'int64' || kind === 'intOrString') return 0;
  return '';
}

function expectWireType(ctx: FieldContext, got: WireTypeNumber, want: WireTypeNumber): void {
  if (got !== want) {
    throw new MalformedProtobuf(`${ctx.schema.name} field ${ctx.spec.json || 'embedded'} has wire type ${got}, expected ${want}`);
  }
}

function readValue(ctx: FieldContext, kind: ValueKind, wireType: WireTypeNumber, r: WireReader, path: string): unknown {
  if (VARINT_KINDS.has(kind)) {
    expectWireType(ctx, wireType, WireType.varint);
    const v = r.varint();
    if (kind === 'bool') return v !== 0n;
    return kind === 'int32' ? toInt32(v) : toInt64(v);
  }
  expectWireType(ctx, wireType, WireType.lengthDelimited);
  const bytes = r.lengthDelimited();
  if (typeof kind !== 'string') return readMessage(ctx.skipped, kind, bytes, path);
  switch (kind) {
    case 'string': return toUtf8(bytes);
    case 'bytes': return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    case 'time': return timeToJson(readMessage(ctx.skipped, timeMessage, bytes, path), bytes.length === 0);
    case 'quantity': return quantityToJson(readMessage(ctx.skipped, quantityMessage, bytes, path));
    case 'intOrString': return intOrStringToJson(readMessage(ctx.skipped, intOrStringMessage, bytes, path));
    default: throw new MalformedProtobuf(`no decoder for kind ${kind as string}`);
  }
}
