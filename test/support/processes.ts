/**
 * Test support: `streamspace` commands as child processes, each in its own process group (so a
 * SIGKILL reaches the whole group, as an OOM kill or a closed terminal would), with their output
 * collected and a way to wait for a line; and a plain request to the StreamSpace API they serve.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eventually } from './control-plane.ts';

export const BIN = path.resolve(import.meta.dirname, '../../bin/streamspace.js');

/** A running `streamspace` command. */
export interface StreamspaceProcess {
  child: ChildProcess;
  out(): string;
  err(): string;
  /** The first match of `re` in stdout, once printed (fails after `timeoutMs` or when the process exits first). */
  waitFor(re: RegExp, what: string, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends `signal` to the process group and resolves with the exit code (null when killed by a signal). */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  exited(): Promise<number | null>;
}

/** Starts `node bin/streamspace.js ...args` with `env` added to this process's environment. */
export function startStreamspace(args: string[], env: Record<string, string> = {}): StreamspaceProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (err += String(d)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child, out: () => out, err: () => err, exited: () => exit,
    async waitFor(re, what, timeoutMs = 60_000) {
      return eventually(what, () => {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before ${what}: ${err.slice(-3000)}`);
        return re.exec(out) ?? undefined;
      }, timeoutMs);
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, signal);
      return exit;
    },
  };
}

/** A request to the StreamSpace API at `base` (JSON in, parsed JSON out). */
export async function apiRequest(base: string, method: string, urlPath: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${urlPath}`, {
    method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
