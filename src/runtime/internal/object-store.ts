/**
 * The in-memory cache of one kind, keyed `namespace/name`. Objects are stored without
 * metadata.managedFields: controllers never read them and they are often the largest part of
 * an object.
 */
import type { KubeObject } from '../../apimachinery/object.ts';

/** The cache key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(obj: { metadata: { namespace?: string; name?: string } }): string {
  const { namespace, name = '' } = obj.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** The object as it will be cached: managedFields removed (in place; the object is ours). */
export function stripForCache<T extends KubeObject>(obj: T): T {
  if (obj.metadata && 'managedFields' in obj.metadata) delete obj.metadata.managedFields;
  return obj;
}

/** True when every label in `selector` is present on `obj` with the same value. */
export function matchesLabels(obj: KubeObject, selector: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const labels = obj.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Filters for {@link ObjectStore.list}. */
export interface StoreFilter {
  namespace?: string;
  /** Equality-based label match (all must match). */
  labels?: Record<string, string>;
}

/** A map of cached objects. */
export class ObjectStore {
  readonly #objects = new Map<string, KubeObject>();

  get(key: string): KubeObject | undefined {
    return this.#objects.get(key);
  }

  /** Stores `obj`; returns the object it replaced, if any. */
  set(obj: KubeObject): KubeObject | undefined {
    const key = objectKey(obj);
    const old = this.#objects.get(key);
    this.#objects.set(key, obj);
    return old;
  }

  /** Removes the object under `key`; returns it, if it was there. */
  delete(key: string): KubeObject | undefined {
    const old = this.#objects.get(key);
    this.#objects.delete(key);
    return old;
  }

  keys(): string[] {
    return [...this.#objects.keys()];
  }

  values(): KubeObject[] {
    return [...this.#objects.values()];
  }

  get size(): number {
    return this.#objects.size;
  }

  list(filter: StoreFilter = {}): KubeObject[] {
    return this.values().filter((o) => (!filter.namespace || o.metadata.namespace === filter.namespace) && matchesLabels(o, filter.labels));
  }
}
