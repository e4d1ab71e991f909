/**
 * The built-in local desktop (streamspace-local runtime) on `streamspace up`: time from
 * POST /api/v1/sessions to the desktop's first RFB framebuffer update, time from wake (PATCH
 * state running of a hibernated session) to the first framebuffer update, p50/p99 over
 * BENCH_SESSIONS (default 20) sessions run one after another, and the memory (summed RSS of the
 * pod's processes: Xvfb, twm, xterm, bash, x11vnc) per desktop session.
 */
import fs from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { Platform, processesOfPodIP } from '../test/runtime-local/platform.ts';
import { RfbClient } from '../test/runtime-local/rfb.ts';
import { percentile } from './support.ts';

const N = Number(process.env.BENCH_SESSIONS ?? 20);

async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // Not yet.
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function rssKiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const platform = new Platform();
await platform.start();
const kc = new k8s.KubeConfig();
kc.loadFromFile(`${platform.dataDir}/kubeconfig`);
const core = kc.makeApiClient(k8s.CoreV1Api);

/** The running pod's IP of a session, once it has one and is not being deleted. */
async function podIP(session: string): Promise<string | undefined> {
  const pods = await core.listNamespacedPod({ namespace: 'streamspace' });
  return pods.items.find((p) => p.metadata?.annotations?.['stream.streamspace.io/session'] === session && !p.metadata.deletionTimestamp && p.status?.podIP)?.status?.podIP;
}

/** Connects until the desktop answers and its first framebuffer update arrives. */
async function firstFrame(session: string): Promise<string> {
  return poll(async () => {
    const ip = await podIP(session);
    if (!ip) return undefined;
    const rfb = await RfbClient.connect(ip, 5900);
    try {
      await rfb.firstFramebufferUpdate();
      return ip;
    } finally {
      rfb.close();
    }
  });
}

const create: number[] = [];
const wake: number[] = [];
const memory: number[] = [];
for (let i = 0; i < N; i++) {
  let t = performance.now();
  const created = await platform.api('POST', '/api/v1/sessions', { template: 'local-desktop' });
  const name = created.json.metadata.name;
  const ip = await firstFrame(name);
  create.push(performance.now() - t);
  memory.push([...processesOfPodIP(ip).keys()].reduce((sum, pid) => sum + rssKiB(pid), 0) / 1024);
  await platform.api('PATCH', `/api/v1/sessions/${name}`, { state: 'hibernated' });
  await platform.phase(name, 'Hibernated');
  t = performance.now();
  await platform.api('PATCH', `/api/v1/sessions/${name}`, { state: 'running' });
  await firstFrame(name);
  wake.push(performance.now() - t);
  await platform.api('PATCH', `/api/v1/sessions/${name}`, { state: 'terminated' });
  await platform.phase(name, 'Terminated');
  process.stderr.write(`session ${i + 1}/${N}: create→frame ${create.at(-1)!.toFixed(0)} ms, wake→frame ${wake.at(-1)!.toFixed(0)} ms, ${memory.at(-1)!.toFixed(1)} MiB\n`);
}
await platform.dispose();
const ms = (v: number) => `${v.toFixed(0)} ms`;
console.log(`POST /sessions → first framebuffer: p50 ${ms(percentile(create, 50))}, p99 ${ms(percentile(create, 99))} (n=${N})`);
console.log(`wake → first framebuffer: p50 ${ms(percentile(wake, 50))}, p99 ${ms(percentile(wake, 99))} (n=${N})`);
console.log(`memory per desktop session (RSS of its processes): median ${percentile(memory, 50).toFixed(1)} MiB, max ${Math.max(...memory).toFixed(1)} MiB`);
