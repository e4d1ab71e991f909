/**
 * How server-side apply treats a list, by the field path that leads to it: `atomic` lists are
 * one value owned whole, `set` lists own each scalar item, `map` lists own each item by its key
 * fields (`x-kubernetes-list-type` / `x-kubernetes-list-map-keys` in CRD schemas).
 */
import type { JsonValue } from '../../apimachinery/object.ts';
import { fieldMetaAt } from './strategic-merge-keys.ts';

/** The treatment of one list. */
export type ListType =
  | 'atomic'
  | 'set'
  | { readonly map: readonly string[]; readonly defaults?: Readonly<Record<string, JsonValue>> };

/**
 * The list type at a field path from the object root (`['spec', 'template', 'spec', 'containers']`;
 * list items add no segment); undefined when the lookup has no opinion.
 */
export type ListTypeLookup = (fieldPath: readonly string[]) => ListType | undefined;

/** A lookup that always answers: no opinion means atomic. */
export type ResolvedListTypes = (fieldPath: readonly string[]) => ListType;

/** The list types of a built-in kind (`apps/v1/Deployment`), from the strategic merge metadata table. */
export function builtinListTypes(kind: string): ListTypeLookup {
  return (fieldPath) => {
    const meta = fieldMetaAt(kind, fieldPath);
    if (meta?.listType === 'set') return 'set';
    if (meta?.listType === 'map' && meta.listMapKeys) {
      return meta.keyDefaults ? { map: meta.listMapKeys, defaults: meta.keyDefaults } : { map: meta.listMapKeys };
    }
    return undefined;
  };
}

/**
 * The list types for an object of `kind`: the caller's lookup first (CRD schemas), then the built-in
 * table (which also covers `metadata.ownerReferences` and `metadata.finalizers` of any kind), then atomic.
 */
export function resolveListTypes(kind: string, lookup?: ListTypeLookup): ResolvedListTypes {
  const builtin = builtinListTypes(kind);
  return (fieldPath) => lookup?.(fieldPath) ?? builtin(fieldPath) ?? 'atomic';
}

/** The kind key of an object for the built-in table: `apps/v1/Deployment`. */
export function kindKeyOf(obj: { apiVersion?: unknown; kind?: unknown } | undefined): string {
  const apiVersion = typeof obj?.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj?.kind === 'string' ? obj.kind : '';
  return `${apiVersion}/${kind}`;
}
