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
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { crds } from '../src/apis/index.ts';
import { jsonClient, percentile, report, startClusterProcess } from './support.ts';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const USERS = Number(process.env.BENCH_USERS ?? 50);
const ADMIN_PASSWORD = 'bench-admin-password';
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function call(base: string, method: string, urlPath: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) headers['content-type'] = 'application/json';
    const req = http.request(`${base}${urlPath}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Starts `streamspace api` in its own process and resolves with its URL. */
async function startApiProcess(kubeconfig: string): Promise<{ url: string; child: ChildProcess }> {
  const cli = path.resolve(import.meta.dirname, '../src/cli/api.ts');
  const args = ['--input-type=module', '-e', `import(${JSON.stringify(cli)}).then((m) => m.runApi(process.argv.slice(1)))`,
    '--', '--kubeconfig', kubeconfig, '--in-memory', '--port', '0', '--heartbeat-flush', '5'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, STREAMSPACE_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /serving at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`API exited with ${code}: ${out}`)));
  });
  return { url, child };
}

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
  const cluster = await startClusterProcess();
  const kube = jsonClient(cluster);
  for (const crd of crds()) await kube.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  await kube.request('POST', '/api/v1/namespaces', { metadata: { name: 'streamspace' } });
  const { url: api, child } = await startApiProcess(cluster.kubeconfigPath);
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
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await cluster.stop();
  }
}

await main();
