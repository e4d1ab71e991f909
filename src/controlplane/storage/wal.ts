/**
 * Durable storage for the embedded control plane: an append-only log of committed writes plus a
 * snapshot, in the data folder.
 *
 * Durable by default, as etcd is: the store appends each write's record with write(2) before it
 * applies the write, and the HTTP layer acknowledges a write only once {@link WriteAheadLog.durable}
 * says its record is on disk (fdatasync). Syncs are group commits: every write that arrives while a
 * sync is in flight shares the next one, so throughput holds under concurrency while each
 * acknowledged write is still preceded by a sync. `sync: false` (the `--no-sync` flag) skips the
 * data syncs for throwaway clusters: records then survive SIGKILL (the kernel keeps them) but not a
 * power cut.
 *
 * Each record is a line `<crc32 as 8 hex digits> <JSON>`. A crash can leave the last records torn;
 * recovery stops at the first record whose checksum or JSON does not hold, never parses past it,
 * and cuts the file there (a record after a torn one was never acknowledged: it was not synced).
 * Lines without a checksum, written by earlier versions, are still read.
 *
 * The log is folded into a new snapshot when it grows: written to a temporary file, synced,
 * renamed over the old one and the folder synced, so a crash leaves either snapshot whole.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import type { KubeObject } from '../../apimachinery/object.ts';
import { nodeFiles, type LogFiles } from './files.ts';

/** One record of the log: a put (create or update) or a delete of the object under `key`. */
export interface LogRecord {
  rv: number;
  op: 'put' | 'delete';
  key: string;
  object?: KubeObject;
}

/** What a data folder holds when opened: the objects by key and the last revision. */
export interface RecoveredState {
  objects: Map<string, KubeObject>;
  revision: number;
  /** Bytes cut from the end of the log: a torn tail left by a crash (0 after a clean stop). */
  tornBytes: number;
}

/** Options of the write-ahead log. */
export interface WriteAheadLogOptions {
  dir: string;
  /** fdatasync before a write counts as durable (default true). */
  sync?: boolean;
  /** Fold the log into the snapshot after this many records. */
  compactAfter?: number;
  /** The file system (tests substitute one that can lose power). */
  files?: LogFiles;
}

const SNAPSHOT = 'snapshot.json';
const LOG = 'wal.log';
const NEWLINE = 0x0a;

/** The durable log of one data folder. */
export class WriteAheadLog {
  #fd: number | undefined;
  #records = 0;
  /** Records appended and records known to be on disk, counted since the log was opened. */
  #appended = 0;
  #synced = 0;
  #syncing: Promise<void> | undefined;
  /** Bumped when compaction replaces the log file (a sync of the old descriptor may then fail harmlessly). */
  #generation = 0;
  readonly #dir: string;
  readonly #sync: boolean;
  readonly #compactAfter: number;
  readonly #files: LogFiles;

  constructor(opts: WriteAheadLogOptions) {
    this.#dir = opts.dir;
    this.#sync = opts.sync ?? true;
    this.#compactAfter = opts.compactAfter ?? 20_000;
    this.#files = opts.files ?? nodeFiles;
    this.#files.mkdirp(this.#dir);
  }

  get #logPath(): string {
    return path.join(this.#dir, LOG);
  }

  /** Reads the snapshot and replays the log up to its first torn record, which is cut off. */
  recover(): RecoveredState {
    const objects = new Map<string, KubeObject>();
    let revision = 0;
    const snapshot = this.#files.read(path.join(this.#dir, SNAPSHOT));
    if (snapshot) {
      const snap = JSON.parse(snapshot.toString('utf8')) as { revision: number; objects: [string, KubeObject][] };
      for (const [k, o] of snap.objects) objects.set(k, o);
      revision = snap.revision;
    }
    const log = this.#files.read(this.#logPath) ?? this.#createLog();
    let offset = 0;
    while (offset < log.length) {
      const end = log.indexOf(NEWLINE, offset);
      const rec = end < 0 ? undefined : decodeRecord(log.subarray(offset, end));
      if (!rec) break;
      offset = end + 1;
      this.#records++;
      if (rec.rv <= revision) continue;
      if (rec.op === 'put' && rec.object) objects.set(rec.key, rec.object);
      else objects.delete(rec.key);
      revision = rec.rv;
    }
    const tornBytes = log.length - offset;
    if (tornBytes > 0) this.#files.truncate(this.#logPath, offset);
    this.#open();
    return { objects, revision, tornBytes };
  }

  /** A new, empty log whose folder entry is on disk, so a power cut cannot lose the file itself. */
  #createLog(): Buffer {
    this.#files.writeSynced(this.#logPath, Buffer.alloc(0));
    this.#files.syncDir(this.#dir);
    return Buffer.alloc(0);
  }

  #open(): number {
    this.#fd ??= this.#files.openAppend(this.#logPath);
    return this.#fd;
  }

  /** Appends one committed write (in the kernel when this returns; on disk once {@link durable} resolves). */
  append(rec: LogRecord): void {
    this.#files.append(this.#open(), encodeRecord(rec));
    this.#appended++;
    this.#records++;
  }

  /**
   * Resolves once every record appended so far is on disk (at once when syncing is off). Callers
   * that arrive while a sync is in flight wait for it and then share the next one.
   */
  async durable(): Promise<void> {
    if (!this.#sync) return;
    const target = this.#appended;
    while (this.#synced < target) {
      this.#syncing ??= this.#syncOnce();
      await this.#syncing;
    }
  }

  async #syncOnce(): Promise<void> {
    const covers = this.#appended;
    const generation = this.#generation;
    try {
      await this.#files.datasync(this.#open());
      this.#synced = Math.max(this.#synced, covers);
    } catch (err) {
      // A compaction meanwhile synced everything into the snapshot and closed this descriptor.
      if (generation === this.#generation) throw err;
    } finally {
      this.#syncing = undefined;
    }
  }

  /** True when the log is long enough that the caller should compact. */
  wantsCompaction(): boolean {
    return this.#records >= this.#compactAfter;
  }

  /** Writes a snapshot of `objects` at `revision` (synced, renamed into place) and starts a new, empty log. */
  compact(objects: Map<string, KubeObject>, revision: number): void {
    const tmp = path.join(this.#dir, `${SNAPSHOT}.tmp`);
    this.#files.writeSynced(tmp, Buffer.from(JSON.stringify({ revision, objects: [...objects.entries()] })));
    this.#files.rename(tmp, path.join(this.#dir, SNAPSHOT));
    this.#files.syncDir(this.#dir);
    // The snapshot now holds every record: the log starts again empty (same file, so no folder change).
    if (this.#fd !== undefined) this.#files.close(this.#fd);
    this.#fd = undefined;
    this.#files.writeSynced(this.#logPath, Buffer.alloc(0));
    this.#generation++;
    this.#synced = this.#appended;
    this.#records = 0;
  }

  close(): void {
    if (this.#fd !== undefined) this.#files.close(this.#fd);
    this.#fd = undefined;
  }
}

/** `<crc32 hex> <json>\n`. */
export function encodeRecord(rec: LogRecord): Buffer {
  const json = Buffer.from(JSON.stringify(rec));
  return Buffer.concat([Buffer.from(`${zlib.crc32(json).toString(16).padStart(8, '0')} `), json, Buffer.from('\n')]);
}

/** The record of one line (without its newline), or undefined when it is torn or corrupt. */
export function decodeRecord(line: Buffer): LogRecord | undefined {
  if (line.length === 0) return undefined;
  let json = line;
  if (line[0] !== 0x7b /* '{': a record of an earlier version, without checksum */) {
    if (line.length < 10 || line[8] !== 0x20) return undefined;
    json = line.subarray(9);
    if (zlib.crc32(json).toString(16).padStart(8, '0') !== line.subarray(0, 8).toString('latin1')) return undefined;
  }
  try {
    const rec = JSON.parse(json.toString('utf8')) as LogRecord;
    return typeof rec.rv === 'number' && typeof rec.key === 'string' ? rec : undefined;
  } catch {
    return undefined;
  }
}
