/**
 * Benchmark of the embedded control plane (run: `npx node bench/controlplane.ts`).
 * Prints writes per second (ConfigMap creates from 32 concurrent HTTPS clients) and watch-event
 * delivery latency to 10 watchers (time from sending the create to the event arriving at each
 * watcher, p50/p99). The control plane runs in its own process, as in production, once per storage
 * mode: in memory, on a data folder with fdatasync before each acknowledgement (the default), and
 * on a data folder with `--no-sync`. BENCH_STORAGE=memory|sync|nosync picks one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { startControlPlane } from '../src/controlplane/index.ts';
import { jsonClient, percentile, report, startClusterProcess, type ClusterProcess } from './support.ts';

const WRITES = Number(process.env.BENCH_WRITES ?? 3000);
const CONCURRENCY = 32;
const WATCHERS = 10;

function openWatch(cp: ClusterProcess, onEvent: (name: string) => void): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = https.get(`${cp.server}/api/v1/namespaces/bench/configmaps?watch=true&resourceVersion=1&allowWatchBookmarks=true`,
      { ca: cp.ca, headers: { authorization: `Bearer ${cp.token}` } }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            const ev = JSON.parse(line);
            if (ev.type === 'ADDED') onEvent(ev.object.metadata.name);
          }
        });
        resolve(() => req.destroy());
      });
    req.on('error', reject);
  });
}

/** Median time for the library entry point to start an in-memory control plane and stop it. */
async function startupMedian(runs = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const cp = await startControlPlane();
    times.push(performance.now() - t0);
    await cp.stop();
  }
  return percentile(times, 50);
}

const STORAGE_MODES: Record<string, (dir: string) => string[]> = {
  memory: () => ['--in-memory'],
  sync: (dir) => ['--data-dir', dir],
  nosync: (dir) => ['--data-dir', dir, '--no-sync'],
};

async function main(): Promise<void> {
  report('controlplane.library_start_median', await startupMedian(), 'ms');
  const modes = process.env.BENCH_STORAGE ? [process.env.BENCH_STORAGE] : Object.keys(STORAGE_MODES);
  for (const mode of modes) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-bench-data-'));
    try {
      await writesAndWatches(mode, STORAGE_MODES[mode](dir));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function writesAndWatches(mode: string, args: string[]): Promise<void> {
  const cp = await startClusterProcess(args);
  const client = jsonClient(cp, CONCURRENCY);
  await client.request('POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let received = 0;
  const allReceived = new Promise<void>((resolve) => {
    const onEvent = (name: string) => {
      const t = sentAt.get(name);
      if (t !== undefined) latencies.push(performance.now() - t);
      if (++received === WRITES * WATCHERS) resolve();
    };
    void Promise.all(Array.from({ length: WATCHERS }, () => openWatch(cp, onEvent))).then((closers) => allReceived.then(() => closers.forEach((c) => c())));
  });
  await new Promise((r) => setTimeout(r, 200)); // let the watches connect before writing
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < WRITES) {
      const name = `cm-${next++}`;
      sentAt.set(name, performance.now());
      const r = await client.request('POST', '/api/v1/namespaces/bench/configmaps', { metadata: { name }, data: { payload: 'x'.repeat(256) } });
      if (r.status !== 201) throw new Error(`create failed: ${r.status} ${JSON.stringify(r.body)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  await allReceived;
  report(`controlplane.${mode}.writes_per_second`, WRITES / seconds, 'writes/s');
  report(`controlplane.${mode}.watch_latency_p50 (${WATCHERS} watchers)`, percentile(latencies, 50), 'ms');
  report(`controlplane.${mode}.watch_latency_p99 (${WATCHERS} watchers)`, percentile(latencies, 99), 'ms');
  report(`controlplane.${mode}.watch_events_delivered`, latencies.length);
  client.agent.destroy();
  await cp.stop();
}

await main();
