/**
 * Test support for the streamspace-local runtime: runs `streamspace up` (what `npm start` runs) as
 * a child process on a data folder of its own, signs in as admin, and reaches sessions, their pods
 * and their processes the way a user or an operator would: the REST API, kubectl, /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../support/control-plane.ts';
import { Kubectl } from '../support/kubectl.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/streamspace.js');
const PASSWORD = 'correct-horse-battery-staple';

/** One `streamspace up` on a data folder that outlives restarts of the process. */
export class Platform {
  readonly dataDir: string;
  child: ChildProcess | undefined;
  base = '';
  token = '';
  kubectl: Kubectl;
  output = '';

  private readonly env: Record<string, string>;

  /** `env` adds variables for `streamspace up`. */
  constructor(env: Record<string, string> = {}) {
    this.env = env;
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-local-test-'));
    this.kubectl = new Kubectl(path.join(this.dataDir, 'kubeconfig'), path.join(this.dataDir, 'kubectl-home'));
  }

  /**
   * The webhook server's port, the same across restarts: the webhook configurations stored in the
   * data folder name it, and `streamspace up` writes templates through them before re-registering.
   */
  private webhookPort = 0;

  /** Starts the platform and signs in. */
  async start(): Promise<void> {
    this.output = '';
    this.webhookPort ||= await freePort();
    const child = spawn(process.execPath, [BIN, 'up', '--data-dir', this.dataDir, '--port', '0', '--api-port', '0'], {
      env: { ...process.env, STREAMSPACE_ADMIN_PASSWORD: PASSWORD, STREAMSPACE_METRICS_PORT: '0', STREAMSPACE_WEBHOOK_PORT: String(this.webhookPort), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d) => (this.output += String(d)));
    child.stderr!.on('data', (d) => (this.output += String(d)));
    this.base = await eventually('the API URL printed', () => {
      if (child.exitCode !== null) throw new Error(`streamspace up exited ${child.exitCode}: ${this.output.slice(-2000)}`);
      return /StreamSpace API:\s+(http:\/\/\S+)/.exec(this.output)?.[1];
    }, 90_000);
    const login = await this.api('POST', '/api/v1/auth/login', { username: 'admin', password: PASSWORD });
    this.token = login.json.accessToken;
  }

  /** A REST call as admin. */
  async api(method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${this.base}${urlPath}`, {
      method, headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  /** Waits for the session's phase (90 s: Xvfb and x11vnc start on a loaded machine). */
  async phase(name: string, phase: string): Promise<any> {
    return eventually(`session ${name} ${phase}`, async () => {
      const s = await this.api('GET', `/api/v1/sessions/${name}`);
      return s.json?.status?.phase === phase ? s.json : undefined;
    }, 90_000);
  }

  /** The session's pods, from kubectl. */
  async pods(session: string): Promise<any[]> {
    const list = JSON.parse(await this.kubectl.ok(['get', 'pods', '-n', 'streamspace', '-o', 'json']));
    return list.items.filter((p: any) => p.metadata.annotations?.['stream.streamspace.io/session'] === session);
  }

  /** The session's one Ready pod that has not been deleted. */
  async readyPod(session: string): Promise<any> {
    return eventually(`a ready pod of ${session}`, async () => {
      const pods = (await this.pods(session)).filter((p) => !p.metadata.deletionTimestamp);
      return pods.find((p) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    }, 90_000);
  }

  /** SIGTERM (clean stop) or SIGKILL; resolves once the process has exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /** Stops the platform and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop('SIGTERM');
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    }).once('error', reject);
  });
}

/** The pid of a local container, from its containerID (`local://<pid>`). */
export function pidOf(pod: any, container = 'session'): number {
  const cs = pod.status.containerStatuses.find((c: any) => c.name === container);
  return Number(/^local:\/\/(\d+)$/.exec(cs?.containerID ?? '')?.[1]);
}

/** True while a process with `pid` runs (a zombie has ended: it only waits for a parent to reap it, and pid 1 here may never do). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Processes (pid → command line) whose environment says they belong to a pod at `ip`. */
export function processesOfPodIP(ip: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || !alive(Number(entry))) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(`STREAMSPACE_POD_IP=${ip}`)) out.set(Number(entry), fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim());
    } catch {
      // Gone, or not ours to read.
    }
  }
  return out;
}
