/**
 * A replica is ready (/readyz) only while it serves admission: a webhook server that cannot yet
 * register behind its Service (the Service's namespace does not exist) answers /healthz but not
 * /readyz, and becomes ready once it is listed in the Service's Endpoints.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { Manager } from '../../src/runtime/manager.ts';
import { ResourceTable } from '../../src/runtime/resources.ts';
import { registerWebhookKinds } from '../../src/webhooks/kinds.ts';
import { addWebhookServer } from '../../src/webhooks/server.ts';
import { eventually, rawRequest, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { installCrds } from './webhook-cluster.ts';

const service = { namespace: 'late', name: 'streamspace-webhooks', port: 443 };
let c: TestCluster | undefined;
const stopper = new AbortController();
let running: Promise<void> | undefined;

after(async () => {
  stopper.abort();
  await running?.catch(() => undefined);
  await c?.stop();
});

test('/readyz fails until the replica serves admission behind its Service', async () => {
  c = await startTestCluster();
  await installCrds(c);
  const resources = new ResourceTable();
  registerWebhookKinds(resources);
  const mgr = new Manager({ kubeConfig: c.kc, fieldManager: 'streamspace-webhooks', resources, http: { port: 0 }, logger: pino({ level: 'silent' }) });
  const webhooks = addWebhookServer(mgr, { service, advertiseAddress: '127.0.0.1', registration: { leaseDurationMs: 3000 } });
  running = mgr.start(stopper.signal);
  const probe = async (path: string): Promise<number> => (await fetch(`${mgr.httpUrl()}${path}`)).status;
  await eventually('the probe endpoint up, caches synced', async () => mgr.httpUrl() && (await probe('/healthz')) === 200 && mgr.getCache().hasSynced());
  // Without the namespace the server can neither keep its CA nor register behind the Service: not ready, however long.
  assert.equal(await probe('/readyz'), 503);
  assert.equal(webhooks.ready(), false);

  await c.core.createNamespace({ body: { metadata: { name: service.namespace } } });
  await webhooks.serving();
  await eventually('/readyz once serving', async () => (await probe('/readyz')) === 200, 20_000);
  const endpoints = await rawRequest(c.cp, 'GET', `/api/v1/namespaces/${service.namespace}/endpoints/${service.name}`);
  assert.deepEqual(endpoints.json.subsets.map((s: any) => s.ports[0].port), [webhooks.port]);
});
