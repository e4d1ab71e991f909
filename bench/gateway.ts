/**
 * Gateway benchmark, in one run on this machine, against Debian's nginx (one worker) proxying
 * the same backend: small-response requests/s and p99 latency over keep-alive connections, and
 * WebSocket echo throughput; then wake-to-first-byte p50/p99 of a real local web-app session
 * under `streamspace up` (process runtime): hibernate, request, time to the first byte.
 *
 *   npx node bench/gateway.ts      (BENCH_SECONDS per load phase, default 5; BENCH_WAKES, default 10;
 *                                   BENCH_GATEWAY_NODE_FLAGS for the gateway's Node, e.g. --cpu-prof)
 *
 * The gateway runs as `streamspace gateway` in its own process (one event loop), nginx with one
 * worker; the backend (a Node HTTP server with a WebSocket echo) in a third process; the load
 * generator here.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { crds } from '../src/apis/index.ts';
import { loadSigningKey } from '../src/api/auth/signing-key.ts';
import { TokenIssuer } from '../src/api/auth/token-issuer.ts';
import { SESSION_COOKIE } from '../src/api/auth/session-cookie.ts';
import { LABELS, MANAGED_BY } from '../src/apis/stream/v1alpha1/naming.ts';
import { Platform } from '../test/runtime-local/platform.ts';
import { jsonClient, percentile, report, startClusterProcess } from './support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WAKES = Number(process.env.BENCH_WAKES ?? 10);
const CONNECTIONS = 32;
const BIN = path.resolve(import.meta.dirname, '../bin/streamspace.js');

const BACKEND = `
import http from 'node:http';
import { WebSocketServer } from 'ws';
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('hello from the session\\n')); });
new WebSocketServer({ server }).on('connection', (ws) => ws.on('message', (d, binary) => ws.send(d, { binary })));
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Spawns a process and resolves once its output matches `ready`. */
function spawnUntil(cmd: string, args: string[], ready: RegExp, opts: { cwd?: string } = {}): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd ?? path.resolve(import.meta.dirname, '..') });
  let out = '';
  return new Promise((resolve, reject) => {
    const look = (d: Buffer): void => {
      out += String(d);
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out.slice(-1500)}`)));
  });
}

function nginxConfig(dir: string, port: number, backend: number): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream session { server 127.0.0.1:${backend}; keepalive 64; }
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  server {
    listen 127.0.0.1:${port};
    location /s/bench/ {
      proxy_pass http://session/;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $remote_addr;
    }
  }
}
`;
}

/** Closed-loop load: CONNECTIONS keep-alive connections each sending GETs back to back for SECONDS. */
async function load(url: string, headers: Record<string, string>): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  const one = (): Promise<void> => new Promise((resolve) => {
    const t0 = performance.now();
    http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) latencies.push(performance.now() - t0);
        else errors++;
        resolve();
      });
    }).on('error', () => { errors++; resolve(); });
  });
  const worker = async (): Promise<void> => { while (performance.now() < end) await one(); };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  agent.destroy();
  return { rps: latencies.length / ((performance.now() - started) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

/** WebSocket echo: 4 connections each keeping 8 messages of 16 KiB in flight for SECONDS; MiB/s echoed. */
async function echo(url: string, headers: Record<string, string>): Promise<number> {
  const payload = Buffer.alloc(16 * 1024, 7);
  let bytes = 0;
  const end = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: 4 }, () => new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    ws.on('error', reject);
    ws.on('open', () => { for (let i = 0; i < 8; i++) ws.send(payload); });
    ws.on('message', (d: Buffer) => {
      bytes += d.length;
      if (performance.now() < end) ws.send(payload);
      else { ws.close(); resolve(); }
    });
  })));
  return bytes / (1024 * 1024) / ((performance.now() - started) / 1000);
}

async function proxyFigures(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-bench-gateway-'));
  const children: ChildProcess[] = [];
  const cluster = await startClusterProcess();
  try {
    const backend = await spawnUntil(process.execPath, ['--input-type=module', '-e', BACKEND], /port (\d+)/);
    children.push(backend.child);
    const backendPort = Number(backend.match[1]);
    const kube = jsonClient(cluster);
    for (const crd of crds()) await kube.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    await kube.request('POST', '/api/v1/namespaces', { metadata: { name: 'streamspace' } });
    const stream = '/apis/stream.streamspace.io/v1alpha1/namespaces/streamspace';
    for (let i = 0; i < 100 && (await kube.request('GET', `${stream}/templates`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 50));
    await kube.request('POST', `${stream}/templates`, { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Template', metadata: { name: 'web' }, spec: { baseImage: 'x/y:1', webapp: { enabled: true, port: 8080 } } });
    await kube.request('POST', `${stream}/sessions`, { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: 'bench' }, spec: { user: 'bench', template: 'web' } });
    const metadata = { name: 'ss-bench', labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.session]: 'bench' } };
    await kube.request('POST', '/api/v1/namespaces/streamspace/services', { metadata, spec: { ports: [{ name: 'stream', port: backendPort }] } });
    await kube.request('POST', '/api/v1/namespaces/streamspace/endpoints', { metadata, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'stream', port: backendPort }] }] });

    const key = await loadSigningKey({ file: path.join(dir, 'signing-key.jwk') });
    const issuer = new TokenIssuer({ key, issuer: 'streamspace', audience: 'streamspace-api', ttlSeconds: 3600 });
    const { accessToken } = await issuer.sign({ username: 'bench', role: 'user' });
    const cookie = { cookie: `${SESSION_COOKIE}=${accessToken}` };
    const gatewayPort = await freePort();
    const nodeFlags = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const gateway = await spawnUntil(process.execPath, [...nodeFlags, BIN, 'gateway', '--kubeconfig', cluster.kubeconfigPath, '--data-dir', dir, '--port', String(gatewayPort)], /serving at/);
    children.push(gateway.child);
    const nginxPort = await freePort();
    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, nginxPort, backendPort));
    const nginx = spawn('/usr/sbin/nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: 'ignore' });
    children.push(nginx);
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`http://127.0.0.1:${nginxPort}/s/bench/`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const viaGateway = `http://127.0.0.1:${gatewayPort}/s/bench/`;
    const viaNginx = `http://127.0.0.1:${nginxPort}/s/bench/`;
    if ((await fetch(viaGateway, { headers: cookie })).status !== 200) throw new Error('the gateway does not reach the session');
    await load(viaGateway, cookie);
    await load(viaNginx, {});
    const g = await load(viaGateway, cookie);
    const n = await load(viaNginx, {});
    report('gateway requests/s (32 connections)', g.rps);
    report('nginx requests/s (32 connections)', n.rps);
    report('gateway / nginx requests/s', g.rps / n.rps);
    report('gateway p50 / p99', `${g.p50.toFixed(2)} / ${g.p99.toFixed(2)}`, 'ms');
    report('nginx p50 / p99', `${n.p50.toFixed(2)} / ${n.p99.toFixed(2)}`, 'ms');
    report('errors (gateway, nginx)', `${g.errors}, ${n.errors}`);
    report('gateway WebSocket echo', await echo(viaGateway.replace('http', 'ws') + 'echo', cookie), 'MiB/s');
    report('nginx WebSocket echo', await echo(viaNginx.replace('http', 'ws') + 'echo', {}), 'MiB/s');
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Wake-to-first-byte of a local web-app session (local-notes) under `streamspace up`. */
async function wakeFigures(): Promise<void> {
  execFileSync(path.resolve(import.meta.dirname, '../scripts/ensure-desktop.sh'), { stdio: 'inherit' });
  const platform = new Platform();
  await platform.start();
  try {
    const created = await platform.api('POST', '/api/v1/sessions', { template: 'local-notes' });
    const name = created.json.metadata.name;
    await platform.phase(name, 'Running');
    const times: number[] = [];
    for (let i = 0; i < WAKES; i++) {
      await platform.api('PATCH', `/api/v1/sessions/${name}`, { state: 'hibernated' });
      await platform.phase(name, 'Hibernated');
      const t0 = performance.now();
      const res = await fetch(`${platform.base}/s/${name}/`, { headers: { authorization: `Bearer ${platform.token}` } });
      const reader = res.body!.getReader();
      await reader.read();
      times.push(performance.now() - t0);
      await reader.cancel();
      if (res.status !== 200) throw new Error(`wake ${i}: ${res.status}`);
    }
    report(`wake-to-first-byte p50 (${WAKES} wakes)`, percentile(times, 50), 'ms');
    report(`wake-to-first-byte p99 (${WAKES} wakes)`, percentile(times, 99), 'ms');
  } finally {
    await platform.dispose();
  }
}

await proxyFigures();
if (WAKES > 0) await wakeFigures();
