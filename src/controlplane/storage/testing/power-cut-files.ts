/**
 * Test support: a file system for the durable log that can lose power. It keeps, per file, the
 * bytes written and the bytes synced, and per folder the entries created and the entries synced.
 * {@link PowerCutFiles.imageAtCut} returns what a disk would hold after a power cut at this instant:
 * only synced folder entries, each file's synced bytes plus (to tear the last record) a chosen
 * prefix of its unsynced tail. Written by hand: no library models fsync semantics.
 */
import path from 'node:path';
import type { LogFiles } from '../files.ts';

interface Inode {
  data: Buffer;
  synced: Buffer;
}

interface Folder {
  live: Map<string, Inode>;
  durable: Map<string, Inode>;
}

/** How many unsynced bytes of a file survive a cut (given their count). */
export type Tear = (unsyncedBytes: number) => number;

/** A pending fdatasync: its inode's bytes at the call, and how to finish it. */
interface PendingSync {
  inode: Inode;
  bytes: Buffer;
  resolve: () => void;
}

/**
 * See the module comment. Syncs of data complete only when the test calls {@link completeSyncs},
 * unless `autoSync` (images after a cut: the disk the next process starts on).
 */
export class PowerCutFiles implements LogFiles {
  readonly #autoSync: boolean;

  constructor(opts: { autoSync?: boolean } = {}) {
    this.#autoSync = opts.autoSync ?? false;
  }

  readonly #folders = new Map<string, Folder>();
  readonly #fds = new Map<number, Inode>();
  #nextFd = 3;
  #pending: PendingSync[] = [];
  /** Called after every operation that changes what a cut would keep (the test takes images there). */
  onChange: () => void = () => {};

  #folder(dir: string): Folder {
    let f = this.#folders.get(dir);
    if (!f) this.#folders.set(dir, (f = { live: new Map(), durable: new Map() }));
    return f;
  }

  #entry(p: string): { folder: Folder; name: string } {
    return { folder: this.#folder(path.dirname(p)), name: path.basename(p) };
  }

  openAppend(p: string): number {
    const { folder, name } = this.#entry(p);
    let inode = folder.live.get(name);
    if (!inode) folder.live.set(name, (inode = { data: Buffer.alloc(0), synced: Buffer.alloc(0) }));
    const fd = this.#nextFd++;
    this.#fds.set(fd, inode);
    return fd;
  }

  append(fd: number, data: Buffer): void {
    const inode = this.#fds.get(fd);
    if (!inode) throw Object.assign(new Error('EBADF'), { code: 'EBADF' });
    inode.data = Buffer.concat([inode.data, data]);
    this.onChange();
  }

  datasync(fd: number): Promise<void> {
    const inode = this.#fds.get(fd);
    if (!inode) return Promise.reject(Object.assign(new Error('EBADF'), { code: 'EBADF' }));
    const done = new Promise<void>((resolve) => this.#pending.push({ inode, bytes: inode.data, resolve }));
    if (this.#autoSync) this.completeSyncs();
    return done;
  }

  /** Finishes every fdatasync called so far (then lets their waiters run); returns how many. */
  async settle(): Promise<void> {
    while (this.completeSyncs() > 0) await new Promise((r) => setImmediate(r));
  }

  /** Finishes every fdatasync called so far; returns how many. */
  completeSyncs(): number {
    const done = this.#pending;
    this.#pending = [];
    for (const s of done) {
      // The bytes present at the call are on disk now, unless the file was cut since (then they are gone).
      const stillThere = s.inode.data.subarray(0, s.bytes.length).equals(s.bytes);
      if (stillThere && s.bytes.length > s.inode.synced.length) s.inode.synced = s.bytes;
      this.onChange();
      s.resolve();
    }
    return done.length;
  }

  close(fd: number): void {
    this.#fds.delete(fd);
  }

  read(p: string): Buffer | undefined {
    const { folder, name } = this.#entry(p);
    return folder.live.get(name)?.data;
  }

  truncate(p: string, length: number): void {
    const { folder, name } = this.#entry(p);
    const inode = folder.live.get(name);
    if (!inode) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    inode.data = inode.data.subarray(0, length);
    inode.synced = inode.data;
    this.onChange();
  }

  writeSynced(p: string, data: Buffer): void {
    const { folder, name } = this.#entry(p);
    const inode = folder.live.get(name);
    if (inode) {
      inode.data = data;
      inode.synced = data;
    } else {
      folder.live.set(name, { data, synced: data });
    }
    this.onChange();
  }

  rename(from: string, to: string): void {
    const src = this.#entry(from);
    const inode = src.folder.live.get(src.name);
    if (!inode) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    src.folder.live.delete(src.name);
    const dst = this.#entry(to);
    dst.folder.live.set(dst.name, inode);
    this.onChange();
  }

  syncDir(dir: string): void {
    const folder = this.#folder(dir);
    folder.durable = new Map(folder.live);
    this.onChange();
  }

  mkdirp(dir: string): void {
    this.#folder(dir);
  }

  /** What the disk would hold after a power cut now, each file's unsynced tail torn by `tear`. */
  imageAtCut(tear: Tear): PowerCutFiles {
    const image = new PowerCutFiles({ autoSync: true });
    for (const [dir, folder] of this.#folders) {
      const copy = image.#folder(dir);
      for (const [name, inode] of folder.durable) {
        const appendedOnly = inode.data.subarray(0, inode.synced.length).equals(inode.synced);
        const tail = appendedOnly ? inode.data.subarray(inode.synced.length) : Buffer.alloc(0);
        const kept = Buffer.concat([inode.synced, tail.subarray(0, tear(tail.length))]);
        const survivor = { data: kept, synced: kept };
        copy.live.set(name, survivor);
        copy.durable.set(name, survivor);
      }
    }
    return image;
  }
}
