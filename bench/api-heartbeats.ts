/**
 * Heartbeat benchmark: three processes. The control plane (`streamspace cluster --in-memory`)
 * and the API (`streamspace api --in-memory`) each run in their own process; this process is
 * the load generator. It creates BENCH_USERS users with one session each, then sends
 * heartbeats open-loop at BENCH_RATE requests/s for BENCH_SECONDS (requests leave on schedule
 * whether or not earlier ones have answered, so queueing shows up in the latency), and finally
 * reports the Session writes the API made (one per session per flush, not one per heartbeat).
 *
 * Run: `npx node bench/api-heartbeats.ts` (BENCH_RATE=2000 BENCH_SECONDS=10 BENCH_USERS=50).
 */
import http from 'node:http';
import { percentile, report } from './support.ts';
import { ADMIN_PASSWORD, call, startApiStack } from './api-support.ts';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const USERS = Number(process.env.BENCH_USERS ?? 50);
async function setUp(api: string): Promise<{ token: string; session: string }[]> {
  const admin = (await call(api, 'POST', '/api/v1/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD })).json.accessToken;
  const t = await call(api, 'POST', '/api/v1/templates', admin, { name: 'firefox', spec: { baseImage: 'lscr.io/linuxserver/firefox:latest', vnc: { enabled: true, port: 3000 } } });
  if (t.status !== 201) throw new Error(`template: ${t.status} ${JSON.stringify(t.json)}`);
  const users: { token: string; session: string }[] = [];
  for (let i = 0; i < USERS; i++) {
    const username = `user${i}`;
    await call(api, 'POST', '/api/v1/users', admin, { username, password: `${username}-password` });
    const token = (await call(api, 'POST', '/api/v1/auth/login', undefined, { username, password: `${username}-password` })).json.accessToken;
    const s = await call(api, 'POST', '/api/v1/sessions', token, { template: 'firefox' });
    if (s.status !== 202) throw new Error(`session: ${s.status} ${JSON.stringify(s.json)}`);
    users.push({ token, session: s.json.metadata.name });
  }
  return users;
}

/** Sends RATE heartbeats per second for `seconds`, open loop; returns latencies (ms) and failures. */
interface LoadResult {
  latencies: number[];
  failures: number;
  elapsed: number;
}

async function load(api: string, users: { token: string; session: string }[], seconds: number): Promise<LoadResult> {
  const total = RATE * seconds;
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const u = users[i % users.length];
    const sent = performance.now();
    inflight.push(call(api, 'POST', `/api/v1/sessions/${u.session}/heartbeat`, u.token).then((res) => {
      if (res.status === 202) latencies.push(performance.now() - sent);
      else failures++;
    }, () => void failures++));
  }
  await Promise.all(inflight);
  return { latencies, failures, elapsed: (performance.now() - started) / 1000 };
}

async function sessionWrites(api: string): Promise<Record<string, number>> {
  const text = await new Promise<string>((resolve, reject) => {
    http.get(`${api}/metrics`, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  const counters: Record<string, number> = {};
  for (const m of text.matchAll(/^(streamspace_api_heartbeat[a-z_]*)(\{result="(\w+)"\})? (\d+)/gm)) counters[m[3] ? `${m[1]}{${m[3]}}` : m[1]] = Number(m[4]);
  // Server-side time (fastify's elapsed time) of the heartbeat route, from the histogram's buckets.
  const bucket = (le: string): number => {
    const m = new RegExp(`streamspace_api_request_duration_seconds_bucket\\{le="${le.replace('+', '\\+')}",method="POST",route="/api/v1/sessions/:id/heartbeat",status="202"\\} (\\d+)`).exec(text);
    return m ? Number(m[1]) : NaN;
  };
  counters.serverUnder1ms = bucket('0.001') / bucket('+Inf');
  counters.serverUnder5ms = bucket('0.005') / bucket('+Inf');
  return counters;
}

async function main(): Promise<void> {
  const { api, stop } = await startApiStack();
  try {
    const users = await setUp(api);
    await load(api, users, 1); // warm-up: JIT and keep-alive sockets
    const { latencies, failures, elapsed } = await load(api, users, SECONDS);
    report('heartbeats sent (open loop)', `${RATE * SECONDS} at ${RATE}/s over ${USERS} sessions`);
    report('achieved throughput', Math.round(latencies.length / elapsed), 'req/s');
    report('latency p50', percentile(latencies, 50).toFixed(2), 'ms');
    report('latency p99', percentile(latencies, 99).toFixed(2), 'ms');
    report('latency max', Math.max(...latencies).toFixed(2), 'ms');
    report('failed requests', failures);
    const counters = await sessionWrites(api);
    report('API counters', JSON.stringify(counters));
  } finally {
    await stop();
  }
}

await main();
