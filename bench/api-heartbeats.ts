/**
 * Heartbeat benchmark: three processes. The control plane (`streamspace cluster --in-memory`)
 * and the API (`streamspace api --in-memory`, heartbeats flushed every 5 s) each run in their
 * own process; this process is the load generator. It creates BENCH_USERS users with one
 * session each, then sends heartbeats open-loop at BENCH_RATE requests/s for BENCH_SECONDS and
 * finally reports the Session writes the API made (one per session per flush, not one per
 * heartbeat).
 *
 * Open loop (api-load.ts): request i is due at start + i / RATE whether or not earlier ones
 * have answered, and its latency runs from that due time, not from when it actually left, so
 * a stall anywhere (API, control plane, this generator) shows up as the queueing a client
 * would see. The generator sends prebuilt requests over raw keep-alive sockets so that it
 * takes as little CPU as it can from the processes under test. The API's event loop gets CPU 0
 * to itself; every other thread shares the others (see pinProcesses).
 *
 * Run: `npx node bench/api-heartbeats.ts` (BENCH_RATE=2000 BENCH_SECONDS=10 BENCH_USERS=50;
 * BENCH_PIN=0 leaves thread placement to the scheduler; BENCH_HEARTBEAT_FLUSH=5 is the API's
 * flush interval in seconds; BENCH_API_NODE_FLAGS passes Node flags to the API process, e.g.
 * `--trace-gc`, or `--cpu-prof --cpu-prof-dir=/tmp/prof` together with BENCH_PIN=0, since a
 * pinned API shares its CPU with the profiler's thread; BENCH_DIAG=1 also prints where the slow
 * requests were, CPU per process and per 100 ms, scheduler waits, and the API's GC).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { percentile, report } from './support.ts';
import { LoadConnections, requestBytes, type OpenLoopResult } from './api-load.ts';
import { ADMIN_PASSWORD, call, startApiStack } from './api-support.ts';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const USERS = Number(process.env.BENCH_USERS ?? 50);
const DIAG = process.env.BENCH_DIAG === '1';
/**
 * Seconds of the same load before the measured run. The API's JIT keeps optimizing Node's and
 * fastify's request path for several seconds (with a 1 s warm-up, `--trace-opt` showed about
 * 300 TurboFan compilations in the first measured second and another burst near 4 s, each
 * burst taking CPU from the request path); measure the steady state after it.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
/** CPUs of the machine (read before any pinning narrows this process's view). */
const CPUS = os.availableParallelism();
/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;
/** Keep-alive connections the generator may use at once. */
const CONNECTIONS = 64;
/** A request slower than this (ms) counts as slow in the diagnostics. */
const SLOW_MS = 5;

interface Target {
  token: string;
  session: string;
}

async function setUp(api: string): Promise<Target[]> {
  const admin = (await call(api, 'POST', '/api/v1/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD })).json.accessToken;
  const t = await call(api, 'POST', '/api/v1/templates', admin, { name: 'firefox', spec: { baseImage: 'lscr.io/linuxserver/firefox:latest', vnc: { enabled: true, port: 3000 } } });
  if (t.status !== 201) throw new Error(`template: ${t.status} ${JSON.stringify(t.json)}`);
  const users: Target[] = [];
  for (let i = 0; i < USERS; i++) {
    const username = `user${i}`;
    await call(api, 'POST', '/api/v1/users', admin, { username, password: `${username}-password` });
    const token = (await call(api, 'POST', '/api/v1/auth/login', undefined, { username, password: `${username}-password` })).json.accessToken;
    const s = await call(api, 'POST', '/api/v1/sessions', token, { template: 'firefox' });
    if (s.status !== 202) throw new Error(`session: ${s.status} ${JSON.stringify(s.json)}`);
    users.push({ token, session: s.json.metadata.name });
  }
  // The load only looks at status codes: check one whole answer here.
  const hb = await call(api, 'POST', `/api/v1/sessions/${users[0].session}/heartbeat`, users[0].token);
  if (hb.status !== 202 || hb.json?.accepted !== true) throw new Error(`heartbeat: ${hb.status} ${JSON.stringify(hb.json)}`);
  return users;
}

/** Sends `rate` heartbeats per second for `seconds`, open loop (see api-load.ts), each user heartbeating their own session. */
function load(conns: LoadConnections, api: string, users: Target[], rate: number, seconds: number): Promise<OpenLoopResult> {
  const requests = users.map((u) => requestBytes(api, 'POST', `/api/v1/sessions/${u.session}/heartbeat`, { authorization: `Bearer ${u.token}` }));
  return conns.run({ rate, seconds, requests, expectStatus: 202 });
}

async function apiMetrics(api: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    http.get(`${api}/metrics`, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function counters(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^(streamspace_api_heartbeat[a-z_]*)(\{result="(\w+)"\})? (\d+)/gm)) out[m[3] ? `${m[1]}{${m[3]}}` : m[1]] = Number(m[4]);
  // Server-side time (fastify's elapsed time) of the heartbeat route, from the histogram's buckets.
  const bucket = (le: string): number => {
    const m = new RegExp(`streamspace_api_request_duration_seconds_bucket\\{le="${le.replace('+', '\\+')}",method="POST",route="/api/v1/sessions/:id/heartbeat",status="202"\\} (\\d+)`).exec(text);
    return m ? Number(m[1]) : NaN;
  };
  out.serverUnder1ms = Number((bucket('0.001') / bucket('+Inf')).toFixed(5));
  out.serverUnder5ms = Number((bucket('0.005') / bucket('+Inf')).toFixed(5));
  return out;
}

/** This process's event-loop delay and GC pauses during the measured run. */
function watchGenerator(): { stop(): { loopP99: number; loopMax: number; gcPauses: number; gcMaxMs: number; gcTotalMs: number } } {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const gc: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gc.push(e.duration);
  });
  obs.observe({ entryTypes: ['gc'] });
  loop.enable();
  return {
    stop() {
      loop.disable();
      obs.disconnect();
      return {
        loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, gcPauses: gc.length,
        gcMaxMs: Math.max(0, ...gc), gcTotalMs: gc.reduce((a, b) => a + b, 0),
      };
    },
  };
}

/** The API process's event-loop lag (since the previous scrape) and GC time between two scrapes. */
function apiProcessFigures(before: string, after: string): Record<string, number> {
  const read = (text: string, name: string): number => Number(new RegExp(`^streamspace_api_nodejs_${name.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const out: Record<string, number> = {
    loopLagP99Ms: read(after, 'eventloop_lag_p99_seconds') * 1000, loopLagMaxMs: read(after, 'eventloop_lag_max_seconds') * 1000,
  };
  for (const kind of ['minor', 'incremental', 'major']) {
    out[`gc_${kind}_count`] = read(after, `gc_duration_seconds_count{kind="${kind}"}`) - read(before, `gc_duration_seconds_count{kind="${kind}"}`);
    out[`gc_${kind}_ms`] = Number(((read(after, `gc_duration_seconds_sum{kind="${kind}"}`) - read(before, `gc_duration_seconds_sum{kind="${kind}"}`)) * 1000).toFixed(1));
  }
  return out;
}

/** CPU time (user + system, ms) of a process (or with `tid`, one of its threads) so far, from /proc. */
function processCpuMs(pid: number, tid?: number, only?: 'system'): number {
  const fields = fs.readFileSync(tid ? `/proc/${pid}/task/${tid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (((only ? 0 : Number(fields[11])) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Busy CPU time (ms) of the whole machine so far, from /proc/stat. */
function machineCpuMs(): number {
  const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = ticks[3] + ticks[4];
  return ((ticks.slice(0, 8).reduce((a, b) => a + b, 0) - idle) * 1000) / CLOCK_TICKS;
}

/** Where the machine's CPU went during a run: each process of the benchmark, and everything else. */
function cpuShares(pids: Record<string, number>): () => Record<string, string> {
  const read = (): Record<string, number> => ({
    ...Object.fromEntries(Object.entries(pids).flatMap(([name, pid]) => [[name, processCpuMs(pid)], [`${name}.sys`, processCpuMs(pid, undefined, 'system')]])),
    machine: machineCpuMs(), at: performance.now(),
  });
  const before = read();
  return () => {
    const after = read();
    const wall = after.at - before.at;
    const used = (name: string): number => after[name] - before[name];
    const mine = Object.keys(pids).reduce((a, name) => a + used(name), 0);
    const share = (ms: number): string => `${Math.round((100 * ms) / wall)}%`;
    const entries = Object.keys(pids).map((name) => [name, `${share(used(name))} (kernel ${share(used(`${name}.sys`))})`]);
    return { ...Object.fromEntries(entries), other: share(Math.max(0, used('machine') - mine)) };
  };
}

/**
 * Time each process's main thread spent runnable but waiting for a CPU (ms), and how often it
 * was preempted, during a run: from /proc/<pid>/schedstat and /proc/<pid>/status.
 */
function schedulerWaits(pids: Record<string, number>): () => Record<string, string> {
  const read = (pid: number): [number, number] => {
    const waitNs = Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]);
    const preempted = Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return [waitNs / 1e6, preempted];
  };
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, read(pid)]));
  return () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => {
    const [wait, preempted] = read(pid);
    return [name, `${Math.round(wait - before[name][0])} ms waiting, ${preempted - before[name][1]} preemptions`];
  }));
}

/**
 * Unless BENCH_PIN=0: the API's main thread (its event loop) on CPU 0 by itself, and every other
 * thread (the API's GC, JIT and libuv threads, this generator, the control plane) on the other
 * CPUs, as on a production node where clients and the Kubernetes API server are other machines
 * and helper threads have other cores. Left to the scheduler on a 2-CPU machine, the generator
 * woken by each answer preempts the API about once per request; with all of the API's threads on
 * one CPU, the GC's concurrent marking threads preempt its event loop at each major GC. Threads
 * started later inherit their creator's CPU, so this runs again before the measured run.
 * Returns what was done.
 */
function pinProcesses(pids: { api: number; controlPlane: number }): string {
  if (process.env.BENCH_PIN === '0') return 'none (BENCH_PIN=0: the scheduler places every thread)';
  if (CPUS < 2 || process.platform !== 'linux') return `none (needs Linux and 2 CPUs; ${process.platform}, ${CPUS} CPU)`;
  const others = CPUS === 2 ? '1' : `1-${CPUS - 1}`;
  const apiThreads = fs.readdirSync(`/proc/${pids.api}/task`).map(Number);
  const placements: [string[], string][] = [
    [['-a', '-pc', others, String(process.pid)], 'generator'], [['-a', '-pc', others, String(pids.controlPlane)], 'control plane'],
    ...apiThreads.map((tid): [string[], string] => [['-pc', tid === pids.api ? '0' : others, String(tid)], `API thread ${tid}`]),
  ];
  for (const [args, what] of placements) {
    const r = spawnSync('taskset', args, { encoding: 'utf8' });
    // A thread may end between listing and pinning; anything else means no pinning at all.
    if (r.error || (r.status !== 0 && !what.startsWith('API thread'))) return `none (taskset failed for the ${what}: ${r.error?.message ?? r.stderr.trim()})`;
  }
  return `API main thread on CPU 0; its other threads, the generator and the control plane on CPU ${others} (BENCH_PIN=0: no pinning)`;
}

/** When the API's flush timer fires during the run (it starts just before the API says it is serving). */
function flushTimes(servingAt: number, runStartedAt: number, seconds: number): string {
  const interval = Number(process.env.BENCH_HEARTBEAT_FLUSH ?? 5) * 1000;
  const times: string[] = [];
  for (let t = servingAt + interval; t < runStartedAt + seconds * 1000; t += interval) {
    if (t >= runStartedAt) times.push(((t - runStartedAt) / 1000).toFixed(2));
  }
  return times.join(', ') || 'none';
}

/** CPU time (ms) of each thread of `pid` during a run, by thread name, busiest first. */
function threadCpu(pid: number): () => string {
  const read = (): Map<string, number> => {
    const byThread = new Map<string, number>();
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        const comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        byThread.set(`${comm}#${tid}`, processCpuMs(pid, Number(tid)));
      } catch {
        // the thread ended
      }
    }
    return byThread;
  };
  const before = read();
  return () => [...read()].map(([name, ms]) => [name, ms - (before.get(name) ?? 0)] as const).filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${Math.round(ms)}`).join(', ');
}

/** CPU time (ms) each process used in each 100 ms of the run, sampled from /proc (10 ms ticks). */
function cpuTimeline(pids: Record<string, number>): { stop(): void; at(ms: number): string; used(name: string, ms: number): number } {
  const windows: Record<string, number>[] = [];
  const read = (): Record<string, number> => Object.fromEntries(Object.entries(pids).flatMap(([name, pid]) => [[name, processCpuMs(pid)], [`${name}.main`, processCpuMs(pid, pid)]]));
  let last = read();
  const timer = setInterval(() => {
    const now = read();
    windows.push(Object.fromEntries(Object.keys(now).map((name) => [name, now[name] - last[name]])));
    last = now;
  }, 100);
  return {
    stop: () => clearInterval(timer),
    at: (ms) => Object.entries(windows[Math.floor(ms / 100)] ?? {}).map(([name, used]) => `${name} ${Math.round(used)}`).join(' '),
    used: (name, ms) => windows[Math.floor(ms / 100)]?.[name] ?? 0,
  };
}

/** Slow requests due while the control plane was busy (the API's heartbeat flush writing to it), and the others. */
function slowDuringFlushes(r: OpenLoopResult, cpuUsed: (name: string, ms: number) => number): string {
  let during = 0;
  let elsewhere = 0;
  let dueDuring = 0;
  for (let i = 0; i < r.latencies.length; i++) {
    const busy = cpuUsed('controlPlane', r.dueAt[i]) >= 20 || cpuUsed('controlPlane', r.dueAt[i] - 100) >= 20;
    if (busy) dueDuring++;
    if (r.latencies[i] < SLOW_MS) continue;
    if (busy) during++;
    else elsewhere++;
  }
  return `${during} of ${dueDuring} due while the control plane was busy (>= 20 ms CPU in that or the previous 100 ms), ${elsewhere} elsewhere`;
}

/** The 100 ms windows (by due time) holding slow requests, worst first, with the CPU each process used then. */
function slowWindows(r: OpenLoopResult, cpuAt: (ms: number) => string): string {
  const windows = new Map<number, { slow: number; worst: number }>();
  for (let i = 0; i < r.latencies.length; i++) {
    if (r.latencies[i] < SLOW_MS) continue;
    const w = Math.floor(r.dueAt[i] / 100) * 100;
    const e = windows.get(w) ?? { slow: 0, worst: 0 };
    e.slow++;
    e.worst = Math.max(e.worst, r.latencies[i]);
    windows.set(w, e);
  }
  return [...windows].sort((a, b) => b[1].worst - a[1].worst).slice(0, 12)
    .map(([w, e]) => `\n  t=${(w / 1000).toFixed(1)}s: ${e.slow} slow, worst ${e.worst.toFixed(1)} ms (CPU ms in that 100 ms: ${cpuAt(w)})`).join('') || 'none';
}

async function main(): Promise<void> {
  const { api, pids, servingAt, stop } = await startApiStack();
  try {
    const placement = pinProcesses(pids);
    const users = await setUp(api);
    const conns = await LoadConnections.open(api, CONNECTIONS);
    // The API's code must have seen a /metrics scrape before the warm-up: a first one between the
    // warm-up and the run deoptimized Node's request path (a new object shape) and the JIT
    // recompiled it during the run.
    await apiMetrics(api);
    await load(conns, api, users, RATE, WARMUP_SECONDS);
    const before = await apiMetrics(api); // also restarts the API's event-loop lag window
    if (placement.startsWith('API')) pinProcesses(pids); // threads started since
    const generator = watchGenerator();
    const benchPids = { generator: process.pid, api: pids.api, controlPlane: pids.controlPlane };
    const cpu = cpuShares(benchPids);
    const waits = schedulerWaits(benchPids);
    const timeline = cpuTimeline(benchPids);
    const apiThreads = threadCpu(pids.api);
    // On the monotonic clock CPU profiles use, to line them up with the measured run.
    if (DIAG) report('measured run starts at (monotonic µs / epoch ms)', `${process.hrtime.bigint() / 1000n} / ${Date.now()}`);
    const result = await load(conns, api, users, RATE, SECONDS);
    const gen = generator.stop();
    const cpuUsed = cpu();
    const waited = waits();
    timeline.stop();
    const apiThreadCpu = apiThreads();
    conns.close();
    const { latencies, serviceTimes, failures, elapsed } = result;
    const values = Array.from(latencies);
    report('CPU placement', placement);
    report('heartbeats sent (open loop)', `${Math.round(RATE * SECONDS)} at ${RATE}/s over ${USERS} sessions`);
    report('achieved throughput', Math.round(latencies.length / elapsed), 'req/s');
    report('latency p50 (from due time)', percentile(values, 50).toFixed(2), 'ms');
    report('latency p99 (from due time)', percentile(values, 99).toFixed(2), 'ms');
    report('latency p99.9 (from due time)', percentile(values, 99.9).toFixed(2), 'ms');
    report('latency max (from due time)', Math.max(...values).toFixed(2), 'ms');
    report('service time p50 / p99 (from actual send)', `${percentile(Array.from(serviceTimes), 50).toFixed(2)} / ${percentile(Array.from(serviceTimes), 99).toFixed(2)}`, 'ms');
    report('failed requests', failures);
    report(`CPU during the run (100% = one core of ${CPUS})`, Object.entries(cpuUsed).map(([k, v]) => `${k} ${v}`).join(', '));
    report('generator event-loop delay p99 / max', `${gen.loopP99.toFixed(2)} / ${gen.loopMax.toFixed(2)}`, 'ms');
    report('generator GC pauses (count, max, total)', `${gen.gcPauses}, ${gen.gcMaxMs.toFixed(2)} ms, ${gen.gcTotalMs.toFixed(1)} ms`);
    const text = await apiMetrics(api);
    report('API counters', JSON.stringify(counters(text)));
    if (DIAG) {
      report('slow (>= 5 ms) 100 ms windows by due time', slowWindows(result, timeline.at));
      report('slow (>= 5 ms) requests', slowDuringFlushes(result, timeline.used));
      report('heartbeat flushes due at about (s, run time)', flushTimes(servingAt, result.startedAt, SECONDS));
      report('main threads runnable but not running', JSON.stringify(waited));
      report('API threads, CPU ms during the run', apiThreadCpu);
      report('API during the run', JSON.stringify(apiProcessFigures(before, text)));
    }
  } finally {
    await stop();
  }
}

await main();
