/**
 * Benchmark of the Session controller (run: `npx node bench/sessions.ts`; BENCH_SESSIONS and
 * BENCH_STEADY_SECONDS change the number of sessions, default 1000, and the steady-state window,
 * default 30 s).
 *
 * The control plane (`streamspace cluster --in-memory`) and the controller (`streamspace
 * controller`) each run in their own process, as in production; this process is the user. It
 * creates the sessions, then hibernates, wakes and terminates all of them, and prints:
 * - create → Running latency, p50/p99 (from sending the create to the watch event saying Running);
 * - the controller's API writes per session for each lifecycle step, read from its object
 *   client's write counter (exported on /metrics); Event writes are counted apart;
 * - writes during a steady-state window with every session Running, scaled to a minute;
 * - the controller's resident memory (VmRSS from /proc) with every session Running.
 * Leader election is off so lease renewals do not count as writes.
 *
 * The controller runs as in production: compiled JavaScript (`npm run build`, run first by this
 * benchmark) with the production Node flags {@link PRODUCTION_NODE_FLAGS} (see README, "Running in
 * a cluster"). BENCH_CONTROLLER_NODE_FLAGS replaces the flags; BENCH_CONTROLLER_FROM_SOURCE=1
 * runs the TypeScript sources instead of dist/.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { Session } from '../src/apis/stream/v1alpha1/session.ts';
import { ensureNamespace, installCrds } from '../src/controllers/install.ts';
import { SessionKind, streamspaceResources, TemplateKind } from '../src/controllers/kinds.ts';
import { KubeClient } from '../src/runtime/client.ts';
import { mergePatch } from '../src/runtime/patch.ts';
import { jsonClient, percentile, report, startClusterProcess, type ClusterProcess } from './support.ts';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 30);
const NS = 'bench';
const CONCURRENCY = 32;
const ROOT = path.resolve(import.meta.dirname, '..');
const FROM_SOURCE = process.env.BENCH_CONTROLLER_FROM_SOURCE === '1';
const ENTRY = FROM_SOURCE ? path.join(ROOT, 'bin/streamspace.js') : path.join(ROOT, 'dist/cli/main.js');
/** The Node flags the controller runs with in production: semi-spaces of at most 4 MiB (see README). */
const PRODUCTION_NODE_FLAGS = '--max-semi-space-size=4';

/** Compiles the sources to dist/ (the production form of the controller). */
function build(): void {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.ts')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error('npm run build failed');
}

/** The controller process and its /metrics. */
interface ControllerProcess {
  child: ChildProcess;
  url: string;
}

async function startController(kubeconfigPath: string): Promise<ControllerProcess> {
  const nodeFlags = (process.env.BENCH_CONTROLLER_NODE_FLAGS ?? PRODUCTION_NODE_FLAGS).split(' ').filter(Boolean);
  report('sessions.controller_node_flags', nodeFlags.join(' ') || '(none)');
  report('sessions.controller_from', FROM_SOURCE ? 'TypeScript sources' : 'dist/ (compiled)');
  const args = [...nodeFlags, ENTRY, 'controller', '--kubeconfig', kubeconfigPath, '--metrics-port', '0', '--metrics-bind-address', '127.0.0.1', '--no-leader-elect'];
  // Webhooks off: this measures the controllers' own API traffic and memory.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production', STREAMSPACE_WEBHOOKS: 'false' } });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => { output = (output + chunk.toString()).slice(-10_000); });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = /\/metrics at (http:\/\/\S+);/.exec(output)?.[1];
    if (url) return { child, url };
    if (Date.now() > deadline) throw new Error(`controller did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The controller's write counters, from its /metrics. */
async function writeCounts(ctrl: ControllerProcess): Promise<{ objects: number; events: number }> {
  const text = await (await fetch(`${ctrl.url}/metrics`)).text();
  const value = (client: string): number => Number(new RegExp(`^streamspace_controller_api_requests\\{client="${client}",type="write"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { objects: value('objects'), events: value('events') };
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

/**
 * Every session's phase as last seen, and when each first reached a phase: a list, then a watch
 * from the list's resourceVersion, started again (list and watch) whenever the watch ends.
 */
class PhaseTracker {
  readonly phases = new Map<string, string>();
  readonly reachedAt = new Map<string, number>();
  #stopped = false;
  #abort: (() => void) | undefined;

  async start(kc: KubeConfig, api: KubeClient): Promise<void> {
    if (this.#stopped) return;
    const list = await api.list<Session>(SessionKind, { namespace: NS });
    for (const s of list.items) this.#see(s.metadata.name ?? '', s.status?.phase ?? '');
    const path = `/apis/${SessionKind.apiVersion}/namespaces/${NS}/sessions`;
    const restart = (): void => {
      if (!this.#stopped) setTimeout(() => void this.start(kc, api).catch(restart), 100);
    };
    const watch = await new Watch(kc).watch(path, { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true }, (type, obj: Session) => {
      if (type === 'BOOKMARK' || type === 'ERROR') return;
      this.#see(obj.metadata.name ?? '', type === 'DELETED' ? 'Deleted' : obj.status?.phase ?? '');
    }, restart);
    this.#abort = () => watch.abort();
  }

  #see(name: string, phase: string): void {
    if (this.phases.get(name) !== phase) this.reachedAt.set(`${name}/${phase}`, performance.now());
    this.phases.set(name, phase);
  }

  count(phase: string): number {
    let n = 0;
    for (const p of this.phases.values()) if (p === phase) n++;
    return n;
  }

  async waitFor(phase: string, n: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.count(phase) < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.count(phase)} of ${n} sessions ${phase} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.();
  }
}

/** Runs `work` over `items` with at most CONCURRENCY in flight. */
async function pool<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const names = Array.from({ length: SESSIONS }, (_, i) => `s-${String(i).padStart(4, '0')}`);

async function setState(api: KubeClient, state: string): Promise<void> {
  await pool(names, (name) => api.patch({ ...SessionKind, metadata: { namespace: NS, name } }, mergePatch({ spec: { state } })));
}

/** Measures the controller's writes over one lifecycle step; returns writes per session. */
async function step(ctrl: ControllerProcess, label: string, act: () => Promise<void>): Promise<void> {
  const before = await writeCounts(ctrl);
  const t0 = performance.now();
  const cpu0 = { controller: cpuSeconds(ctrl.child.pid!), cluster: cpuSeconds(clusterPid) };
  await act();
  const after = await writeCounts(ctrl);
  report(`sessions.${label}.controller_cpu`, cpuSeconds(ctrl.child.pid!) - cpu0.controller, 's');
  report(`sessions.${label}.control_plane_cpu`, cpuSeconds(clusterPid) - cpu0.cluster, 's');
  report(`sessions.${label}.writes_per_session`, (after.objects - before.objects) / SESSIONS);
  report(`sessions.${label}.event_writes_per_session`, (after.events - before.events) / SESSIONS);
  report(`sessions.${label}.wall_time`, (performance.now() - t0) / 1000, 's');
}

async function createAll(api: KubeClient, tracker: PhaseTracker): Promise<void> {
  const sentAt = new Map<string, number>();
  await pool(names, async (name) => {
    sentAt.set(name, performance.now());
    await api.create({ ...SessionKind, metadata: { name, namespace: NS }, spec: { user: `user-${name}`, template: 'desktop' } });
  });
  await tracker.waitFor('Running', SESSIONS, 600_000);
  const latencies = names.map((n) => tracker.reachedAt.get(`${n}/Running`)! - sentAt.get(n)!);
  report('sessions.create_to_running_p50', percentile(latencies, 50), 'ms');
  report('sessions.create_to_running_p99', percentile(latencies, 99), 'ms');
}

async function prepare(cluster: ClusterProcess, api: KubeClient): Promise<void> {
  // Enough nodes for every pod (110 pods each), and a kubelet that starts pods in milliseconds.
  const simulation = { nodes: Math.ceil(SESSIONS / 100) + 2, podStartDelayMs: 10, podReadyDelayMs: 10, podStopDelayMs: 10 };
  const res = await jsonClient(cluster).request('PUT', '/debug/simulation', simulation);
  if (res.status !== 200) throw new Error(`PUT /debug/simulation answered ${res.status}`);
  await installCrds(api);
  await ensureNamespace(api, NS);
  await api.create({
    ...TemplateKind, metadata: { name: 'desktop', namespace: NS },
    spec: { baseImage: 'lscr.io/linuxserver/webtop:latest', defaultResources: { requests: { cpu: '10m', memory: '16Mi' } }, vnc: { enabled: true, port: 3000 } },
  });
}

let clusterPid = 0;

async function main(): Promise<void> {
  if (!FROM_SOURCE) build();
  const cluster = await startClusterProcess(['--in-memory']);
  clusterPid = cluster.child.pid!;
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  const api = new KubeClient({ kubeConfig: kc, fieldManager: 'bench-user', resources: streamspaceResources() });
  await prepare(cluster, api);
  const tracker = new PhaseTracker();
  await tracker.start(kc, api);
  const ctrl = await startController(cluster.kubeconfigPath);
  try {
    report('sessions.count', SESSIONS);
    await step(ctrl, 'reach_running', () => createAll(api, tracker));
    await steadyState(ctrl);
    await step(ctrl, 'hibernate', async () => { await setState(api, 'hibernated'); await tracker.waitFor('Hibernated', SESSIONS, 600_000); });
    await step(ctrl, 'wake', async () => { await setState(api, 'running'); await tracker.waitFor('Running', SESSIONS, 600_000); });
    await step(ctrl, 'terminate', async () => { await setState(api, 'terminated'); await tracker.waitFor('Terminated', SESSIONS, 600_000); });
  } finally {
    tracker.stop();
    ctrl.child.kill('SIGTERM');
    await new Promise((r) => ctrl.child.once('exit', r));
    await cluster.stop();
  }
}

/** Writes over a quiet window with every session Running, scaled to a minute; and the controller's RSS. */
async function steadyState(ctrl: ControllerProcess): Promise<void> {
  const before = await writeCounts(ctrl);
  await new Promise((r) => setTimeout(r, STEADY_SECONDS * 1000));
  const after = await writeCounts(ctrl);
  report(`sessions.steady_state.writes_in_${STEADY_SECONDS}s`, after.objects - before.objects);
  report('sessions.steady_state.writes_per_minute', ((after.objects - before.objects) * 60) / STEADY_SECONDS);
  report(`sessions.controller_rss_at_${SESSIONS}_running`, rssMiB(ctrl.child.pid!), 'MiB');
  const text = await (await fetch(`${ctrl.url}/metrics`)).text();
  const metric = (name: string): number => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024;
  report(`sessions.controller_heap_used_at_${SESSIONS}_running`, metric('nodejs_heap_size_used_bytes'), 'MiB');
  report(`sessions.controller_heap_total_at_${SESSIONS}_running`, metric('nodejs_heap_size_total_bytes'), 'MiB');
  report(`sessions.controller_external_at_${SESSIONS}_running`, metric('nodejs_external_memory_bytes'), 'MiB');
  const space = (name: string): number => Number(new RegExp(`^nodejs_heap_space_size_total_bytes\\{space="${name}"\\} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024;
  report(`sessions.controller_new_space_at_${SESSIONS}_running`, space('new'), 'MiB');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/sessions: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
