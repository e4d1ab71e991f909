/**
 * The object store of the embedded control plane: every object by resource and key, one global
 * revision counter (resourceVersions are increasing decimals, as etcd's are), a bounded history of
 * change events for watches, and the durable log. It knows nothing of API semantics: the verbs
 * (../verbs) decide what to write; the store versions, persists and announces each write.
 *
 * Objects held here are never mutated after they are stored; readers that change an object copy it.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { LogFiles } from './files.ts';
import { WriteAheadLog } from './wal.ts';

/** The kind of change a watch event announces. */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change. `object` is the new state, or the last state for DELETED. */
export interface ChangeEvent {
  type: ChangeType;
  resource: string;
  key: string;
  rv: number;
  object: KubeObject;
  previous?: KubeObject;
}

/** Thrown by a compare-and-swap write whose expected revision is no longer current. */
export class RevisionMismatch extends Error {
  readonly current: KubeObject | undefined;
  constructor(current: KubeObject | undefined) {
    super('revision mismatch');
    this.current = current;
  }
}

/** Options of the store. */
export interface StoreOptions {
  /** Data folder; absent keeps everything in memory. */
  dataDir?: string;
  /** fdatasync before a write counts as durable (default true; see ./wal.ts). */
  fsync?: boolean;
  /** The file system under the log (tests substitute one that can lose power). */
  files?: LogFiles;
  /** Fold the log into a snapshot after this many records. */
  compactAfter?: number;
  /** How many change events watches can resume from before answering 410 Expired. */
  historySize?: number;
}

type Listener = (event: ChangeEvent) => void;

/** Key of an object inside its resource: `namespace/name`, or `/name` when cluster-scoped. */
export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** The in-memory, durable, versioned object store. */
export class Store {
  private revision = 0;
  private readonly byResource = new Map<string, Map<string, KubeObject>>();
  private readonly history: ChangeEvent[] = [];
  private readonly historySize: number;
  private readonly listeners = new Set<Listener>();
  private readonly wal: WriteAheadLog | undefined;
  private compactedRevision = 0;

  constructor(opts: StoreOptions = {}) {
    this.historySize = opts.historySize ?? 20_000;
    if (opts.dataDir) {
      this.wal = new WriteAheadLog({ dir: opts.dataDir, sync: opts.fsync, files: opts.files, compactAfter: opts.compactAfter });
      this.restore();
    }
  }

  /** Bytes of a torn log tail cut off when the data folder was opened (a crash mid-write). */
  tornBytesAtStart = 0;

  private restore(): void {
    const state = this.wal!.recover();
    this.tornBytesAtStart = state.tornBytes;
    for (const [fullKey, obj] of state.objects) {
      const slash = fullKey.indexOf('|');
      this.bucket(fullKey.slice(0, slash)).set(fullKey.slice(slash + 1), obj);
    }
    this.revision = state.revision;
    this.compactedRevision = state.revision;
  }

  /**
   * Resolves once every write made so far is on disk (at once for an in-memory store). The HTTP
   * layer awaits it before acknowledging a write; the writes of the simulated cluster share the
   * same group commits without waiting.
   */
  durable(): Promise<void> {
    return this.wal ? this.wal.durable() : Promise.resolve();
  }

  /** The current global revision (the resourceVersion of the last write). */
  currentRevision(): number {
    return this.revision;
  }

  /** The oldest revision a watch may start from without 410. */
  oldestWatchableRevision(): number {
    return this.history.length ? this.history[0].rv - 1 : this.compactedRevision > 0 ? this.revision : 0;
  }

  private bucket(resource: string): Map<string, KubeObject> {
    let b = this.byResource.get(resource);
    if (!b) this.byResource.set(resource, (b = new Map()));
    return b;
  }

  get(resource: string, key: string): KubeObject | undefined {
    return this.byResource.get(resource)?.get(key);
  }

  /** All objects of a resource, optionally of one namespace, sorted by key (as etcd ranges are). */
  list(resource: string, namespace?: string): KubeObject[] {
    const b = this.byResource.get(resource);
    if (!b) return [];
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    const out: [string, KubeObject][] = [];
    for (const [k, o] of b) if (!prefix || k.startsWith(prefix)) out.push([k, o]);
    out.sort((a, b2) => (a[0] < b2[0] ? -1 : a[0] > b2[0] ? 1 : 0));
    return out.map((e) => e[1]);
  }

  /** Number of objects of a resource. */
  count(resource: string): number {
    return this.byResource.get(resource)?.size ?? 0;
  }

  /** Every resource name that holds objects. */
  resources(): string[] {
    return [...this.byResource.keys()];
  }

  /**
   * Writes `object` under `key`. With `expectRv` the write happens only if the stored object still
   * has that resourceVersion (0 means "must not exist"); otherwise RevisionMismatch is thrown.
   * Returns the stored object with its new resourceVersion.
   */
  put(resource: string, key: string, object: KubeObject, expectRv?: number): KubeObject {
    const previous = this.get(resource, key);
    if (expectRv !== undefined && revisionOf(previous) !== expectRv) throw new RevisionMismatch(previous);
    const rv = this.revision + 1;
    const stored: KubeObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    this.wal?.append({ rv, op: 'put', key: `${resource}|${key}`, object: stored });
    this.revision = rv;
    this.bucket(resource).set(key, stored);
    this.emit({ type: previous ? 'MODIFIED' : 'ADDED', resource, key, rv, object: stored, previous });
    return stored;
  }

  /** Removes the object under `key` (compare-and-swap with `expectRv` as for put). */
  delete(resource: string, key: string, expectRv?: number): KubeObject | undefined {
    const previous = this.get(resource, key);
    if (!previous) return undefined;
    if (expectRv !== undefined && revisionOf(previous) !== expectRv) throw new RevisionMismatch(previous);
    const rv = this.revision + 1;
    this.wal?.append({ rv, op: 'delete', key: `${resource}|${key}` });
    this.revision = rv;
    this.byResource.get(resource)!.delete(key);
    // A DELETED event carries the object's last state at the revision of the deletion.
    const last: KubeObject = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } };
    this.emit({ type: 'DELETED', resource, key, rv, object: last, previous });
    return last;
  }

  private emit(event: ChangeEvent): void {
    this.history.push(event);
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    if (this.wal?.wantsCompaction()) this.compact();
    for (const l of this.listeners) l(event);
  }

  private compact(): void {
    const all = new Map<string, KubeObject>();
    for (const [resource, b] of this.byResource) for (const [k, o] of b) all.set(`${resource}|${k}`, o);
    this.wal!.compact(all, this.revision);
  }

  /**
   * Change events after `rv` (for a watch resuming at rv), or undefined when history no longer
   * reaches back that far (the watch must answer 410 Expired).
   */
  eventsSince(rv: number): ChangeEvent[] | undefined {
    if (rv >= this.revision) return [];
    if (rv < this.oldestWatchableRevision()) return undefined;
    const start = this.history.findIndex((e) => e.rv > rv);
    return start < 0 ? [] : this.history.slice(start);
  }

  /** Subscribes to every committed change, in commit order. Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops the change history up to now, so older resourceVersions answer 410 (fault injection). */
  compactHistory(): void {
    this.history.length = 0;
    this.compactedRevision = this.revision;
  }

  close(): void {
    this.wal?.close();
  }
}

/** The numeric resourceVersion of a stored object, 0 when absent. */
export function revisionOf(obj: KubeObject | undefined): number {
  return obj ? Number(obj.metadata.resourceVersion ?? 0) : 0;
}
