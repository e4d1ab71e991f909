/**
 * A shared informer: one reflector feeding one object store, fanning changes out to any number
 * of handlers with both the old and the new object.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../apimachinery/object.ts';
import type { Clock } from '../clock.ts';
import type { KindRef } from '../resources.ts';
import type { ListWatcher } from './list-watcher.ts';
import { ObjectStore, objectKey, stripForCache, type StoreFilter } from './object-store.ts';
import { Reflector, type ReflectorSink, type ReflectorTiming } from './reflector.ts';

/** Receives an informer's changes. Objects are the cached ones: do not mutate them. */
export interface InformerHandler {
  onAdd(obj: KubeObject, isInInitialList: boolean): void;
  onUpdate(oldObj: KubeObject, newObj: KubeObject): void;
  onDelete(obj: KubeObject, stateUnknown: boolean): void;
}

/**
 * Trims an object before it is cached (client-go's TransformFunc): called once per received
 * object, which it may change in place and must return.
 */
export type CacheTransform = (obj: KubeObject) => KubeObject;

/** Options of {@link SharedInformer}. */
export interface SharedInformerOptions extends ReflectorTiming {
  kind: KindRef;
  listWatcher: ListWatcher;
  clock: Clock;
  logger: Logger;
  /** Applied after managedFields are stripped. */
  transform?: CacheTransform;
}

/** See the module comment. */
export class SharedInformer implements ReflectorSink {
  readonly kind: KindRef;
  readonly reflector: Reflector;
  readonly #store = new ObjectStore();
  readonly #handlers = new Set<InformerHandler>();
  readonly #logger: Logger;
  readonly #transform: CacheTransform;
  #synced = false;
  #syncWaiters: (() => void)[] = [];
  #running: Promise<void> | undefined;

  constructor(opts: SharedInformerOptions) {
    this.kind = opts.kind;
    this.#logger = opts.logger;
    const custom = opts.transform;
    this.#transform = custom ? (obj) => custom(stripForCache(obj)) : stripForCache;
    this.reflector = new Reflector({ ...opts, sink: this });
  }

  /** Adds a handler; once synced, it first receives every cached object as an initial add. */
  addHandler(handler: InformerHandler): () => void {
    this.#handlers.add(handler);
    if (this.#synced) for (const obj of this.#store.values()) this.#call(() => handler.onAdd(obj, true));
    return () => this.#handlers.delete(handler);
  }

  /** Starts list/watch (once); resolves when `signal` aborts and the loop has stopped. */
  start(signal: AbortSignal): Promise<void> {
    this.#running ??= this.reflector.run(signal);
    return this.#running;
  }

  /** True once the first list has been delivered. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once synced, or false if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      });
    });
  }

  /** The cached object under `namespace/name` (or `name`), if any. Do not mutate it. */
  get(key: string): KubeObject | undefined {
    return this.#store.get(key);
  }

  /** Cached objects matching `filter`. Do not mutate them. */
  list(filter?: StoreFilter): KubeObject[] {
    return this.#store.list(filter);
  }

  replace(items: KubeObject[]): void {
    const initial = !this.#synced;
    const seen = new Set<string>();
    for (const item of items) {
      const obj = this.#transform(item);
      seen.add(objectKey(obj));
      const old = this.#store.set(obj);
      if (!old) this.#emit((h) => h.onAdd(obj, initial));
      // Unchanged objects are not re-delivered on a relist; resync covers "deliver everything".
      else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.#emit((h) => h.onUpdate(old, obj));
    }
    for (const key of this.#store.keys()) {
      if (seen.has(key)) continue;
      const gone = this.#store.delete(key);
      if (gone) this.#emit((h) => h.onDelete(gone, true));
    }
    if (initial) this.#markSynced();
  }

  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', item: KubeObject): void {
    const obj = this.#transform(item);
    if (type === 'DELETED') {
      const old = this.#store.delete(objectKey(obj));
      this.#emit((h) => h.onDelete(old && !obj.metadata.resourceVersion ? old : obj, false));
      return;
    }
    const old = this.#store.set(obj);
    if (old) this.#emit((h) => h.onUpdate(old, obj));
    else this.#emit((h) => h.onAdd(obj, false));
  }

  resync(): void {
    for (const obj of this.#store.values()) this.#emit((h) => h.onUpdate(obj, obj));
  }

  #markSynced(): void {
    this.#synced = true;
    const waiters = this.#syncWaiters;
    this.#syncWaiters = [];
    for (const w of waiters) w();
  }

  #emit(call: (h: InformerHandler) => void): void {
    for (const h of this.#handlers) this.#call(() => call(h));
  }

  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // One broken handler must not stop the informer or starve the other handlers.
      this.#logger.error({ err, kind: this.kind.kind }, 'Informer event handler failed');
    }
  }
}
