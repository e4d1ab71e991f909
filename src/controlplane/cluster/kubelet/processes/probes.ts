/**
 * Real probes against a local container's process: tcpSocket (a connection to the pod's address),
 * httpGet (a status from 200 to 399) and exec (exit code 0; run as the container's user, with its
 * env, without a shell). Thresholds and timings follow the probe's fields with Kubernetes'
 * defaults. One difference: until a readiness probe first succeeds it repeats every 250 ms instead
 * of every periodSeconds, so a workspace is Ready as soon as it listens, not up to a period later.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';

/** Where and as whom a probe runs. */
export interface ProbeTarget {
  ip: string;
  ports: { name?: string; containerPort: number }[];
  uid?: number;
  gid?: number;
  env: Record<string, string>;
  cwd: string;
}

const EAGER_MS = 250;

function portOf(port: unknown, target: ProbeTarget): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(String(port))) return Number(port);
  return target.ports.find((p) => p.name === port)?.containerPort;
}

function tcp(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (problem?: string) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(timeoutMs, () => done(`dial tcp ${host}:${port}: i/o timeout`));
    socket.once('connect', () => done());
    socket.once('error', (err) => done(`dial tcp ${host}:${port}: ${err.message}`));
  });
}

function httpGet(probe: any, host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const headers = Object.fromEntries((probe.httpHeaders ?? []).map((h: any) => [h.name, h.value]));
    const req = http.get({ host, port, path: probe.path ?? '/', headers, timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? undefined : `HTTP probe failed with statuscode: ${code}`);
    });
    req.once('timeout', () => req.destroy(new Error('context deadline exceeded')));
    req.once('error', (err) => resolve(`Get "http://${host}:${port}${probe.path ?? '/'}": ${err.message}`));
  });
}

function exec(command: string[], target: ProbeTarget, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    if (!command?.length) return resolve('exec probe without a command');
    const opts = { uid: target.uid, gid: target.gid, env: target.env, cwd: target.cwd, timeout: timeoutMs };
    execFile(command[0]!, command.slice(1), opts, (err, stdout, stderr) => {
      resolve(err ? `command ${JSON.stringify(command)} failed: ${String(stderr || stdout || err.message).trim()}` : undefined);
    });
  });
}

/** One probe attempt: undefined when it passed, else why it failed. */
export function probeOnce(probe: any, target: ProbeTarget): Promise<string | undefined> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) return exec(probe.exec.command, target, timeoutMs);
  const spec = probe.tcpSocket ?? probe.httpGet;
  const port = portOf(spec?.port, target);
  if (!spec || port === undefined) return Promise.resolve(`probe port ${String(spec?.port)} is not a port of the container`);
  const host = spec.host || target.ip;
  return probe.tcpSocket ? tcp(host, port, timeoutMs) : httpGet(probe.httpGet, host, port, timeoutMs);
}

/** A probe running on a timer; reports when its verdict changes. */
export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  /** The verdict: undefined until decided. */
  ok: boolean | undefined;
  lastProblem: string | undefined;

  private readonly probe: any;
  private readonly target: ProbeTarget;
  private readonly eager: boolean;
  private readonly onChange: (ok: boolean, problem: string | undefined) => void;

  constructor(probe: any, target: ProbeTarget, eager: boolean, onChange: (ok: boolean, problem: string | undefined) => void) {
    this.probe = probe;
    this.target = target;
    this.eager = eager;
    this.onChange = onChange;
    this.schedule((probe.initialDelaySeconds ?? 0) * 1000);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    const problem = await probeOnce(this.probe, this.target);
    if (this.stopped) return;
    this.lastProblem = problem;
    if (problem === undefined) {
      this.failures = 0;
      this.successes++;
    } else {
      this.successes = 0;
      this.failures++;
    }
    const before = this.ok;
    if (this.successes >= (this.probe.successThreshold ?? 1)) this.ok = true;
    else if (this.failures >= (this.probe.failureThreshold ?? 3)) this.ok = false;
    if (this.ok !== before && this.ok !== undefined) this.onChange(this.ok, problem);
    const periodMs = (this.probe.periodSeconds ?? 10) * 1000;
    this.schedule(this.eager && this.ok !== true && before !== true ? Math.min(periodMs, EAGER_MS) : periodMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
