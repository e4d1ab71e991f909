/**
 * The API's window on the cluster: one KubeClient for writes and an informer cache (scoped to
 * the StreamSpace namespace) for every read, so list and get never hit the API server. Also
 * lets a handler wait until the cache shows a state (read-your-writes after a create, or a
 * session reaching Running) and subscribe to session changes (WebSocket pushes).
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../apimachinery/object.ts';
import { InformerCache, type InformerHandler } from '../../runtime/cache.ts';
import { KubeClient, type ClusterConfig } from '../../runtime/client.ts';
import { realClock } from '../../runtime/clock.ts';
import type { KindRef } from '../../runtime/resources.ts';
import { EVENT, NODE, NODE_OPERATION, POD, SESSION, SESSION_QUOTA, streamResourceTable, TEMPLATE } from './kinds.ts';

/** Options of {@link ClusterView}. */
export interface ClusterViewOptions {
  kubeConfig: ClusterConfig;
  namespace: string;
  logger: Logger;
  /** Field manager of the API's writes. */
  fieldManager?: string;
}

/** A change of a watched object, as pushed to subscribers. */
export interface ObjectChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

/** The kinds the API caches. */
const CACHED_KINDS: KindRef[] = [SESSION, TEMPLATE, EVENT, SESSION_QUOTA, NODE, NODE_OPERATION];
/** The kinds the API caches in every namespace (a node's load comes from all of its pods). */
const CLUSTER_WIDE_KINDS: KindRef[] = [POD];

/** See the module comment. */
export class ClusterView {
  readonly client: KubeClient;
  readonly cache: InformerCache;
  /** Informers over every namespace, for {@link CLUSTER_WIDE_KINDS}. */
  readonly clusterCache: InformerCache;
  readonly namespace: string;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  /**
   * Session name → spec.user (null when it names none), kept in step with the cache by the first
   * handler of the Session informer, which runs as each change is stored. Lets a heartbeat check
   * access without copying the whole cached session.
   */
  readonly #sessionOwners = new Map<string, string | null>();

  constructor(opts: ClusterViewOptions) {
    this.namespace = opts.namespace;
    this.client = new KubeClient({ kubeConfig: opts.kubeConfig, fieldManager: opts.fieldManager ?? 'streamspace-api', resources: streamResourceTable() });
    this.cache = new InformerCache({ client: this.client, clock: realClock, logger: opts.logger, namespace: opts.namespace });
    for (const kind of CACHED_KINDS) this.cache.getInformer(kind);
    this.#indexSessionOwners();
    this.clusterCache = new InformerCache({ client: this.client, clock: realClock, logger: opts.logger });
    for (const kind of CLUSTER_WIDE_KINDS) this.clusterCache.getInformer(kind);
  }

  #indexSessionOwners(): void {
    const owners = this.#sessionOwners;
    const put = (obj: KubeObject): void => {
      owners.set(obj.metadata.name!, (obj as { spec?: { user?: string } }).spec?.user ?? null);
    };
    this.cache.getInformer(SESSION).addHandler({ onAdd: put, onUpdate: (_old, obj) => put(obj), onDelete: (obj) => owners.delete(obj.metadata.name!) });
  }

  /** Starts the informers (returns at once). */
  start(): void {
    this.#running ??= Promise.all([this.cache.start(this.#abort.signal), this.clusterCache.start(this.#abort.signal)]).then(() => undefined);
  }

  /** Resolves true once every informer has listed. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    return Promise.all([this.cache.waitForCacheSync(signal), this.clusterCache.waitForCacheSync(signal)]).then((r) => r.every(Boolean));
  }

  /** True once every informer has listed. */
  hasSynced(): boolean {
    return this.cache.hasSynced() && this.clusterCache.hasSynced();
  }

  /** A cached object of `kind` in our namespace (cluster-scoped kinds ignore it). */
  get<T extends KubeObject>(kind: KindRef, name: string): T | undefined {
    const namespaced = this.client.resourceOf(kind).namespaced;
    return this.cache.get<T>(kind, namespaced ? { namespace: this.namespace, name } : { name });
  }

  /**
   * The owner (spec.user) of the cached session `name`: undefined when no such session is cached,
   * null when it names no user. Answers as {@link get} would, without copying the session.
   */
  sessionOwner(name: string): string | null | undefined {
    return this.#sessionOwners.get(name);
  }

  /** The cached objects of `kind`. */
  list<T extends KubeObject>(kind: KindRef): T[] {
    return this.cache.list<T>(kind);
  }

  /** The cached objects of a kind cached in every namespace (Pods). */
  listAllNamespaces<T extends KubeObject>(kind: KindRef): T[] {
    return this.clusterCache.list<T>(kind);
  }

  /**
   * Resolves with the cached object once `accept` holds for it (checked now and on every change),
   * or undefined after `timeoutMs`. `accept` receives undefined while the object is absent.
   */
  waitFor<T extends KubeObject>(kind: KindRef, name: string, accept: (obj: T | undefined) => boolean, timeoutMs: number): Promise<T | undefined> {
    const now = this.get<T>(kind, name);
    if (accept(now)) return Promise.resolve(now);
    return new Promise((resolve) => {
      let settled = false;
      const subscription: { remove?: () => void } = {};
      const finish = (obj: T | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        subscription.remove?.();
        resolve(obj);
      };
      const check = (): void => {
        const obj = this.get<T>(kind, name);
        if (accept(obj)) finish(obj);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      // addHandler replays the cache synchronously, so `finish` may already have run.
      subscription.remove = this.cache.getInformer(kind).addHandler({ onAdd: check, onUpdate: check, onDelete: check });
      if (settled) subscription.remove();
    });
  }

  /** Calls `listener` for every change of `kind` after now; returns the unsubscribe function. */
  subscribe(kind: KindRef, listener: (change: ObjectChange) => void): () => void {
    const handler: InformerHandler = {
      onAdd: (object, initial) => { if (!initial) listener({ type: 'ADDED', object }); },
      onUpdate: (_old, object) => listener({ type: 'MODIFIED', object }),
      onDelete: (object) => listener({ type: 'DELETED', object }),
    };
    return this.cache.getInformer(kind).addHandler(handler);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }
}
