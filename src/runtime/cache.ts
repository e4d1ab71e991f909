/**
 * The manager's cache: one shared informer per kind, created on first use and started once.
 * Reads return deep copies, so reconcilers may change what they read without corrupting the
 * cache.
 */
import type { Logger } from 'pino';
import { deepCopy, type KubeObject } from '../apimachinery/object.ts';
import type { KubeClient, ObjectKey } from './client.ts';
import type { Clock } from './clock.ts';
import { SharedInformer, type CacheTransform, type InformerHandler } from './internal/informer.ts';
import { ClientListWatcher, type ListWatcher } from './internal/list-watcher.ts';
import type { StoreFilter } from './internal/object-store.ts';
import type { ReflectorTiming } from './internal/reflector.ts';
import { kindKey, type KindRef } from './resources.ts';

export type { CacheTransform, InformerHandler } from './internal/informer.ts';
export type { ReflectorTiming as InformerTiming } from './internal/reflector.ts';

/** The public face of one kind's informer. */
export interface Informer {
  readonly kind: KindRef;
  addHandler(handler: InformerHandler): () => void;
  hasSynced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<boolean>;
}

/**
 * What one kind's informer caches (controller-runtime's cache.ByObject): only objects matching
 * `labelSelector` (the server filters), each trimmed by `transform`. Reads of that kind see only
 * what is cached, so narrow a kind only to what every reader of it needs.
 */
export interface ByObject {
  kind: KindRef;
  labelSelector?: string;
  transform?: CacheTransform;
}

/** Options of {@link InformerCache}. */
export interface InformerCacheOptions extends ReflectorTiming {
  /** Lists and watches go through this client (and its transport). */
  client: KubeClient;
  clock: Clock;
  logger: Logger;
  /** Watch only this namespace (all namespaces when unset). */
  namespace?: string;
  /** Per-kind narrowing; see {@link ByObject}. */
  byObject?: ByObject[];
  /** Builds the list/watch of a kind; tests substitute fakes. Defaults to the API server. */
  listWatcherFor?: (kind: KindRef) => ListWatcher;
}

/** Filters for {@link InformerCache.list}. */
export type CacheListOptions = StoreFilter;

/** See the module comment. */
export class InformerCache {
  readonly #opts: InformerCacheOptions;
  readonly #informers = new Map<string, SharedInformer>();
  #signal: AbortSignal | undefined;
  readonly #running: Promise<void>[] = [];

  constructor(opts: InformerCacheOptions) {
    this.#opts = opts;
  }

  /** The informer of `kind`, created (and started, if the cache runs) on first use. */
  getInformer(kind: KindRef): Informer {
    return this.#informer(kind);
  }

  /** Starts every informer; later ones start as they are created. Resolves when all stopped. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#signal) throw new Error('cache already started');
    this.#signal = signal;
    for (const informer of this.#informers.values()) this.#running.push(informer.start(signal));
    if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.all(this.#running);
  }

  /** Resolves true once every informer created so far has synced (false if `signal` aborts first). */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.#informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** True when every informer has synced. */
  hasSynced(): boolean {
    return [...this.#informers.values()].every((i) => i.hasSynced());
  }

  /** A copy of the cached object, or undefined. */
  get<T extends KubeObject = KubeObject>(kind: KindRef, key: ObjectKey): T | undefined {
    const obj = this.#informer(kind).get(key.namespace ? `${key.namespace}/${key.name}` : key.name);
    return obj ? (deepCopy(obj) as T) : undefined;
  }

  /** Copies of the cached objects of `kind` matching `opts`. */
  list<T extends KubeObject = KubeObject>(kind: KindRef, opts: CacheListOptions = {}): T[] {
    return this.#informer(kind).list(opts).map((o) => deepCopy(o) as T);
  }

  #informer(kind: KindRef): SharedInformer {
    const key = kindKey(kind);
    let informer = this.#informers.get(key);
    if (informer) return informer;
    informer = this.#create(kind);
    this.#informers.set(key, informer);
    if (this.#signal) this.#running.push(informer.start(this.#signal));
    return informer;
  }

  #create(kind: KindRef): SharedInformer {
    const { client: _client, namespace: _ns, listWatcherFor, byObject, ...timing } = this.#opts;
    const narrowing = byObject?.find((b) => kindKey(b.kind) === kindKey(kind));
    const listWatcher = listWatcherFor?.(kind) ?? this.#apiListWatcher(kind, narrowing?.labelSelector);
    const logger = this.#opts.logger.child({ informer: `${kind.kind}.${kind.apiVersion}` });
    return new SharedInformer({ ...timing, kind: { apiVersion: kind.apiVersion, kind: kind.kind }, listWatcher, logger, transform: narrowing?.transform });
  }

  #apiListWatcher(kind: KindRef, labelSelector: string | undefined): ListWatcher {
    const { client, namespace } = this.#opts;
    client.resourceOf(kind); // fail here, not at the first watch, on an unknown kind
    return new ClientListWatcher({ client, kind, namespace, labelSelector });
  }
}
