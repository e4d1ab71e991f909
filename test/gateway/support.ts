/**
 * Test support for the gateway suites: the API harness with the gateway on its port, a backend
 * that stands in for a session (HTTP answering with what it received, WebSocket echo), and
 * helpers that do what the Session controller would: a Session object, and a Service with
 * Endpoints pointing at the backend (a Service without a selector keeps hand-made Endpoints).
 */
import http from 'node:http';
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { WebSocketServer } from 'ws';
import { ApiMetrics } from '../../src/api/metrics.ts';
import { Gateway, gatewayOnApiPort, type GatewayOptions } from '../../src/gateway/gateway.ts';
import { attachGateway } from '../../src/gateway/server.ts';
import { ADMIN_PASSWORD, GROUP_VERSION, NAMESPACE, startApiHarness, type ApiHarness } from '../api/harness.ts';
import type { ApiServerOptions } from '../../src/api/server.ts';
import { MANAGED_BY, LABELS } from '../../src/apis/stream/v1alpha1/naming.ts';

/** What the backend received. */
export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A stand-in session process. */
export interface Backend {
  port: number;
  received: Received[];
  close(): Promise<void>;
}

/** Starts a backend on 127.0.0.1 that answers every request with JSON of what it received and echoes WebSocket messages. */
export async function startBackend(): Promise<Backend> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    received.push({ method: req.method!, url: req.url!, headers: req.headers });
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive, x-backend-hop', 'x-backend-hop': 'secret', 'keep-alive': 'timeout=5' }).end(body);
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    received.push({ method: 'WS', url: req.url!, headers: req.headers });
    ws.on('message', (data, binary) => ws.send(data, { binary }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port, received,
    async close() {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The API harness with the gateway, its data in a temporary folder (the signing key is a file there). */
export async function startGatewayHarness(opts: Partial<ApiServerOptions> = {}): Promise<ApiHarness & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-gateway-'));
  const h = await startApiHarness({ dataDir, gateway: gatewayOnApiPort({ holdTimeoutMs: 30_000 }), ...opts });
  const stop = h.stop.bind(h);
  return Object.assign(h, {
    dataDir,
    async stop() {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** A web-app template (HTTP proxied) and a VNC desktop template (noVNC + bridge). */
export async function createTemplates(h: ApiHarness, adminToken: string): Promise<void> {
  await h.createTemplate('web', adminToken, { vnc: { enabled: false }, webapp: { enabled: true, port: 8080 } });
  await h.createTemplate('desktop', adminToken, { vnc: { enabled: true, port: 5900, protocol: 'rfb' } });
}

/** Creates session `name` of `user` in `state` (Hibernated/Running status written as the controller would). */
/** The built-in account's id of `user`, when it has one. */
async function accountIdOf(h: ApiHarness, user: string): Promise<string | undefined> {
  const admin = await h.login('admin', ADMIN_PASSWORD);
  const res = await h.request('GET', `/api/v1/users/${encodeURIComponent(user)}`, { token: admin });
  return res.status === 200 ? res.json.uid : undefined;
}

export async function createSession(h: ApiHarness, name: string, user: string, opts: { state?: 'running' | 'hibernated'; template?: string; spec?: Record<string, unknown> } = {}): Promise<void> {
  const state = opts.state ?? 'running';
  // As the API writes it: a built-in account's sessions carry its immutable id (ownership is name + id).
  const userId = await accountIdOf(h, user);
  const created = await h.kube.create({
    apiVersion: GROUP_VERSION, kind: 'Session', metadata: { name, namespace: NAMESPACE },
    spec: { user, ...(userId ? { userId } : {}), template: opts.template ?? 'web', state, ...opts.spec },
  } as any);
  await h.kube.patchStatus(created, { type: 'merge', body: { status: { phase: state === 'running' ? 'Running' : 'Hibernated' } } } as any);
}

/** The labels the Session controller puts on a session's Service. */
export function controllerLabels(name: string): Record<string, string> {
  return { [LABELS.managedBy]: MANAGED_BY, [LABELS.session]: name };
}

/** Makes session `name` answer at 127.0.0.1:`port`: its Service (labelled as the controller labels it) and Endpoints. */
export async function serveSession(h: ApiHarness, name: string, port: number, labels = controllerLabels(name)): Promise<void> {
  const metadata = { name: `ss-${name}`, namespace: NAMESPACE, labels };
  await h.kube.create({ apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: [{ name: 'stream', port, targetPort: port }] } } as any);
  await h.kube.create({
    apiVersion: 'v1', kind: 'Endpoints', metadata,
    subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'stream', port, protocol: 'TCP' }] }],
  } as any);
}

/** The session as the cluster has it now. */
export async function getSession(h: ApiHarness, name: string): Promise<any> {
  return h.kube.get({ apiVersion: GROUP_VERSION, kind: 'Session' }, { namespace: NAMESPACE, name });
}

/** Sends a raw HTTP/1.1 request (as written) to `port` and resolves with the raw answer. */
export function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** A gateway of its own, as {@link startSideGateway} starts it. */
export interface SideGateway {
  url: string;
  port: number;
  gateway: Gateway;
  stop(): Promise<void>;
}

/** A second gateway over the harness' cluster view, on its own port (host mode, short holds). */
export async function startSideGateway(h: ApiHarness, opts: Partial<GatewayOptions>): Promise<SideGateway> {
  const metrics = new ApiMetrics();
  const gateway = new Gateway({
    view: h.api.view, authenticator: h.api.authenticator, repo: h.api.repo, activity: h.api.heartbeats,
    logger: pino({ level: 'silent' }), registry: metrics.registry, ...opts,
  });
  gateway.start();
  await gateway.waitForSync();
  const server = http.createServer();
  attachGateway(server, gateway, metrics);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, port, gateway,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.stop();
    },
  };
}

/** Reads `/metrics` of the API and returns the value of one series (0 when absent). */
export async function metricValue(h: ApiHarness, series: string): Promise<number> {
  const text = await (await fetch(`${h.api.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Logs in through the API and returns the sign-in cookie it set (name=value). */
export async function loginCookie(h: ApiHarness, username: string, password: string): Promise<string> {
  const res = await fetch(`${h.api.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';', 1)[0];
}

/** The gateway harness with both templates, the user alice (her sign-in cookie) and a backend. */
export interface GatewayStack {
  h: ApiHarness & { dataDir: string };
  backend: Backend;
  /** alice's sign-in cookie (name=value). */
  alice: string;
  stop(): Promise<void>;
}

/** Starts a {@link GatewayStack}. */
export async function startGatewayStack(opts: Partial<ApiServerOptions> = {}): Promise<GatewayStack> {
  const h = await startGatewayHarness(opts);
  const backend = await startBackend();
  await h.userToken('alice');
  await createTemplates(h, await h.login('admin', ADMIN_PASSWORD));
  const alice = await loginCookie(h, 'alice', 'alice-password');
  return {
    h, backend, alice,
    async stop() {
      await backend.close();
      await h.stop();
    },
  };
}
