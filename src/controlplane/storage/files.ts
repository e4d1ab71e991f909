/**
 * The few file-system calls the durable log makes, behind an interface so the power-cut test can
 * run the real log over a file system that forgets every byte not yet synced
 * (./power-cut-files.test-support.ts). Production uses {@link nodeFiles}: node:fs, synchronous for
 * writes (the append must be in the kernel before the store moves on) and asynchronous for the
 * data sync (a group commit waits on it without blocking the event loop).
 */
import fs from 'node:fs';

/** What the log needs of a file system. */
export interface LogFiles {
  /** Opens `path` for appending, creating it (mode 0600) when missing; returns a descriptor. */
  openAppend(path: string): number;
  /** Appends `data` at the end of the open file (write(2); all of it, or throws). */
  append(fd: number, data: Buffer): void;
  /** fdatasync(2): the file's data is on disk when the promise resolves. */
  datasync(fd: number): Promise<void>;
  close(fd: number): void;
  /** The whole file, or undefined when it does not exist. */
  read(path: string): Buffer | undefined;
  /** Cuts the file to `length` bytes and syncs it (recovery drops a torn tail this way). */
  truncate(path: string, length: number): void;
  /** Writes a new file with `data` and syncs it before returning. */
  writeSynced(path: string, data: Buffer): void;
  /** rename(2). */
  rename(from: string, to: string): void;
  /** Syncs a folder, making the creations and renames inside it durable. */
  syncDir(dir: string): void;
  mkdirp(dir: string): void;
}

function writeAll(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length;) done += fs.writeSync(fd, data, done, data.length - done);
}

/** {@link LogFiles} on node:fs. */
export const nodeFiles: LogFiles = {
  openAppend: (path) => fs.openSync(path, 'a', 0o600),
  append: writeAll,
  datasync: (fd) => new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()))),
  close: (fd) => fs.closeSync(fd),
  read(path) {
    try {
      return fs.readFileSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  },
  truncate(path, length) {
    const fd = fs.openSync(path, 'r+');
    try {
      fs.ftruncateSync(fd, length);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  writeSynced(path, data) {
    const fd = fs.openSync(path, 'w', 0o600);
    try {
      writeAll(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  rename: (from, to) => fs.renameSync(from, to),
  syncDir(dir) {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  mkdirp: (dir) => void fs.mkdirSync(dir, { recursive: true, mode: 0o700 }),
};
