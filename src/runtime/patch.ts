/**
 * Patches with an explicit strategy. The strategy decides the Content-Type; client-node's
 * generated APIs default to JSON Patch, and custom resources reject strategic merge with 415,
 * so the runtime never lets the strategy be implicit.
 */
import type { KubeObject } from '../apimachinery/object.ts';

/** The Content-Type of each patch strategy (as kube-apiserver expects them). */
export const PatchContentType = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** A patch and its strategy. */
export type Patch =
  | { type: 'merge'; body: unknown }
  | { type: 'json'; operations: JsonPatchOperation[] }
  | { type: 'strategic'; body: unknown }
  | { type: 'apply'; body: KubeObject; force?: boolean };

/** RFC 7386 merge patch: objects merge, `null` deletes, arrays are replaced. */
export function mergePatch(body: unknown): Patch {
  return { type: 'merge', body };
}

/** RFC 6902 JSON patch. */
export function jsonPatch(operations: JsonPatchOperation[]): Patch {
  return { type: 'json', operations };
}

/** Strategic merge patch (built-in kinds only; custom resources answer 415). */
export function strategicMergePatch(body: unknown): Patch {
  return { type: 'strategic', body };
}

/** Server-side apply of the full intended object; `force` takes over conflicting fields. */
export function applyPatch(body: KubeObject, opts: { force?: boolean } = {}): Patch {
  return { type: 'apply', body, force: opts.force };
}

/** The wire form of a patch: body, Content-Type and whether to send `force=true`. */
export function patchRequest(patch: Patch): { body: unknown; contentType: string; force: boolean } {
  switch (patch.type) {
    case 'merge':
      return { body: patch.body, contentType: PatchContentType.merge, force: false };
    case 'json':
      return { body: patch.operations, contentType: PatchContentType.json, force: false };
    case 'strategic':
      return { body: patch.body, contentType: PatchContentType.strategic, force: false };
    case 'apply':
      // JSON is valid YAML, so the apply body needs no YAML encoder.
      return { body: patch.body, contentType: PatchContentType.apply, force: patch.force === true };
  }
}
