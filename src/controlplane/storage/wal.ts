/**
 * Durable storage for the embedded control plane: an append-only log of committed writes plus a
 * snapshot, in the data folder. Every write is appended with a synchronous write(2) before the
 * request is acknowledged, so an acknowledged object survives SIGKILL (the kernel keeps the page
 * cache); `fsync: true` also survives power loss at the cost of latency. The log is folded into a
 * new snapshot when it grows, through a temporary file and rename so a crash never leaves a torn one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../../apimachinery/object.ts';

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
}

/** Options of the write-ahead log. */
export interface WriteAheadLogOptions {
  dir: string;
  fsync?: boolean;
  /** Fold the log into the snapshot after this many records. */
  compactAfter?: number;
}

const SNAPSHOT = 'snapshot.json';
const LOG = 'wal.log';

/** The durable log of one data folder. */
export class WriteAheadLog {
  private fd: number;
  private records = 0;
  private readonly dir: string;
  private readonly fsync: boolean;
  private readonly compactAfter: number;

  constructor(opts: WriteAheadLogOptions) {
    this.dir = opts.dir;
    this.fsync = opts.fsync ?? false;
    this.compactAfter = opts.compactAfter ?? 20_000;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.fd = fs.openSync(path.join(this.dir, LOG), 'a', 0o600);
  }

  /** Reads the snapshot and replays the log. A torn last line (a crash mid-append) is ignored. */
  recover(): RecoveredState {
    const objects = new Map<string, KubeObject>();
    let revision = 0;
    const snapshotPath = path.join(this.dir, SNAPSHOT);
    if (fs.existsSync(snapshotPath)) {
      const snap = JSON.parse(fs.readFileSync(snapshotPath, 'utf8')) as { revision: number; objects: [string, KubeObject][] };
      for (const [k, o] of snap.objects) objects.set(k, o);
      revision = snap.revision;
    }
    const text = fs.readFileSync(path.join(this.dir, LOG), 'utf8');
    for (const line of text.split('\n')) {
      const rec = parseRecord(line);
      if (!rec || rec.rv <= revision) continue;
      if (rec.op === 'put' && rec.object) objects.set(rec.key, rec.object);
      else objects.delete(rec.key);
      revision = rec.rv;
      this.records++;
    }
    return { objects, revision };
  }

  /** Appends one committed write; returns once the bytes are in the kernel (and on disk with fsync). */
  append(rec: LogRecord): void {
    fs.writeSync(this.fd, JSON.stringify(rec) + '\n');
    if (this.fsync) fs.fdatasyncSync(this.fd);
    this.records++;
  }

  /** True when the log is long enough that the caller should compact. */
  wantsCompaction(): boolean {
    return this.records >= this.compactAfter;
  }

  /** Writes a snapshot of `objects` at `revision` and starts a new, empty log. */
  compact(objects: Map<string, KubeObject>, revision: number): void {
    const tmp = path.join(this.dir, `${SNAPSHOT}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify({ revision, objects: [...objects.entries()] }), { mode: 0o600 });
    const fd = fs.openSync(tmp, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, path.join(this.dir, SNAPSHOT));
    fs.closeSync(this.fd);
    fs.writeFileSync(path.join(this.dir, LOG), '', { mode: 0o600 });
    this.fd = fs.openSync(path.join(this.dir, LOG), 'a', 0o600);
    this.records = 0;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function parseRecord(line: string): LogRecord | undefined {
  if (!line.trim()) return undefined;
  try {
    return JSON.parse(line) as LogRecord;
  } catch {
    return undefined; // a torn final line from a crash mid-append
  }
}
