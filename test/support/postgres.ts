/**
 * Test support: a throwaway PostgreSQL server. Installs Debian's `postgresql` through
 * scripts/ensure-postgres.sh when missing, then runs `initdb` and `postgres` in a temp folder
 * on a free port (as the `postgres` user when we are root, since PostgreSQL refuses to run as
 * root) and hands back a connection URL. `STREAMSPACE_TEST_DATABASE_URL` skips all of that and
 * uses the given server instead.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** A running test server. */
export interface TestPostgres {
  /** `postgres://...` URL of a fresh, empty database. */
  url: string;
  /** Creates another empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Shuts the server down (fast shutdown: open connections are cut), keeping its data. */
  pause(): Promise<void>;
  /** Starts the paused server again on the same port and data; resolves once it accepts connections. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The uid/gid to run PostgreSQL as: the `postgres` user when we are root (it refuses root), else ourselves. */
async function serverUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function waitForServer(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections: ${String(err)}\n${log()}`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts a private PostgreSQL server (or uses STREAMSPACE_TEST_DATABASE_URL). */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.STREAMSPACE_TEST_DATABASE_URL;
  if (external) {
    const unsupported = async (): Promise<never> => {
      throw new Error('pausing needs the private test server; unset STREAMSPACE_TEST_DATABASE_URL');
    };
    return { url: external, createDatabase: async () => external, pause: unsupported, resume: unsupported, stop: async () => undefined };
  }
  const bindir = (await run(path.join(repoRoot, 'scripts', 'ensure-postgres.sh'))).stdout.trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-pg-'));
  fs.chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) await run('chown', ['postgres:postgres', dir]);
  const dataDir = path.join(dir, 'data');
  const user = await serverUser();
  await run(path.join(bindir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'], { ...user, cwd: dir });
  const port = await freePort();
  const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  let stderr = '';
  const base = `postgres://postgres@127.0.0.1:${port}`;
  const launch = async (): Promise<ChildProcess> => {
    const server = spawn(path.join(bindir, 'postgres'), args, { ...user, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    server.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitForServer(`${base}/postgres`, server, () => stderr);
    return server;
  };
  const halt = async (server: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill(signal);
    await exited;
  };
  let child = await launch();
  const createDatabase = async (name: string): Promise<string> => {
    await adminQuery(`${base}/postgres`, `CREATE DATABASE "${name}"`);
    return `${base}/${name}`;
  };
  return {
    url: await createDatabase('streamspace_test'),
    createDatabase,
    pause: () => halt(child, 'SIGINT'),
    async resume() {
      child = await launch();
    },
    async stop() {
      await halt(child, 'SIGQUIT'); // immediate shutdown: the data is thrown away anyway
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
