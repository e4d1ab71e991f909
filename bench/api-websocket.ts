/**
 * WebSocket fan-out benchmark (run: `npx node bench/api-websocket.ts`; BENCH_CLIENTS=500,
 * BENCH_CHANGES=20). The control plane and the API run in their own processes; this process opens
 * BENCH_CLIENTS live-update WebSockets as an admin (who sees every session), then creates
 * BENCH_CHANGES sessions through the API one after another. Each create is pushed by the API's
 * informer to every client; latency runs from sending the create to each client's receipt of
 * the ADDED message.
 */
import WebSocket from 'ws';
import { ADMIN_PASSWORD, call, startApiStack } from './api-support.ts';
import { percentile, report } from './support.ts';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 500);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 20);

function connect(api: string, token: string, onAdded: (name: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${api.replace(/^http/, 'ws')}/api/v1/ws?access_token=${encodeURIComponent(token)}`);
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.type === 'SNAPSHOT') resolve(ws);
      else if (msg.type === 'ADDED') onAdded(msg.session.metadata.name);
    });
    ws.on('error', reject);
  });
}

async function main(): Promise<void> {
  const { api, stop } = await startApiStack();
  try {
    const token = (await call(api, 'POST', '/api/v1/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD })).json.accessToken;
    await call(api, 'POST', '/api/v1/templates', token, { name: 'firefox', spec: { baseImage: 'lscr.io/linuxserver/firefox:latest', vnc: { enabled: true, port: 3000 } } });
    // Arrival times by session name: an ADDED message can arrive before the create's own answer.
    const arrivals = new Map<string, number[]>();
    const latencies: number[] = [];
    let pending: { remaining: number; done: () => void } | undefined;
    const onAdded = (name: string) => {
      arrivals.set(name, [...(arrivals.get(name) ?? []), performance.now()]);
      if (pending && --pending.remaining === 0) pending.done();
    };
    const sockets: WebSocket[] = [];
    // One user may open 50 requests a second (the API's per-user rate limit): connect in paced batches.
    for (let i = 0; i < CLIENTS; i += 40) {
      const batchStarted = performance.now();
      sockets.push(...await Promise.all(Array.from({ length: Math.min(40, CLIENTS - i) }, () => connect(api, token, onAdded))));
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - batchStarted))));
    }
    for (let i = 0; i < CHANGES; i++) {
      const arrived = new Promise<void>((done) => (pending = { remaining: CLIENTS, done }));
      const t0 = performance.now();
      const res = await call(api, 'POST', '/api/v1/sessions', token, { template: 'firefox' });
      if (res.status !== 202) throw new Error(`create failed: ${res.status}`);
      await arrived;
      for (const t of arrivals.get(res.json.metadata.name) ?? []) latencies.push(t - t0);
    }
    report('websocket.clients', CLIENTS);
    report('websocket.changes', CHANGES);
    report('websocket.messages_timed', latencies.length);
    report('websocket.fanout_latency_p50', percentile(latencies, 50), 'ms');
    report('websocket.fanout_latency_p99', percentile(latencies, 99), 'ms');
    sockets.forEach((s) => s.close());
  } finally {
    await stop();
  }
}

await main();
