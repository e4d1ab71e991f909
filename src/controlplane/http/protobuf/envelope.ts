/**
 * The envelope of every Kubernetes protobuf body: the 4-byte magic `k8s\0` followed by a
 * runtime.Unknown message carrying the object's TypeMeta (apiVersion, kind), its raw bytes and
 * how those bytes are encoded (contentEncoding, contentType).
 */
import { MalformedProtobuf, toUtf8, WireReader, WireType, type FieldTag } from './wire-reader.ts';

/** The prefix that marks a Kubernetes protobuf body. */
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** runtime.Unknown as read from a body. */
export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  /** The object's own message bytes. */
  raw: Uint8Array;
  /** Empty for plain bytes; anything else (e.g. gzip) is not something clients send for requests. */
  contentEncoding: string;
  /** Empty or the protobuf media type. */
  contentType: string;
  /** Envelope fields this reader does not know (skipped), e.g. `runtime.Unknown field 5`. */
  unknownFields: string[];
}

/** True when `body` starts with the `k8s\0` magic. */
export function hasProtobufMagic(body: Uint8Array): boolean {
  return body.length >= PROTOBUF_MAGIC.length && PROTOBUF_MAGIC.every((b, i) => body[i] === b);
}

/** Reads the envelope of a protobuf body. Throws MalformedProtobuf when it is not one. */
export function readEnvelope(body: Uint8Array): ProtobufEnvelope {
  if (!hasProtobufMagic(body)) throw new MalformedProtobuf('body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  const env: ProtobufEnvelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '', unknownFields: [] };
  const r = new WireReader(body, PROTOBUF_MAGIC.length);
  while (!r.done()) {
    const tag = r.tag();
    if (tag.field >= 1 && tag.field <= 4 && tag.wireType === WireType.lengthDelimited) readEnvelopeField(env, tag, r.lengthDelimited());
    else if (tag.field >= 1 && tag.field <= 4) throw new MalformedProtobuf(`runtime.Unknown field ${tag.field} has wire type ${tag.wireType}`);
    else {
      env.unknownFields.push(`runtime.Unknown field ${tag.field}`);
      r.skip(tag.wireType);
    }
  }
  return env;
}

function readEnvelopeField(env: ProtobufEnvelope, tag: FieldTag, bytes: Uint8Array): void {
  switch (tag.field) {
    case 1: readTypeMeta(env, bytes); return;
    case 2: env.raw = bytes; return;
    case 3: env.contentEncoding = toUtf8(bytes); return;
    default: env.contentType = toUtf8(bytes);
  }
}

// runtime.TypeMeta numbers apiVersion 1 and kind 2 (the reverse of meta/v1 TypeMeta).
function readTypeMeta(env: ProtobufEnvelope, bytes: Uint8Array): void {
  const r = new WireReader(bytes);
  while (!r.done()) {
    const tag = r.tag();
    if ((tag.field === 1 || tag.field === 2) && tag.wireType === WireType.lengthDelimited) {
      const text = toUtf8(r.lengthDelimited());
      if (tag.field === 1) env.apiVersion = text;
      else env.kind = text;
    } else {
      env.unknownFields.push(`runtime.TypeMeta field ${tag.field}`);
      r.skip(tag.wireType);
    }
  }
}
