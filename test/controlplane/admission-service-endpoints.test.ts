/**
 * A webhook's `clientConfig.service` reached through the Service's Endpoints (the control plane's
 * default, as kube-apiserver with --enable-aggregator-routing): the Service and a ready address
 * carrying the Service port's name are needed, each failure is reported with kube's text, only
 * ready addresses are called, and an address that refuses the connection is passed over for the
 * next ready one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { rawRequest, startTestCluster, statusOf, type TestCluster } from '../support/control-plane.ts';
import { allow, closedPort, startWebhookServer, WEBHOOK_SERVICE, type WebhookServer } from './admission-webhook-server.ts';

const NS = 'svc-hooks';
const ENDPOINTS = `/api/v1/namespaces/${WEBHOOK_SERVICE.namespace}/endpoints/${WEBHOOK_SERVICE.name}`;

void describe('admission webhooks behind a Service', () => {
  let wh: WebhookServer;
  let c: TestCluster;
  let count = 0;

  const createConfigMap = (): Promise<k8s.V1ConfigMap> => c.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: `cm-${++count}` } } });

  async function refusal(): Promise<ReturnType<typeof statusOf>> {
    const err = await createConfigMap().then(() => undefined, (e: unknown) => e);
    assert.ok(err, 'the request should have been refused');
    return statusOf(err);
  }

  async function setEndpoints(subsets: unknown[]): Promise<void> {
    const current = await rawRequest(c.cp, 'GET', ENDPOINTS);
    const body = { apiVersion: 'v1', kind: 'Endpoints', metadata: { ...WEBHOOK_SERVICE, resourceVersion: current.json?.metadata?.resourceVersion }, subsets };
    const res = current.status === 404
      ? await rawRequest(c.cp, 'POST', `/api/v1/namespaces/${WEBHOOK_SERVICE.namespace}/endpoints`, body)
      : await rawRequest(c.cp, 'PUT', ENDPOINTS, body);
    assert.ok(res.status < 300, res.text);
  }

  before(async () => {
    wh = await startWebhookServer();
    wh.handle('/allow', allow);
    c = await startTestCluster();
    for (const name of [NS, WEBHOOK_SERVICE.namespace]) await c.core.createNamespace({ body: { metadata: { name } } });
    await c.objects.create({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'svc-hooks' },
      webhooks: [{
        name: 'svc.hooks.test', clientConfig: { service: { ...WEBHOOK_SERVICE, port: 443, path: '/allow' }, caBundle: wh.caBundle },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } }, sideEffects: 'None', admissionReviewVersions: ['v1'],
      }],
    } as k8s.KubernetesObject);
  });
  after(async () => {
    await c?.stop();
    await wh?.stop();
  });

  void it('fails closed, with kube\'s text, while the Service or a ready endpoint is missing', async () => {
    const url = `https://${WEBHOOK_SERVICE.name}.${WEBHOOK_SERVICE.namespace}.svc:443/allow?timeout=10s`;
    const noService = await refusal();
    assert.equal(noService.code, 500);
    assert.equal(noService.message, `Internal error occurred: failed calling webhook "svc.hooks.test": failed to call webhook: Post "${url}": service "hooks" not found`);

    await c.core.createNamespacedService({
      namespace: WEBHOOK_SERVICE.namespace, body: { metadata: { name: WEBHOOK_SERVICE.name }, spec: { ports: [{ name: 'https', port: 443, targetPort: 9443 }] } },
    });
    assert.match((await refusal()).message, /: no endpoints available for service "hooks"$/);
    await setEndpoints([{ notReadyAddresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: wh.port }] }]);
    assert.match((await refusal()).message, /: no endpoints available for service "hooks"$/, 'not-ready addresses are not called');
    await setEndpoints([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'metrics', port: wh.port }] }]);
    assert.match((await refusal()).message, /: no endpoints available for service "hooks"$/, 'only the Service port\'s name counts');
    assert.equal(wh.on('/allow').length, 0);
  });

  void it('calls a ready endpoint, passing over one that refuses the connection', async () => {
    const dead = await closedPort();
    await setEndpoints([
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: dead }] },
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: wh.port }] },
    ]);
    const before = wh.on('/allow').length;
    // The first address is picked at random: twelve creates would all pass without the fallback once in 4,096 runs.
    for (let i = 0; i < 12; i++) await createConfigMap();
    assert.equal(wh.on('/allow').length - before, 12);
    assert.equal(wh.on('/allow').at(-1)!.headers.host, `${WEBHOOK_SERVICE.name}.${WEBHOOK_SERVICE.namespace}.svc:443`);

    await setEndpoints([{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: dead }] }]);
    assert.match((await refusal()).message, new RegExp(`dial tcp 127\\.0\\.0\\.1:${dead}: connect: connection refused$`));
  });
});
