/**
 * JSON patch (RFC 6902, `application/json-patch+json`) with kube-apiserver's error statuses
 * (apiserver pkg/endpoints/handlers/patch.go, `applyJSPatch`):
 * - a body that does not decode as an op list is 400 BadRequest `error decoding patch: …`;
 * - more than 10000 operations is 413 RequestEntityTooLarge;
 * - any operation that cannot be applied (failing `test`, missing path, unknown op) is a bare
 *   422 Invalid "the server rejected our request due to an error in our request" with empty details:
 *   the library error is not passed to the client, so it is kept on `cause` for logs only.
 */
import fastJsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError, badRequest } from '../../apimachinery/errors.ts';
import { cloneJson, getMember, hasMember, isJsonObject } from './json-value.ts';

const { applyOperation, JsonPatchError } = fastJsonPatch;

/** kube-apiserver's `maxJSONPatchOperations`. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** The string members of an op, typed `string` in apiserver's strict decoding struct. */
const STRING_MEMBERS = ['op', 'path', 'from'] as const;

/** Applies an RFC 6902 op list to `target` and returns the patched copy; inputs are never mutated. */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  const operations = decodeOperations(ops);
  let document = cloneJson(target);
  operations.forEach((operation, index) => {
    document = applyOne(document, operation, index);
  });
  return document;
}

/**
 * The 422 kube-apiserver answers when a patch cannot be applied
 * (`NewGenericServerResponse(422, …)`: generic message, no causes).
 */
export function jsonPatchNotApplicable(detail: string): StatusError {
  const error = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  error.cause = detail;
  return error;
}

// Mirrors the strict decode into []jsonPatchOp: only JSON type mismatches are 400s; a null body is an empty patch.
function decodeOperations(ops: unknown): unknown[] {
  if (ops === null || ops === undefined) return [];
  if (!Array.isArray(ops)) throw decodeError(`json: cannot unmarshal ${goJsonKind(ops)} into Go value of type []handlers.jsonPatchOp`);
  ops.forEach(checkOperationShape);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  return ops;
}

function checkOperationShape(op: unknown): void {
  if (op === null) return;
  if (!isJsonObject(op)) throw decodeError(`json: cannot unmarshal ${goJsonKind(op)} into Go value of type handlers.jsonPatchOp`);
  for (const member of STRING_MEMBERS) {
    const value = getMember(op, member);
    if (value !== undefined && value !== null && typeof value !== 'string') {
      throw decodeError(`json: cannot unmarshal ${goJsonKind(value)} into Go struct field jsonPatchOp.${member} of type string`);
    }
  }
}

function decodeError(message: string): StatusError {
  return badRequest(`error decoding patch: ${message}`);
}

/** The JSON kind names Go's decoder uses in UnmarshalTypeError. */
function goJsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

function applyOne(document: unknown, op: unknown, index: number): unknown {
  if (isNullTestOfAbsentValue(document, op)) return document;
  try {
    return applyOperation(document, cloneJson(op) as Operation, true, true, true, index).newDocument;
  } catch (error) {
    if (error instanceof JsonPatchError || error instanceof TypeError) throw jsonPatchNotApplicable(error.message);
    throw error;
  }
}

/**
 * kube-apiserver's JSON patch library lets `{"op":"test","value":null}` pass when the tested member
 * is absent or null (its container must exist); RFC-strict libraries fail it.
 */
function isNullTestOfAbsentValue(document: unknown, op: unknown): boolean {
  if (!isJsonObject(op) || op.op !== 'test' || !hasMember(op, 'value') || op.value !== null || typeof op.path !== 'string') return false;
  const tokens = pointerTokens(op.path);
  if (!tokens || tokens.length === 0) return false;
  const container = resolvePointer(document, tokens.slice(0, -1));
  if (!isJsonObject(container)) return false;
  const value = getMember(container, tokens[tokens.length - 1]);
  return value === undefined || value === null;
}

function pointerTokens(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function resolvePointer(document: unknown, tokens: string[]): unknown {
  let node = document;
  for (const token of tokens) {
    if (Array.isArray(node)) node = /^(0|[1-9][0-9]*)$/.test(token) ? node[Number(token)] : undefined;
    else if (isJsonObject(node)) node = getMember(node, token);
    else return undefined;
  }
  return node;
}
