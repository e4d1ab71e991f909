/**
 * Test support for the webhook suites: an embedded control plane with StreamSpace's CRDs, a
 * controller manager (metrics on its HTTP endpoint) running the webhook server, and helpers to
 * build Templates, Sessions and SessionQuotas and to write them as the admin or as another user.
 */
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import { crds } from '../../src/apis/index.ts';
import { Manager } from '../../src/runtime/manager.ts';
import { ResourceTable } from '../../src/runtime/resources.ts';
import { registerWebhookKinds } from '../../src/webhooks/kinds.ts';
import { addQuotaStatusUpdater } from '../../src/controllers/quota/status-updater.ts';
import { addWebhookServer, type WebhookServer, type WebhookServerSettings } from '../../src/webhooks/server.ts';
import { eventually, rawRequest, startTestCluster, type ControlPlaneOptions, type TestCluster } from '../support/control-plane.ts';
import { kubectlFor, type Kubectl } from '../support/kubectl.ts';

export const GROUP = 'stream.streamspace.io';
export const VERSION = 'v1alpha1';

/** A control plane with the webhook server registered. */
export interface WebhookCluster {
  c: TestCluster;
  mgr: Manager;
  webhooks: WebhookServer;
  kubectl: Kubectl;
  /** Stops the manager (and so the webhook server), then the control plane. */
  stop(): Promise<void>;
}

/** Installs the CRDs and waits until Sessions are served. */
export async function installCrds(c: TestCluster): Promise<void> {
  for (const crd of crds()) await c.objects.create(crd as unknown as k8s.KubernetesObject);
  await eventually('sessions served', async () => (await rawRequest(c.cp, 'GET', `/apis/${GROUP}/${VERSION}/sessionquotas`)).status === 200);
}

/**
 * Starts a control plane (options `cluster`), the CRDs, namespaces, and a manager running the
 * webhooks with `settings` and the SessionQuota status updater.
 */
export async function startWebhookCluster(
  settings: WebhookServerSettings = {}, namespaces: string[] = [], cluster: ControlPlaneOptions = {},
): Promise<WebhookCluster> {
  const c = await startTestCluster(cluster);
  await installCrds(c);
  for (const name of namespaces) await c.core.createNamespace({ body: { metadata: { name } } });
  const resources = new ResourceTable();
  registerWebhookKinds(resources);
  const mgr = new Manager({ kubeConfig: c.kc, fieldManager: 'streamspace-webhooks', resources, http: { port: 0 }, logger: pino({ level: 'silent' }) });
  const webhooks = addWebhookServer(mgr, settings);
  addQuotaStatusUpdater(mgr, { intervalMs: 20 });
  const stopper = new AbortController();
  const running = mgr.start(stopper.signal);
  await Promise.race([webhooks.serving(), running.then(() => Promise.reject(new Error('manager stopped before the webhooks served')))]);
  return {
    c, mgr, webhooks, kubectl: kubectlFor(c.kubeconfigPath, c.tmp),
    async stop() {
      stopper.abort();
      await running;
      await c.stop();
    },
  };
}

/** A valid VNC template. */
export function template(namespace: string, name: string, spec: Record<string, unknown> = {}): k8s.KubernetesObject & { spec: any } {
  return {
    apiVersion: `${GROUP}/${VERSION}`, kind: 'Template', metadata: { name, namespace },
    spec: { displayName: name, baseImage: 'lscr.io/linuxserver/firefox:latest', vnc: { enabled: true, port: 3000 }, ...spec },
  };
}

/** A session of `user` from `templateName`. */
export function session(
  namespace: string, name: string, user: string, templateName: string, spec: Record<string, unknown> = {},
): k8s.KubernetesObject & { spec: any } {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'Session', metadata: { name, namespace }, spec: { user, template: templateName, ...spec } };
}

/** `obj` with `metadata` merged into its metadata. */
export function withMetadata<T extends k8s.KubernetesObject>(obj: T, metadata: Record<string, unknown>): T {
  return { ...obj, metadata: { ...obj.metadata, ...metadata } };
}

/** A SessionQuota. */
export function quota(name: string, spec: Record<string, unknown>): k8s.KubernetesObject & { spec: any } {
  return { apiVersion: `${GROUP}/${VERSION}`, kind: 'SessionQuota', metadata: { name }, spec };
}

/** A CustomObjectsApi acting as `username` (with `groups`), through a bearer token of their own. */
export function clientAs(w: WebhookCluster, username: string, groups: string[] = []): k8s.CustomObjectsApi {
  const token = `token-${username}-${groups.join('-')}`;
  w.c.cp.addUser(token, username, groups);
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: w.c.cp.url, caData: Buffer.from(w.c.cp.caPem).toString('base64') }],
    users: [{ name: username, token }],
    contexts: [{ name: 'c', cluster: 'c', user: username }],
    currentContext: 'c',
  });
  return kc.makeApiClient(k8s.CustomObjectsApi);
}

/** Creates a namespaced StreamSpace object through `api` (the admin's by default). */
export async function createNamespaced(
  w: WebhookCluster, obj: k8s.KubernetesObject, opts: { api?: k8s.CustomObjectsApi; dryRun?: boolean } = {},
): Promise<any> {
  const plural = `${obj.kind!.toLowerCase()}s`;
  return (opts.api ?? w.c.custom).createNamespacedCustomObject({
    group: GROUP, version: VERSION, namespace: obj.metadata!.namespace!, plural, body: obj, dryRun: opts.dryRun ? 'All' : undefined,
  });
}

/** Creates a SessionQuota. */
export async function createQuota(w: WebhookCluster, obj: k8s.KubernetesObject): Promise<any> {
  return w.c.custom.createClusterCustomObject({ group: GROUP, version: VERSION, plural: 'sessionquotas', body: obj });
}

/** The rejection of `p` (fails the test when it succeeds). */
export async function rejection(p: Promise<unknown>): Promise<{ code: number; message: string; reason: string; details?: any }> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!err) throw new Error('the request should have been refused');
  const e = err as { code?: number; body?: unknown };
  const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body as any;
  return { code: e.code ?? body?.code, reason: body?.reason, message: body?.message, details: body?.details };
}

/** Names one namespaced StreamSpace object (or its subresource). */
export interface ObjectPath {
  plural: string;
  namespace: string;
  name: string;
  subresource?: string;
}

/** Merge-patches a namespaced StreamSpace object (as the admin); answers with the raw response. */
export function mergePatch(w: WebhookCluster, target: ObjectPath, body: unknown, opts: { dryRun?: boolean } = {}) {
  const sub = target.subresource ? `/${target.subresource}` : '';
  const query = opts.dryRun ? '?dryRun=All' : '';
  const path = `/apis/${GROUP}/${VERSION}/namespaces/${target.namespace}/${target.plural}/${target.name}${sub}${query}`;
  return rawRequest(w.c.cp, 'PATCH', path, body, { 'content-type': 'application/merge-patch+json' });
}

/** The parsed samples of the manager's /metrics: name{labels} → value. */
export async function scrape(w: WebhookCluster): Promise<Map<string, number>> {
  const text = await (await fetch(`${w.mgr.httpUrl()}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = (m[2] ?? '').match(/\w+="[^"]*"/g)?.sort().join(',') ?? '';
    samples.set(`${m[1]}{${labels}}`, Number(m[3]));
  }
  return samples;
}

/** The key {@link scrape} files a sample under: labels sorted by name. */
export function sample(name: string, labels: Record<string, string> = {}): string {
  return `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(',')}}`;
}
