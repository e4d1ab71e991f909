/**
 * Entry point for protobuf request bodies: kubectl's typed clients (`kubectl create namespace|
 * configmap|secret|deployment|service …`) send `application/vnd.kubernetes.protobuf`. The body is
 * converted to the JSON object a JSON client would have sent, so every later stage (admission,
 * validation, field managers) sees one representation. Kinds without a table, and bodies with
 * fields a table lacks, answer 415 so the client knows to retry as JSON instead of losing data.
 */
import { badRequest, StatusError, type StatusCause } from '../../../apimachinery/errors.ts';
import { decodeMessage, type SkippedField } from './decode-message.ts';
import { readEnvelope, type ProtobufEnvelope } from './envelope.ts';
import { schemaForKind } from './kinds.ts';
import { MalformedProtobuf } from './wire-reader.ts';

/** The Kubernetes protobuf media type. */
export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const USE_JSON = 'send the object as JSON (Content-Type: application/json) instead';

/** True when a Content-Type header names the Kubernetes protobuf media type (parameters ignored). */
export function isProtobufMediaType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/**
 * Decodes a protobuf request body into the object's JSON form (apiVersion and kind from the
 * envelope first). Throws StatusError: 400 for malformed bytes, 415 for an unsupported kind,
 * encoding or any field this server cannot read.
 */
export function protobufToObject(body: Uint8Array): Record<string, unknown> {
  try {
    const env = readEnvelope(body);
    checkEnvelope(env);
    const schema = schemaForKind(env.apiVersion, env.kind);
    if (!schema) {
      throw unsupported(`protobuf request bodies of kind ${env.kind || '(none)'} (${env.apiVersion || 'no apiVersion'}) are not supported by this server; ${USE_JSON}`);
    }
    const decoded = decodeMessage(schema, env.raw);
    refuseSkipped(env, decoded.skipped);
    return { apiVersion: env.apiVersion, kind: env.kind, ...decoded.value };
  } catch (err) {
    if (err instanceof MalformedProtobuf) throw badRequest(`the protobuf body of the request could not be decoded: ${err.message}`);
    throw err;
  }
}

/**
 * The request body as text for the JSON parsing that follows: a protobuf body of a POST or PUT
 * becomes JSON text; anything else (including PATCH, whose media types name the patch format)
 * is passed on as UTF-8 unchanged.
 */
export function requestBodyText(method: string | undefined, contentType: string | undefined, body: Buffer): string {
  if (body.length === 0 || method === 'PATCH' || !isProtobufMediaType(contentType)) return body.toString('utf8');
  return JSON.stringify(protobufToObject(body));
}

function unsupported(message: string, details?: { kind: string; causes: StatusCause[] }): StatusError {
  return new StatusError(415, 'UnsupportedMediaType', message, details);
}

function checkEnvelope(env: ProtobufEnvelope): void {
  if (env.contentEncoding) throw unsupported(`protobuf request bodies with content encoding "${env.contentEncoding}" are not supported; ${USE_JSON}`);
  if (env.contentType && env.contentType !== PROTOBUF_MEDIA_TYPE) {
    throw unsupported(`protobuf envelopes carrying "${env.contentType}" are not supported; ${USE_JSON}`);
  }
}

function skippedCause(s: SkippedField): StatusCause {
  const cause: StatusCause = { reason: 'FieldValueNotSupported', message: `${s.message} field ${s.field}` };
  if (s.path) cause.field = s.path;
  return cause;
}

function refuseSkipped(env: ProtobufEnvelope, skipped: SkippedField[]): void {
  if (env.unknownFields.length === 0 && skipped.length === 0) return;
  const causes: StatusCause[] = [
    ...env.unknownFields.map((what) => ({ reason: 'FieldValueNotSupported', message: what })),
    ...skipped.map(skippedCause),
  ];
  const list = causes.map((c) => (c.field ? `${c.message} (in ${c.field})` : c.message)).join(', ');
  throw unsupported(`the protobuf body of ${env.kind} (${env.apiVersion}) has fields this server cannot read: ${list}; ${USE_JSON} so that no field is dropped`,
    { kind: env.kind, causes });
}
