/**
 * A reader for the protocol buffers wire format (proto2 as Kubernetes uses it): varints,
 * length-delimited records, fixed 32/64-bit values and tags. It only reads; any malformed input
 * (truncated record, overlong varint, group wire types) throws a MalformedProtobuf error so the
 * HTTP layer can answer 400 rather than crash.
 */

/** The wire types a field's tag can announce. Groups (3, 4) are deprecated and never used by Kubernetes. */
export const WireType = {
  varint: 0,
  fixed64: 1,
  lengthDelimited: 2,
  fixed32: 5,
} as const;

/** A wire type number as found in a tag. */
export type WireTypeNumber = number;

/** Thrown when bytes do not form valid protobuf. */
export class MalformedProtobuf extends Error {}

/** One field's tag: its number and how its value is encoded. */
export interface FieldTag {
  field: number;
  wireType: WireTypeNumber;
}

/** The largest field number protobuf allows (2^29 - 1). */
const MAX_FIELD_NUMBER = 536_870_911;

/** Reads one message's bytes front to back. */
export class WireReader {
  private readonly bytes: Uint8Array;
  private pos: number;
  private readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  /** True when every byte of the message has been read. */
  done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a varint as an unsigned 64-bit value (at most 10 bytes). */
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new MalformedProtobuf('truncated varint');
      const b = this.bytes[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new MalformedProtobuf('varint longer than 10 bytes');
  }

  /** Reads a field tag. */
  tag(): FieldTag {
    const raw = this.varint();
    if (raw > 0xffffffffn) throw new MalformedProtobuf('field tag out of range');
    const n = Number(raw);
    const field = Math.floor(n / 8);
    if (field < 1 || field > MAX_FIELD_NUMBER) throw new MalformedProtobuf(`invalid field number ${field}`);
    return { field, wireType: n % 8 };
  }

  /** Reads a length prefix and hands back the bytes it covers (a view, not a copy). */
  lengthDelimited(): Uint8Array {
    const len = this.varint();
    if (len > BigInt(this.end - this.pos)) throw new MalformedProtobuf('length-delimited field runs past the end of its message');
    const start = this.pos;
    this.pos += Number(len);
    return this.bytes.subarray(start, this.pos);
  }

  /** Reads `n` raw bytes (fixed32 / fixed64 payloads). */
  fixed(n: 4 | 8): Uint8Array {
    if (this.pos + n > this.end) throw new MalformedProtobuf(`truncated fixed${n * 8} value`);
    const start = this.pos;
    this.pos += n;
    return this.bytes.subarray(start, this.pos);
  }

  /** Skips the value of a field whose number the caller does not know. */
  skip(wireType: WireTypeNumber): void {
    switch (wireType) {
      case WireType.varint: this.varint(); return;
      case WireType.fixed64: this.fixed(8); return;
      case WireType.lengthDelimited: this.lengthDelimited(); return;
      case WireType.fixed32: this.fixed(4); return;
      default: throw new MalformedProtobuf(`unsupported wire type ${wireType}`);
    }
  }
}

/** A varint as a signed int32 (negative int32s are sign-extended to 64 bits on the wire). */
export function toInt32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}

/** A varint as a signed int64, refused when JSON numbers could not carry it exactly. */
export function toInt64(v: bigint): number {
  const signed = BigInt.asIntN(64, v);
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new MalformedProtobuf(`int64 value ${signed} is outside the range JSON numbers carry exactly`);
  }
  return Number(signed);
}

/** Decodes UTF-8 text; invalid sequences are an error, since proto strings must be valid UTF-8. */
export function toUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new MalformedProtobuf('string field is not valid UTF-8');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
