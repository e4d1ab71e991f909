/**
 * KubeClient: the one Kubernetes client of the codebase. Generic REST (group/version/plural
 * from the {@link ResourceTable}) so custom resources work like built-ins; plain JSON objects;
 * every write names its field manager; every failure is an {@link KubeApiError}.
 */
import type { KubeObject } from '../apimachinery/object.ts';
import { KubeApiError } from './api-error.ts';
import { HttpsTransport } from './internal/https-transport.ts';
import type { HttpRequest, Transport } from './internal/transport.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { patchRequest, type Patch } from './patch.ts';
import { ResourceTable, resourcePath, type KindRef, type ResourceType } from './resources.ts';
import { toRestConfig, type KubeConfigLike } from './rest-config-loader.ts';
import type { RestConfig } from './rest-config.ts';

export { ignoreAlreadyExists, ignoreNotFound, isAlreadyExists, isConflict, isNotFound, toApiError, KubeApiError } from './api-error.ts';

/** Names one object of a kind. `namespace` is ignored for cluster-scoped kinds. */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

/** Anything that says which object it is: a KubeObject, or just kind and metadata. */
export interface ObjectRef extends KindRef {
  metadata: { name?: string; namespace?: string };
}

/** Options of list(). Without `namespace` a namespaced kind is listed across all namespaces. */
export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

/** A list response. */
export interface ObjectList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** Options of writes. */
export interface WriteOptions {
  dryRun?: boolean;
  signal?: AbortSignal;
}

/** Options of delete(). */
export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** Options of reads. */
export interface ReadOptions {
  signal?: AbortSignal;
}

/** Reads objects. */
export interface ObjectReader {
  get<T extends KubeObject = KubeObject>(kind: KindRef, key: ObjectKey, opts?: ReadOptions): Promise<T>;
  list<T extends KubeObject = KubeObject>(kind: KindRef, opts?: ListOptions): Promise<ObjectList<T>>;
}

/** Creates, changes and deletes objects. */
export interface ObjectWriter {
  create<T extends KubeObject>(obj: T, opts?: WriteOptions): Promise<T>;
  update<T extends KubeObject>(obj: T, opts?: WriteOptions): Promise<T>;
  patch<T extends KubeObject = KubeObject>(target: ObjectRef, patch: Patch, opts?: WriteOptions): Promise<T>;
  delete(target: ObjectRef, opts?: DeleteOptions): Promise<void>;
}

/** Writes the status subresource. */
export interface StatusWriter {
  updateStatus<T extends KubeObject>(obj: T, opts?: WriteOptions): Promise<T>;
  patchStatus<T extends KubeObject = KubeObject>(target: ObjectRef, patch: Patch, opts?: WriteOptions): Promise<T>;
}

/** Where to connect: a RestConfig, or a client-node KubeConfig object (tests and the API hold those). */
export type ClusterConfig = RestConfig | KubeConfigLike;

/** Options of watch(). */
export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

/** Receives one watch's events until it ends (once). */
export interface WatchCallbacks {
  /** `type` is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR (the object is then a Status). */
  onEvent(type: string, object: any): void;
  /** The watch ended: `undefined` on a clean close, the error otherwise. Not called after abort(). */
  onDone(err?: unknown): void;
}

/** A running watch. */
export interface WatchHandle {
  abort(): void;
}

/** Options of {@link KubeClient}. */
export interface KubeClientOptions {
  /** Where to connect; ignored when `transport` is given. Clients given the same object share one connection pool. */
  kubeConfig?: ClusterConfig;
  transport?: Transport;
  /** The field manager named on every write (server-side apply ownership, managedFields). */
  fieldManager: string;
  resources?: ResourceTable;
  metrics?: RuntimeMetrics;
  userAgent?: string;
}

/** Request counts, for benchmarks (reads = GET, writes = POST/PUT/PATCH/DELETE). */
export interface RequestStats {
  reads: number;
  writes: number;
  byMethod: Record<string, number>;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The Kubernetes client wrapper: {@link ObjectReader} + {@link ObjectWriter} + {@link StatusWriter}. */
export class KubeClient implements ObjectReader, ObjectWriter, StatusWriter {
  readonly fieldManager: string;
  readonly resources: ResourceTable;
  readonly #transport: Transport;
  readonly #userAgent: string;
  readonly #metrics: RuntimeMetrics | undefined;
  readonly #stats: RequestStats = { reads: 0, writes: 0, byMethod: {} };

  constructor(opts: KubeClientOptions) {
    if (!opts.fieldManager) throw new Error('KubeClient needs a fieldManager');
    this.fieldManager = opts.fieldManager;
    this.resources = opts.resources ?? new ResourceTable();
    this.#metrics = opts.metrics;
    this.#userAgent = opts.userAgent ?? `streamspace/${opts.fieldManager}`;
    if (opts.transport) this.#transport = opts.transport;
    else if (opts.kubeConfig) this.#transport = sharedTransport(opts.kubeConfig);
    else throw new Error('KubeClient needs a kubeConfig or a transport');
  }

  /** The transport this client sends through (shared with the informers' watches). */
  get transport(): Transport {
    return this.#transport;
  }

  /** The resource type (path information) of a kind. */
  resourceOf(kind: KindRef): ResourceType {
    return this.resources.resolve(kind);
  }

  async get<T extends KubeObject = KubeObject>(kind: KindRef, key: ObjectKey, opts: ReadOptions = {}): Promise<T> {
    return this.#json<T>({ method: 'GET', path: resourcePath(this.resourceOf(kind), key.namespace, key.name), signal: opts.signal });
  }

  async list<T extends KubeObject = KubeObject>(kind: KindRef, opts: ListOptions = {}): Promise<ObjectList<T>> {
    const { namespace, ...query } = opts;
    return this.#json<ObjectList<T>>({ method: 'GET', path: resourcePath(this.resourceOf(kind), namespace), query: { ...query } });
  }

  async create<T extends KubeObject>(obj: T, opts: WriteOptions = {}): Promise<T> {
    const path = resourcePath(this.resourceOf(obj), obj.metadata.namespace);
    return this.#json<T>({ method: 'POST', path, body: obj, query: this.#writeQuery(opts), signal: opts.signal });
  }

  async update<T extends KubeObject>(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#put(obj, undefined, opts);
  }

  async updateStatus<T extends KubeObject>(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.#put(obj, 'status', opts);
  }

  async patch<T extends KubeObject = KubeObject>(target: ObjectRef, patch: Patch, opts: WriteOptions = {}): Promise<T> {
    return this.#patch<T>(target, patch, undefined, opts);
  }

  async patchStatus<T extends KubeObject = KubeObject>(target: ObjectRef, patch: Patch, opts: WriteOptions = {}): Promise<T> {
    return this.#patch<T>(target, patch, 'status', opts);
  }

  /** Server-side apply of `obj` under this client's field manager. */
  async apply<T extends KubeObject>(obj: T, opts: WriteOptions & { force?: boolean } = {}): Promise<T> {
    return this.patch<T>(obj, { type: 'apply', body: obj, force: opts.force }, opts);
  }

  async delete(target: ObjectRef, opts: DeleteOptions = {}): Promise<void> {
    const path = resourcePath(this.resourceOf(target), target.metadata.namespace, requireName(target));
    const hasBody = opts.propagationPolicy !== undefined || opts.gracePeriodSeconds !== undefined || opts.preconditions !== undefined;
    const body = hasBody ? { apiVersion: 'v1', kind: 'DeleteOptions', ...opts } : undefined;
    await this.#send({ method: 'DELETE', path, body });
  }

  /**
   * Creates through a subresource of `target` (`pods/eviction`, `serviceaccounts/token`) and
   * returns the answer. controller-runtime's SubResource(name).Create.
   */
  async createSubresource<T = unknown>(target: ObjectRef, subresource: string, body: unknown, opts: WriteOptions = {}): Promise<T> {
    const path = resourcePath(this.resourceOf(target), target.metadata.namespace, requireName(target), subresource);
    return this.#json<T>({ method: 'POST', path, body, query: this.#writeQuery(opts), signal: opts.signal });
  }

  /** Reads a subresource as text (`pods/log`). */
  async getSubresourceText(target: ObjectRef, subresource: string, query: HttpRequest['query'] = {}, opts: ReadOptions = {}): Promise<string> {
    const path = resourcePath(this.resourceOf(target), target.metadata.namespace, requireName(target), subresource);
    return (await this.#send({ method: 'GET', path, query, signal: opts.signal })).text;
  }

  /**
   * Watches a kind from `resourceVersion`. Resolves once the server accepted the watch (rejects
   * with an KubeApiError, e.g. 410 Expired, when it did not); events then arrive one by one.
   */
  async watch(kind: KindRef, opts: WatchOptions, callbacks: WatchCallbacks): Promise<WatchHandle> {
    const { namespace, ...rest } = opts;
    const path = resourcePath(this.resourceOf(kind), namespace);
    this.#count('GET');
    const onLine = (line: string): void => {
      let event: { type?: string; object?: unknown };
      try {
        event = JSON.parse(line);
      } catch {
        callbacks.onDone(new Error(`watch ${path}: undecodable event ${line.slice(0, 100)}`));
        res.abort();
        return;
      }
      callbacks.onEvent(event.type ?? '', event.object);
    };
    const res = await this.#transport.stream(
      { method: 'GET', path, query: { ...rest, watch: true }, userAgent: this.#userAgent },
      { onLine, onEnd: (err) => callbacks.onDone(err) },
    );
    if (res.status < 200 || res.status > 299) throw new KubeApiError(res.status, res.text, res.headers);
    return { abort: () => res.abort() };
  }

  /** A snapshot of how many requests this client has sent. */
  requestStats(): RequestStats {
    return { ...this.#stats, byMethod: { ...this.#stats.byMethod } };
  }

  async #put<T extends KubeObject>(obj: T, subresource: string | undefined, opts: WriteOptions): Promise<T> {
    const path = resourcePath(this.resourceOf(obj), obj.metadata.namespace, requireName(obj), subresource);
    return this.#json<T>({ method: 'PUT', path, body: obj, query: this.#writeQuery(opts), signal: opts.signal });
  }

  async #patch<T extends KubeObject>(target: ObjectRef, patch: Patch, subresource: string | undefined, opts: WriteOptions): Promise<T> {
    const path = resourcePath(this.resourceOf(target), target.metadata.namespace, requireName(target), subresource);
    const { body, contentType, force } = patchRequest(patch);
    const query = { ...this.#writeQuery(opts), force: force ? true : undefined };
    return this.#json<T>({ method: 'PATCH', path, body, contentType, query, signal: opts.signal });
  }

  #writeQuery(opts: WriteOptions): Record<string, string | undefined> {
    return { fieldManager: this.fieldManager, dryRun: opts.dryRun ? 'All' : undefined };
  }

  async #json<T>(req: HttpRequest): Promise<T> {
    return JSON.parse((await this.#send(req)).text) as T;
  }

  async #send(req: HttpRequest): Promise<{ text: string }> {
    this.#count(req.method);
    const host = this.#transport.host;
    const started = performance.now();
    let code = '<error>';
    try {
      const res = await this.#transport.send({ ...req, userAgent: this.#userAgent });
      code = String(res.status);
      if (res.status < 200 || res.status > 299) throw new KubeApiError(res.status, res.text, res.headers);
      return res;
    } finally {
      this.#metrics?.restClientRequests.inc({ code, method: req.method, host });
      this.#metrics?.restClientDuration.observe({ verb: req.method, host }, (performance.now() - started) / 1000);
    }
  }

  #count(method: string): void {
    this.#stats.byMethod[method] = (this.#stats.byMethod[method] ?? 0) + 1;
    if (WRITE_METHODS.has(method)) this.#stats.writes++;
    else this.#stats.reads++;
  }
}

/** One transport (one connection pool) per configuration object, shared by every client built from it. */
const transports = new WeakMap<object, Transport>();

function sharedTransport(config: ClusterConfig): Transport {
  let transport = transports.get(config);
  if (!transport) {
    transport = new HttpsTransport(toRestConfig(config));
    transports.set(config, transport);
  }
  return transport;
}

function requireName(ref: ObjectRef): string {
  if (!ref.metadata.name) throw new Error(`${ref.kind} without metadata.name`);
  return ref.metadata.name;
}
