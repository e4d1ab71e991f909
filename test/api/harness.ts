/**
 * Test support for the API suites: an embedded control plane with StreamSpace's CRDs and the
 * `streamspace` namespace, the API server started in-process against it, and a small HTTP
 * client that talks to the API over real HTTP. No Session controller runs: tests assert the
 * Session resources the API writes, and where a test needs a Running session it writes the
 * status itself through the Kubernetes API, as a controller would.
 */
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import { crds } from '../../src/apis/index.ts';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/api/server.ts';
import { KubeClient } from '../../src/runtime/client.ts';
import { PGliteDriver } from '../../src/api/db/pglite-driver.ts';
import { streamResourceTable } from '../../src/api/kube/kinds.ts';
import { eventually, rawRequest, startTestCluster, type ControlPlaneOptions, type TestCluster } from '../support/control-plane.ts';

export const NAMESPACE = 'streamspace';
export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const GROUP_VERSION = 'stream.streamspace.io/v1alpha1';
/** Cheap scrypt for tests (the default costs tens of milliseconds per hash). */
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };

/** An answer of the API. */
export interface Answer {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

/** Options of one request. */
export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A control plane with CRDs plus a running API. */
export interface ApiHarness {
  cluster: TestCluster;
  api: ApiServer;
  /** A Kubernetes client (cluster admin) that knows our kinds. */
  kube: KubeClient;
  request(method: string, path: string, opts?: RequestOptions): Promise<Answer>;
  /** Logs in (built-in accounts) and returns the access token. */
  login(username: string, password: string): Promise<string>;
  /** Creates a built-in account as admin and returns its access token. */
  userToken(username: string, role?: 'admin' | 'user'): Promise<string>;
  /** Creates a Template through the Kubernetes API and waits until the API's cache has it. */
  createTemplate(name: string, adminToken: string, spec?: Record<string, unknown>): Promise<void>;
  /** Restarts only the API (same cluster) with other options. */
  restartApi(opts: Partial<ApiServerOptions>): Promise<void>;
  stop(): Promise<void>;
}

/** Installs the CRDs and waits until they are served. */
export async function installCrds(c: TestCluster): Promise<void> {
  for (const crd of crds()) await c.objects.create(crd as unknown as k8s.KubernetesObject);
  await eventually('sessions served', async () => (await rawRequest(c.cp, 'GET', `/apis/${GROUP_VERSION}/sessions`)).status === 200);
}

/** Sends one request to `baseUrl`. */
export async function send(baseUrl: string, method: string, path: string, opts: RequestOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Starts a control plane with CRDs and the API (built-in accounts unless `apiOptions.auth` says otherwise). */
export async function startApiHarness(apiOptions: Partial<ApiServerOptions> = {}, cluster: ControlPlaneOptions = {}): Promise<ApiHarness> {
  PGliteDriver.reuseFreshImage();
  const c = await startTestCluster(cluster);
  await installCrds(c);
  await c.core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
  const base = (): ApiServerOptions => ({
    kubeconfig: c.kubeconfigPath, namespace: NAMESPACE, logger: pino({ level: 'silent' }),
    heartbeatFlushIntervalMs: 60_000, rateLimit: { requestsPerSecond: 10_000, burst: 10_000 },
    // Suites send many bad credentials on purpose; test/security/auth-limits.test.ts tests the back-off.
    authFailureLimit: { freeFailures: 100_000, baseBlockMs: 1000, maxBlockMs: 60_000 },
    ...apiOptions,
    auth: { adminPassword: ADMIN_PASSWORD, scryptCost: TEST_SCRYPT, ...apiOptions.auth },
  });
  let api = await startApiServer(base());
  const kube = new KubeClient({ kubeConfig: c.kc, fieldManager: 'api-tests', resources: streamResourceTable() });
  const h: ApiHarness = {
    cluster: c, kube,
    get api() { return api; },
    request: (method, path, opts) => send(api.url, method, path, opts),
    async login(username, password) {
      const res = await h.request('POST', '/api/v1/auth/login', { body: { username, password } });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
      return res.json.accessToken as string;
    },
    async userToken(username, role = 'user') {
      const admin = await h.login('admin', ADMIN_PASSWORD);
      const res = await h.request('POST', '/api/v1/users', { token: admin, body: { username, password: `${username}-password`, role } });
      if (res.status !== 201 && res.status !== 409) throw new Error(`create ${username}: ${res.status} ${res.text}`);
      return h.login(username, `${username}-password`);
    },
    async createTemplate(name, adminToken, spec = {}) {
      await kube.create({
        apiVersion: GROUP_VERSION, kind: 'Template', metadata: { name, namespace: NAMESPACE },
        spec: { displayName: name, baseImage: 'lscr.io/linuxserver/firefox:latest', vnc: { enabled: true, port: 3000 }, ...spec },
      } as any);
      await eventually(`template ${name} in the API's cache`, async () => (await h.request('GET', `/api/v1/templates/${name}`, { token: adminToken })).status === 200);
    },
    async restartApi(opts) {
      await api.stop();
      api = await startApiServer({ ...base(), ...opts });
    },
    async stop() {
      await api.stop();
      await c.stop();
    },
  };
  return h;
}
