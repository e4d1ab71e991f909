/**
 * FreshClient: reads from the informer cache, overlaid with the controller's own recent writes.
 *
 * The cache learns of a write only when its watch event arrives, a few milliseconds (or, under
 * load, much longer) after the write returned. A reconcile that runs in between would see the
 * world as it was before its own previous write and write again: create a child twice (a 409
 * that still costs a request), or rewrite a status. Every write made through this client is
 * remembered with the object the server returned, and reads return that object until the cache
 * has caught up with it, then the cache's view. "Caught up" means the informer has delivered an
 * event at or after the write's resourceVersion (tracked per kind by {@link FreshClient.track}), so
 * a later change by someone else, including a deletion, is seen as soon as the cache has it.
 * Deletions are remembered the same way, so a child already deleted is not deleted again.
 */
import { deepCopy, type KubeObject } from '../apimachinery/object.ts';
import type { InformerCache, CacheListOptions } from '../runtime/cache.ts';
import { ignoreNotFound, type DeleteOptions, type KubeClient, type ObjectKey, type ObjectRef } from '../runtime/client.ts';
import type { Clock } from '../runtime/clock.ts';
import { applyPatch, type Patch } from '../runtime/patch.ts';
import { kindKey, type KindRef } from '../runtime/resources.ts';

/** Options of {@link FreshClient}. */
export interface FreshClientOptions {
  client: KubeClient;
  cache: InformerCache;
  clock: Clock;
  /** How long a remembered write may outlive the cache's silence (default 60 s). */
  rememberMs?: number;
}

interface Remembered {
  kind: KindRef;
  /** The object as the server returned it; undefined once deleted. */
  object: KubeObject | undefined;
  /** resourceVersion of the write (of the deleted object, for a deletion). */
  resourceVersion: string;
  at: number;
}

/** Orders two resourceVersions when both are integers (etcd revisions); undefined when they cannot be ordered. */
function compareVersions(a: string, b: string): number | undefined {
  if (a === b) return 0;
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return undefined;
  return BigInt(a) < BigInt(b) ? -1 : 1;
}

const SWEEP_THRESHOLD = 512;

/** See the module comment. */
export class FreshClient {
  readonly #o: FreshClientOptions;
  readonly #remembered = new Map<string, Remembered>();
  /** Per kind, the highest resourceVersion its informer has delivered. */
  readonly #delivered = new Map<string, bigint>();

  constructor(opts: FreshClientOptions) {
    this.#o = opts;
  }

  /** Follows the informer of `kind`, so reads know when it has caught up with a write. */
  track(kind: KindRef): void {
    const key = kindKey(kind);
    const see = (obj: KubeObject): void => {
      const rv = obj.metadata.resourceVersion ?? '';
      if (!/^\d+$/.test(rv)) return;
      const version = BigInt(rv);
      if (version > (this.#delivered.get(key) ?? -1n)) this.#delivered.set(key, version);
    };
    this.#o.cache.getInformer(kind).addHandler({ onAdd: see, onUpdate: (_old, obj) => see(obj), onDelete: see });
  }

  /** The freshest known version of an object, undefined when it does not exist (as far as we know). */
  get<T extends KubeObject>(kind: KindRef, key: ObjectKey): T | undefined {
    const id = this.#id(kind, key.namespace, key.name);
    const cached = this.#o.cache.get<T>(kind, key);
    const mine = this.#remembered.get(id);
    if (!mine) return cached;
    if (this.#cacheCaughtUp(mine, cached)) {
      this.#remembered.delete(id);
      return cached;
    }
    return mine.object ? (deepCopy(mine.object) as T) : undefined;
  }

  /** Objects of `kind` from the cache (for kinds this controller does not write). */
  list<T extends KubeObject>(kind: KindRef, filter: CacheListOptions = {}): T[] {
    return this.#o.cache.list<T>(kind, filter);
  }

  /** Creates `obj`. */
  async create<T extends KubeObject>(obj: T): Promise<T> {
    return this.#remember(await this.#o.client.create(obj));
  }

  /** Server-side applies `obj` with this controller's field manager, taking over conflicting fields. */
  async apply<T extends KubeObject>(obj: T): Promise<T> {
    return this.#remember(await this.#o.client.patch<T>(obj, applyPatch(obj, { force: true })));
  }

  /** Patches an object. */
  async patch<T extends KubeObject>(target: ObjectRef, patch: Patch): Promise<T> {
    return this.#remember(await this.#o.client.patch<T>(target, patch));
  }

  /** Patches an object's status subresource. */
  async patchStatus<T extends KubeObject>(target: ObjectRef, patch: Patch): Promise<T> {
    return this.#remember(await this.#o.client.patchStatus<T>(target, patch));
  }

  /** Deletes `obj` (the version observed), tolerating that it is already gone. */
  async delete(obj: KubeObject, opts: DeleteOptions = {}): Promise<void> {
    await this.#o.client.delete(obj, opts).catch(ignoreNotFound);
    const { namespace, name, resourceVersion = '' } = obj.metadata;
    const entry = { kind: { apiVersion: obj.apiVersion, kind: obj.kind }, object: undefined, resourceVersion, at: this.#o.clock.now() };
    this.#remembered.set(this.#id(obj, namespace, name), entry);
  }

  #cacheCaughtUp(mine: Remembered, cached: KubeObject | undefined): boolean {
    if (this.#o.clock.now() - mine.at > (this.#o.rememberMs ?? 60_000)) return true;
    const order = cached ? compareVersions(cached.metadata.resourceVersion ?? '', mine.resourceVersion) : undefined;
    // A deletion is confirmed by the object's absence; a newer version means someone re-created it.
    if (mine.object === undefined) return !cached || (order !== undefined && order > 0);
    if (order !== undefined && order >= 0) return true;
    const delivered = this.#delivered.get(kindKey(mine.kind));
    return delivered !== undefined && /^\d+$/.test(mine.resourceVersion) && delivered >= BigInt(mine.resourceVersion);
  }

  #remember<T extends KubeObject>(written: T): T {
    const { namespace, name, resourceVersion = '' } = written.metadata;
    const entry = { kind: { apiVersion: written.apiVersion, kind: written.kind }, object: deepCopy(written), resourceVersion, at: this.#o.clock.now() };
    this.#remembered.set(this.#id(written, namespace, name), entry);
    if (this.#remembered.size > SWEEP_THRESHOLD) this.#sweep();
    return written;
  }

  /** Forgets every write the cache has caught up with. */
  #sweep(): void {
    for (const [id, mine] of this.#remembered) {
      const [, namespace, name] = JSON.parse(id) as [string, string, string];
      if (this.#cacheCaughtUp(mine, this.#o.cache.get(mine.kind, { namespace, name }))) this.#remembered.delete(id);
    }
  }

  #id(kind: KindRef, namespace: string | undefined, name: string | undefined): string {
    return JSON.stringify([kindKey(kind), namespace ?? '', name ?? '']);
  }
}
