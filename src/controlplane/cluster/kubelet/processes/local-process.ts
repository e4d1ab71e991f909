/**
 * One container instance as a local process: exec'd (never through a shell) as its own session
 * and process group leader, as the unprivileged user, with a clean environment; stdout and stderr
 * become log lines; its exit is recorded once. Stopping it signals the whole group, so helpers it
 * started (an X server, a window manager) end with it, and members left behind after the leader
 * exits are killed too, as a container's pid namespace would take them down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { membersOfGroup } from './pid-files.ts';

/** How a process ended. */
export interface ProcessExit {
  code: number;
  signal?: string;
  at: number;
}

/** What starting a process needs. */
export interface StartSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
}


/** A running (or ended) container process. */
export class LocalProcess {
  readonly pid: number;
  private readonly child: ChildProcess;
  exit: ProcessExit | undefined;
  private readonly exited: Promise<ProcessExit>;

  constructor(spec: StartSpec, onLine: (line: string) => void, onExit: (exit: ProcessExit) => void) {
    this.child = spawn(spec.argv[0]!, spec.argv.slice(1), {
      cwd: spec.cwd, env: spec.env, uid: spec.uid, gid: spec.gid, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid ?? -1;
    for (const stream of [this.child.stdout!, this.child.stderr!]) createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
    this.exited = new Promise((resolve) => {
      const done = (exit: ProcessExit) => {
        if (this.exit) return;
        this.exit = exit;
        // The leader is gone; whatever it left in its group goes too.
        if (this.pid > 0) killGroup(this.pid, 'SIGKILL');
        onExit(exit);
        resolve(exit);
      };
      this.child.once('error', (err) => {
        onLine(`exec ${spec.argv[0]}: ${err.message}`);
        done({ code: 127, at: Date.now() });
      });
      this.child.once('exit', (code, signal) => {
        done({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), signal: signal ?? undefined, at: Date.now() });
      });
    });
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the leader has exited. */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (this.exit) return this.exit;
    killGroup(this.pid, graceMs <= 0 ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => killGroup(this.pid, 'SIGKILL'), Math.max(0, graceMs));
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the group now (used when the pod is gone already). */
  kill(): void {
    killGroup(this.pid, 'SIGKILL');
  }
}

/** Signals every process of group `pgid` (no-op when it is gone). */
export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  if (pgid <= 1) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // No such group left.
  }
}

/** True while some process of group `pgid` exists. */
export function groupAlive(pgid: number): boolean {
  return membersOfGroup(pgid).length > 0;
}
