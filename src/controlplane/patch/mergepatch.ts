/**
 * JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge key by key,
 * `null` deletes a key, and anything that is not an object (arrays included) replaces.
 */
import { badRequest } from '../../apimachinery/errors.ts';
import { cloneJson, deleteMember, getMember, isJsonObject, setMember, type JsonObject } from './json-value.ts';

/** Applies an RFC 7386 merge patch and returns the result as a new value; the inputs are never mutated. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const base = isJsonObject(target) ? cloneJson(target) : {};
  return mergeInto(base, patch);
}

/**
 * Rejects the merge-patch bodies kube-apiserver refuses before merging: its merge-patch library
 * answers `null` and scalars with "Invalid JSON Patch" (400). Arrays pass the RFC (they replace the
 * target); the caller's decode of the result into an object then fails them.
 */
export function assertMergePatchBody(patch: unknown): void {
  if (patch === null || typeof patch !== 'object') throw badRequest('Invalid JSON Patch');
}

// Mutates `base` (a private copy) and never keeps a reference into `patch`.
function mergeInto(base: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      deleteMember(base, key);
    } else if (isJsonObject(value)) {
      const current = getMember(base, key);
      setMember(base, key, mergeInto(isJsonObject(current) ? current : {}, value));
    } else {
      setMember(base, key, cloneJson(value));
    }
  }
  return base;
}
