/**
 * Benchmark of the admission webhooks (run: `npx node bench/webhook.ts`).
 *
 * The control plane runs in its own process (`streamspace cluster --in-memory`), as in production;
 * the webhook server runs here. 1,000 sessions of 100 users exist before the webhook server starts
 * (so its informer lists them), under 20 SessionQuotas (a default one, group ones and user ones).
 * Then Session creates go through the API server, one at a time and then 16 at once, every tenth
 * one over its user's quota (a refusal). Printed:
 * - decision latency inside the webhook handlers (AdmissionReview parsed → answer ready), p50/p99,
 *   for the validating (rules + quota) and the mutating (defaults) webhook; target p99 < 10 ms;
 * - end-to-end create latency through the API server, with and without the webhooks;
 * - one webhook round trip from this process (a dry-run AdmissionReview for the validating webhook),
 *   on a new TLS connection per call (as the embedded API server calls webhooks) and on a kept-alive one.
 * BENCH_CREATES sets the number of measured creates per phase (default 500).
 */
import https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import { crds } from '../src/apis/index.ts';
import { startWebhookServer } from '../src/webhooks/server.ts';
import { jsonClient, percentile, report, startClusterProcess } from './support.ts';

const EXISTING = 1000;
const USERS = 100;
const CREATES = Number(process.env.BENCH_CREATES ?? 500);
const CONCURRENCY = 16;
const BASE = '/apis/stream.streamspace.io/v1alpha1';

type Client = ReturnType<typeof jsonClient>;

function sessionBody(name: string, user: string, state: string): unknown {
  return {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session',
    metadata: { name, annotations: { 'stream.streamspace.io/user-groups': `group-${Number(user.slice(5)) % 5}` } },
    spec: { user, template: 'firefox', state, resources: { limits: { cpu: '500m', memory: '1Gi' } } },
  };
}

function quotas(): unknown[] {
  const limits = { maxSessions: 40, maxRunningSessions: 30, maxTotalCPU: '20', maxTotalMemory: '40Gi', maxCPUPerSession: '2', maxMemoryPerSession: '4Gi' };
  const list: unknown[] = [{ metadata: { name: 'default' }, spec: { default: true, limits } }];
  for (let g = 0; g < 5; g++) list.push({ metadata: { name: `group-${g}` }, spec: { groups: [`group-${g}`], limits, allowedTemplates: ['fire*', 'chrom*'] } });
  // user-0 … user-13 have quotas of their own; user-0 … user-9 are held at their current count, so creates for them are refused.
  for (let u = 0; u < 14; u++) list.push({ metadata: { name: `user-${u}` }, spec: { users: [`user-${u}`], limits: { ...limits, maxSessions: u < 10 ? 10 : 40 } } });
  return list.map((q) => ({ apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'SessionQuota', ...(q as object) }));
}

async function post(client: Client, path: string, body: unknown, expect = [201]): Promise<number> {
  const started = performance.now();
  const r = await client.request('POST', path, body);
  if (!expect.includes(r.status)) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return performance.now() - started;
}

async function setUp(client: Client): Promise<number[]> {
  for (const crd of crds()) await post(client, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  await post(client, '/api/v1/namespaces', { metadata: { name: 'bench' } });
  const template = { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Template', metadata: { name: 'firefox' }, spec: { baseImage: 'lscr.io/linuxserver/firefox:latest', vnc: { enabled: true } } };
  await post(client, `${BASE}/namespaces/bench/templates`, template);
  for (const q of quotas()) await post(client, `${BASE}/sessionquotas`, q);
  const plain: number[] = [];
  for (let i = 0; i < EXISTING; i++) {
    const user = `user-${i % USERS}`;
    plain.push(await post(client, `${BASE}/namespaces/bench/sessions`, sessionBody(`existing-${i}`, user, i % 3 === 0 ? 'hibernated' : 'running')));
  }
  return plain;
}

/** `count` creates, `concurrency` at a time; every tenth is for a user at their limit (refused). */
async function creates(client: Client, prefix: string, count: number, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const refused = i % 10 === 0;
      const user = refused ? `user-${i % 10}` : `user-${10 + (i % (USERS - 10))}`;
      latencies.push(await post(client, `${BASE}/namespaces/bench/sessions`, sessionBody(`${prefix}-${i}`, user, 'hibernated'), refused ? [403] : [201]));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}

/** Posts `count` reviews of a new session to `url`, on `agent` (false: a new connection per call, as the embedded API server does). */
async function roundTrips(url: string, ca: string, agent: https.Agent | false, count: number): Promise<number[]> {
  const object = { ...(sessionBody('probe', 'user-50', 'hibernated') as object), metadata: { name: 'probe', namespace: 'bench', uid: 'probe-uid' } };
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
      request: { uid: `r${i}`, operation: 'CREATE', namespace: 'bench', name: 'probe', dryRun: true, userInfo: { username: 'admin', groups: ['system:masters'] }, object },
    });
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = https.request(url, { method: 'POST', ca, agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end(body);
    });
    latencies.push(performance.now() - started);
  }
  return latencies;
}

async function webhookRoundTrips(client: Client): Promise<{ fresh: number[]; kept: number[] }> {
  const config = (await client.request('GET', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/streamspace-webhooks')).body;
  const { url, caBundle } = config.webhooks[0].clientConfig;
  const ca = Buffer.from(caBundle, 'base64').toString('utf8');
  const keepAlive = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const result = { fresh: await roundTrips(url, ca, false, 300), kept: await roundTrips(url, ca, keepAlive, 300) };
  keepAlive.destroy();
  return result;
}

function reportLatencies(name: string, values: number[]): void {
  report(`${name}_p50`, percentile(values, 50), 'ms');
  report(`${name}_p99`, percentile(values, 99), 'ms');
}

async function main(): Promise<void> {
  const cp = await startClusterProcess();
  const client = jsonClient(cp, CONCURRENCY);
  const plain = await setUp(client);
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(cp.kubeconfigPath);
  const decisions = new Map<string, number[]>();
  const webhooks = await startWebhookServer({
    kubeConfig, logger: pino({ level: 'warn' }),
    onDecision: (webhook, seconds) => {
      if (!decisions.has(webhook)) decisions.set(webhook, []);
      decisions.get(webhook)!.push(seconds * 1000);
    },
  });
  await creates(client, 'warmup', 100, 4);
  decisions.clear();

  const sequential = await creates(client, 'seq', CREATES, 1);
  const sequentialDecisions = new Map(decisions);
  decisions.clear();
  const concurrent = await creates(client, 'par', CREATES, CONCURRENCY);
  const trips = await webhookRoundTrips(client);

  report('webhook.existing_sessions', EXISTING);
  reportLatencies('webhook.validate_session.decision (sequential)', sequentialDecisions.get('/validate-session') ?? []);
  reportLatencies('webhook.mutate_session.decision (sequential)', sequentialDecisions.get('/mutate-session') ?? []);
  reportLatencies(`webhook.validate_session.decision (${CONCURRENCY} concurrent)`, decisions.get('/validate-session') ?? []);
  reportLatencies(`webhook.mutate_session.decision (${CONCURRENCY} concurrent)`, decisions.get('/mutate-session') ?? []);
  reportLatencies('webhook.create_e2e_without_webhooks', plain.slice(200));
  reportLatencies('webhook.create_e2e_with_webhooks (sequential)', sequential);
  reportLatencies(`webhook.create_e2e_with_webhooks (${CONCURRENCY} concurrent)`, concurrent);
  reportLatencies('webhook.round_trip_new_tls_connection', trips.fresh);
  reportLatencies('webhook.round_trip_kept_alive', trips.kept);
  await webhooks.stop();
  client.agent.destroy();
  await cp.stop();
}

await main();
