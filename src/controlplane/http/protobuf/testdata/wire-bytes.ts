/**
 * Test-only builder of protobuf wire bytes for the decoder's edge cases (unknown fields of every
 * wire type, packed lists, malformed input). Real-world bodies are the captured `*.pb` files.
 */

/** A varint for a non-negative number or any bigint (negative bigints as 64-bit two's complement). */
export function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? low | 0x80 : low);
  } while (v);
  return out;
}

/** A varint field. */
export function vField(field: number, value: number | bigint): number[] {
  return [...varint(field * 8), ...varint(value)];
}

/** A length-delimited field around raw bytes, text or nested parts. */
export function lField(field: number, ...parts: (number[] | string)[]): number[] {
  const body = parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'utf8')] : p));
  return [...varint(field * 8 + 2), ...varint(body.length), ...body];
}

/** A Kubernetes protobuf body: `k8s\0` + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}. */
export function envelope(apiVersion: string, kind: string, raw: number[], contentEncoding = '', contentType = ''): Buffer {
  return Buffer.from([
    0x6b, 0x38, 0x73, 0x00,
    ...lField(1, lField(1, apiVersion), lField(2, kind)),
    ...lField(2, raw),
    ...lField(3, contentEncoding),
    ...lField(4, contentType),
  ]);
}
