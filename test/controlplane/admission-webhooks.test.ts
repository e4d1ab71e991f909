/**
 * Admission webhooks end to end: a real HTTPS webhook server (its own CA), the control plane's
 * webhook dispatcher, and @kubernetes/client-node as the client. Covers the AdmissionReview sent,
 * JSON patches, denials and their Status, failurePolicy with the webhook down, timeouts, the CA
 * bundle check, DELETE, dry run and sideEffects, service references, and parallel validation.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { webhookAdmission } from '../../src/controlplane/admission/webhooks.ts';
import { createCertificateAuthority } from '../../src/tls/certificates.ts';
import { rawRequest, startTestCluster, statusOf, type TestCluster } from '../support/control-plane.ts';
import { allow, closedPort, patchAnswer, startWebhookServer, WEBHOOK_SERVICE, type WebhookServer } from './admission-webhook-server.ts';

const NS = 'adm-hooks';

void describe('admission webhooks', () => {
  let wh: WebhookServer;
  let c: TestCluster;
  const created: k8s.KubernetesObject[] = [];

  before(async () => {
    wh = await startWebhookServer();
    const serviceResolver = () => ({ host: '127.0.0.1', port: wh.port });
    c = await startTestCluster({ admission: webhookAdmission({ serviceResolver }) });
    await c.core.createNamespace({ body: { metadata: { name: NS } } });
  });
  after(async () => {
    await c?.stop();
    await wh?.stop();
  });
  afterEach(async () => {
    while (created.length) await c.objects.delete(created.pop()!);
  });

  function webhook(name: string, path: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name, clientConfig: { url: wh.url(path), caBundle: wh.caBundle },
      rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } },
      sideEffects: 'None', admissionReviewVersions: ['v1'], ...extra,
    };
  }

  async function register(kind: 'Mutating' | 'Validating', name: string, webhooks: Record<string, unknown>[]): Promise<void> {
    const config = { apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks };
    created.push(await c.objects.create(config));
  }

  async function createConfigMap(name: string, labels?: Record<string, string>): Promise<k8s.V1ConfigMap> {
    return c.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name, labels }, data: { k: 'v' } } });
  }

  async function refusal(p: Promise<unknown>): Promise<ReturnType<typeof statusOf>> {
    const err = await p.then(() => undefined, (e: unknown) => e);
    assert.ok(err, 'the request should have been refused');
    return statusOf(err);
  }

  void it('sends an AdmissionReview v1 and applies the JSON patch of a mutating webhook', async () => {
    wh.handle('/m1', () => patchAnswer([{ op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }, { op: 'replace', path: '/data/k', value: 'patched' }]));
    await register('Mutating', 'm1', [webhook('m1.example.com', '/m1')]);
    const cm = await createConfigMap('cm-mutated');
    assert.equal(cm.metadata?.labels?.mutated, 'yes');
    assert.equal(cm.data?.k, 'patched');
    const stored = await c.core.readNamespacedConfigMap({ name: 'cm-mutated', namespace: NS });
    assert.equal(stored.metadata?.labels?.mutated, 'yes');

    const [call] = wh.on('/m1');
    assert.equal(call.url, '/m1?timeout=10s');
    assert.equal(call.headers['content-type'], 'application/json');
    const { apiVersion, kind, request } = call.review;
    assert.equal(apiVersion, 'admission.k8s.io/v1');
    assert.equal(kind, 'AdmissionReview');
    assert.match(request.uid, /^[0-9a-f-]{36}$/);
    assert.deepEqual(request.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
    assert.deepEqual(request.resource, { group: '', version: 'v1', resource: 'configmaps' });
    assert.deepEqual(request.requestKind, request.kind);
    assert.deepEqual(request.requestResource, request.resource);
    assert.equal(request.subResource, undefined);
    assert.equal(request.name, 'cm-mutated');
    assert.equal(request.namespace, NS);
    assert.equal(request.operation, 'CREATE');
    assert.equal(request.userInfo.username, 'admin');
    assert.deepEqual(request.userInfo.groups, ['system:masters', 'system:authenticated']);
    assert.equal(request.object.data.k, 'v');
    assert.equal(request.oldObject, null);
    assert.equal(request.dryRun, false);
    assert.equal(request.options.kind, 'CreateOptions');
    assert.equal(request.options.apiVersion, 'meta.k8s.io/v1');
  });

  void it('calls mutating webhooks in series, configurations by name, each seeing the previous patch', async () => {
    wh.handle('/late', (review) => patchAnswer([{ op: 'add', path: '/data/late', value: `after-${review.request.object.data.early ?? 'nothing'}` }]));
    wh.handle('/early', () => patchAnswer([{ op: 'add', path: '/data/early', value: 'early' }]));
    await register('Mutating', 'z-late', [webhook('late.example.com', '/late')]);
    await register('Mutating', 'a-early', [webhook('early.example.com', '/early')]);
    const cm = await createConfigMap('cm-series');
    assert.equal(cm.data?.late, 'after-early');
  });

  void it('sends the UPDATE old object and the user of the request', async () => {
    await createConfigMap('cm-update');
    wh.handle('/v-update', allow);
    await register('Validating', 'v-update', [webhook('update.example.com', '/v-update', { rules: [{ operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] })]);
    c.cp.addUser('alice-token', 'alice', ['devs', 'system:authenticated']);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(c.cp.kubeconfig);
    kc.users = [{ name: 'alice', token: 'alice-token' }];
    kc.contexts = [{ ...kc.contexts[0], user: 'alice' }];
    const alice = kc.makeApiClient(k8s.CoreV1Api);
    await alice.patchNamespacedConfigMap({ name: 'cm-update', namespace: NS, body: { data: { k: 'v2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    const [call] = wh.on('/v-update');
    assert.equal(call.review.request.operation, 'UPDATE');
    assert.equal(call.review.request.oldObject.data.k, 'v');
    assert.equal(call.review.request.object.data.k, 'v2');
    assert.deepEqual(call.review.request.userInfo, { username: 'alice', groups: ['devs', 'system:authenticated'] });
  });

  void it('names the options of the request: UpdateOptions for PUT, PatchOptions for PATCH and for an apply that creates', async () => {
    await createConfigMap('cm-options');
    wh.handle('/v-options', allow);
    const everyWrite = { rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] };
    await register('Validating', 'v-options', [webhook('options.example.com', '/v-options', everyWrite)]);
    const current = await c.core.readNamespacedConfigMap({ name: 'cm-options', namespace: NS });
    await c.core.replaceNamespacedConfigMap({ name: 'cm-options', namespace: NS, body: { ...current, data: { k: 'put' } }, fieldManager: 'putter' });
    await c.core.patchNamespacedConfigMap({ name: 'cm-options', namespace: NS, body: { data: { k: 'merge' } }, fieldManager: 'patcher' },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    const applied = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-applied', namespace: NS }, data: { k: 'applied' } };
    await c.core.patchNamespacedConfigMap({ name: 'cm-applied', namespace: NS, body: applied, fieldManager: 'applier', force: true },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply));
    created.push(applied);
    const seen = wh.on('/v-options').map((call) => {
      const { operation, name, options } = call.review.request;
      return [operation, name, options.kind, options.fieldManager, options.force ?? false];
    });
    assert.deepEqual(seen, [
      ['UPDATE', 'cm-options', 'UpdateOptions', 'putter', false],
      ['UPDATE', 'cm-options', 'PatchOptions', 'patcher', false],
      ['CREATE', 'cm-applied', 'PatchOptions', 'applier', true],
    ]);
  });

  void it('sends a scale write to deployments/scale webhooks as a Scale, not to webhooks on deployments alone', async () => {
    const deployment = {
      metadata: { name: 'web', namespace: NS },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    await c.apps.createNamespacedDeployment({ namespace: NS, body: deployment });
    created.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: NS } });
    const onDeployments = (operations: string[], resource: string) => ({ rules: [{ operations, apiGroups: ['apps'], apiVersions: ['v1'], resources: [resource] }] });
    wh.handle('/v-main', allow);
    wh.handle('/m-scale', () => patchAnswer([{ op: 'replace', path: '/spec/replicas', value: 2 }]));
    wh.handle('/v-scale', allow);
    await register('Validating', 'v-main', [webhook('main.example.com', '/v-main', onDeployments(['UPDATE'], 'deployments'))]);
    await register('Mutating', 'm-scale', [webhook('m-scale.example.com', '/m-scale', onDeployments(['UPDATE'], 'deployments/scale'))]);
    await register('Validating', 'v-scale', [webhook('v-scale.example.com', '/v-scale', onDeployments(['UPDATE'], 'deployments/scale'))]);
    const res = await rawRequest(c.cp, 'PUT', `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`,
      { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: NS }, spec: { replicas: 3 } });
    assert.equal(res.status, 200);
    assert.equal(wh.on('/v-main').length, 0, 'a rule on deployments alone does not match deployments/scale');
    const [call] = wh.on('/v-scale');
    const { kind, subResource, object, oldObject, operation } = call.review.request;
    assert.deepEqual([operation, kind.kind, subResource], ['UPDATE', 'Scale', 'scale']);
    assert.deepEqual([oldObject.kind, oldObject.spec.replicas, object.spec.replicas], ['Scale', 1, 2], 'the validating webhook sees the mutated Scale');
    const stored = await c.apps.readNamespacedDeployment({ name: 'web', namespace: NS });
    assert.equal(stored.spec?.replicas, 2, 'the mutating webhook\'s replicas were stored');
  });

  void it('returns a validating webhook denial to the client with its code, reason and prefixed message', async () => {
    wh.handle('/deny', () => ({ response: { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'configmaps named deny-* are not allowed' } } }));
    await register('Validating', 'deny', [webhook('deny.example.com', '/deny')]);
    const status = await refusal(createConfigMap('deny-me'));
    assert.equal(status.code, 403);
    assert.equal(status.reason, 'Forbidden');
    assert.equal(status.message, 'admission webhook "deny.example.com" denied the request: configmaps named deny-* are not allowed');
    await assert.rejects(c.core.readNamespacedConfigMap({ name: 'deny-me', namespace: NS }), (e: unknown) => statusOf(e).code === 404);
  });

  void it('answers 400 "without explanation" for a denial without status, and keeps codes of 400 and above only', async () => {
    wh.handle('/bare', () => ({ response: { allowed: false } }));
    await register('Validating', 'bare', [webhook('bare.example.com', '/bare')]);
    const bare = await rawRequest(c.cp, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'bare' } });
    assert.equal(bare.status, 400);
    assert.deepEqual(bare.json, {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'admission webhook "bare.example.com" denied the request without explanation', code: 400,
    });
    wh.handle('/bare', () => ({ response: { allowed: false, status: { code: 200, reason: 'NotGood' } } }));
    const low = await rawRequest(c.cp, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'bare' } });
    assert.equal(low.status, 400);
    assert.equal(low.json.reason, 'NotGood');
    assert.equal(low.json.message, 'admission webhook "bare.example.com" denied the request: NotGood');
  });

  void it('denies from a mutating webhook as well', async () => {
    wh.handle('/m-deny', () => ({ response: { allowed: false, status: { code: 422, message: 'bad data' } } }));
    await register('Mutating', 'm-deny', [webhook('m-deny.example.com', '/m-deny')]);
    const status = await refusal(createConfigMap('m-denied'));
    assert.equal(status.code, 422);
    assert.equal(status.message, 'admission webhook "m-deny.example.com" denied the request: bad data');
  });

  void it('fails closed with failurePolicy Fail and open with Ignore when the webhook is down', async () => {
    const port = await closedPort();
    const down = { clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: wh.caBundle } };
    await register('Validating', 'down', [webhook('down.example.com', '/unused', down)]);
    const status = await refusal(createConfigMap('cm-down'));
    assert.equal(status.code, 500);
    assert.equal(status.reason, 'InternalError');
    const reason = `failed calling webhook "down.example.com": failed to call webhook: Post "https://127.0.0.1:${port}/validate?timeout=10s": dial tcp 127.0.0.1:${port}: connect: connection refused`;
    assert.equal(status.message, `Internal error occurred: ${reason}`);
    assert.deepEqual(status.details, { causes: [{ message: reason }] });

    await c.objects.delete(created.pop()!);
    await register('Validating', 'down', [webhook('down.example.com', '/unused', { ...down, failurePolicy: 'Ignore' })]);
    const cm = await createConfigMap('cm-down');
    assert.equal(cm.metadata?.name, 'cm-down');
  });

  void it('gives up on a webhook after timeoutSeconds', async () => {
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    wh.handle('/slow', async () => {
      await released;
      return { response: { allowed: true } };
    });
    await register('Validating', 'slow', [webhook('slow.example.com', '/slow', { timeoutSeconds: 1 })]);
    try {
      const status = await refusal(createConfigMap('cm-slow'));
      assert.equal(status.code, 500);
      assert.equal(status.message, `Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post "${wh.url('/slow')}?timeout=1s": context deadline exceeded`);
      assert.equal(wh.on('/slow')[0].url, '/slow?timeout=1s');
    } finally {
      release();
    }
  });

  void it('checks the webhook certificate against caBundle', async () => {
    const other = await createCertificateAuthority('some-other-ca', 3600_000);
    wh.handle('/ca', allow);
    await register('Validating', 'ca', [webhook('ca.example.com', '/ca', { clientConfig: { url: wh.url('/ca'), caBundle: Buffer.from(other.certPem).toString('base64') } })]);
    const status = await refusal(createConfigMap('cm-ca'));
    assert.equal(status.code, 500);
    assert.equal(status.message,
      `Internal error occurred: failed calling webhook "ca.example.com": failed to call webhook: Post "${wh.url('/ca')}?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority`);
    assert.equal(wh.on('/ca').length, 0);
  });

  void it('sends DELETE to validating webhooks with the old object and no object', async () => {
    await createConfigMap('cm-delete');
    wh.handle('/v-delete', () => ({ response: { allowed: false, status: { code: 403, message: 'keep it' } } }));
    await register('Validating', 'v-delete', [webhook('delete.example.com', '/v-delete', { rules: [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }] })]);
    const status = await refusal(c.core.deleteNamespacedConfigMap({ name: 'cm-delete', namespace: NS }));
    assert.equal(status.code, 403);
    assert.equal(status.message, 'admission webhook "delete.example.com" denied the request: keep it');
    const [call] = wh.on('/v-delete');
    assert.equal(call.review.request.operation, 'DELETE');
    assert.equal(call.review.request.object, null);
    assert.equal(call.review.request.oldObject.metadata.name, 'cm-delete');
    assert.equal(call.review.request.name, 'cm-delete');
    assert.equal(call.review.request.options.kind, 'DeleteOptions');
    await c.core.readNamespacedConfigMap({ name: 'cm-delete', namespace: NS });
  });

  void it('refuses dry-run requests for webhooks with side effects and tells the others it is a dry run', async () => {
    wh.handle('/effects', allow);
    await register('Validating', 'effects', [webhook('effects.example.com', '/effects', { sideEffects: 'Some' })]);
    const status = await refusal(c.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cm-dry' } }, dryRun: 'All' }));
    assert.equal(status.code, 400);
    assert.equal(status.reason, 'BadRequest');
    assert.equal(status.message, 'admission webhook "effects.example.com" does not support dry run');
    assert.equal(wh.on('/effects').length, 0);
    await createConfigMap('cm-wet');
    assert.equal(wh.on('/effects')[0].review.request.dryRun, false);

    await c.objects.delete(created.pop()!);
    wh.handle('/none', allow);
    await register('Validating', 'none', [webhook('none.example.com', '/none', { sideEffects: 'NoneOnDryRun' })]);
    await c.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cm-dry' } }, dryRun: 'All' });
    assert.equal(wh.on('/none')[0].review.request.dryRun, true);
  });

  void it('reaches a service reference through the service resolver and checks the certificate for the service name', async () => {
    wh.handle('/svc-path', () => patchAnswer([{ op: 'add', path: '/data/via', value: 'service' }]));
    const service = { ...WEBHOOK_SERVICE, path: '/svc-path', port: 8443 };
    await register('Mutating', 'svc', [webhook('svc.example.com', '/unused', { clientConfig: { service, caBundle: wh.caBundle } })]);
    const cm = await createConfigMap('cm-svc');
    assert.equal(cm.data?.via, 'service');
    const [call] = wh.on('/svc-path');
    assert.equal(call.headers.host, 'hooks.webhooks.svc:8443');
    assert.equal(call.url, '/svc-path?timeout=10s');
  });

  void it('calls validating webhooks in parallel', async () => {
    // Each webhook answers only once both have been called: in series the first would time out.
    let arrived = 0;
    let bothArrived = () => undefined as void;
    const both = new Promise<void>((resolve) => (bothArrived = resolve));
    const barrier = async () => {
      if (++arrived === 2) bothArrived();
      await both;
      return { response: { allowed: true } };
    };
    wh.handle('/p1', barrier);
    wh.handle('/p2', barrier);
    await register('Validating', 'parallel', [webhook('p1.example.com', '/p1', { timeoutSeconds: 5 }), webhook('p2.example.com', '/p2', { timeoutSeconds: 5 })]);
    const cm = await createConfigMap('cm-parallel');
    assert.equal(cm.metadata?.name, 'cm-parallel');
    assert.equal(arrived, 2);
  });

  void it('fails closed on an answer that is not a valid AdmissionReview response', async () => {
    wh.handle('/bad-uid', () => ({ response: { uid: 'not-the-uid', allowed: true } }));
    await register('Validating', 'bad-uid', [webhook('bad-uid.example.com', '/bad-uid')]);
    const status = await refusal(createConfigMap('cm-bad-uid'));
    assert.equal(status.code, 500);
    assert.equal(status.message, 'Internal error occurred: failed calling webhook "bad-uid.example.com": received invalid webhook response: expected response.uid='
      + `${JSON.stringify(wh.on('/bad-uid')[0].review.request.uid)}, got "not-the-uid"`);

    wh.handle('/bad-uid', () => ({ raw: { status: 500, contentType: 'text/plain', body: 'boom' } }));
    const crashed = await refusal(createConfigMap('cm-bad-uid'));
    assert.equal(crashed.message, 'Internal error occurred: failed calling webhook "bad-uid.example.com": failed to call webhook: an error on the server ("boom") has prevented the request from succeeding');
  });

  void it('applies failurePolicy to an undecodable patch but not to a patch that does not apply', async () => {
    wh.handle('/garbled', () => ({ response: { allowed: true, patchType: 'JSONPatch', patch: Buffer.from('{"op":"add"}').toString('base64') } }));
    await register('Mutating', 'garbled', [webhook('garbled.example.com', '/garbled')]);
    const garbled = await refusal(createConfigMap('cm-garbled'));
    assert.equal(garbled.code, 500);
    assert.equal(garbled.message, 'Internal error occurred: failed calling webhook "garbled.example.com": received undecodable patch in webhook response: '
      + 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    await c.objects.delete(created.pop()!);
    await register('Mutating', 'garbled', [webhook('garbled.example.com', '/garbled', { failurePolicy: 'Ignore' })]);
    await createConfigMap('cm-garbled');

    wh.handle('/misfit', () => patchAnswer([{ op: 'replace', path: '/spec/missing', value: 1 }]));
    await register('Mutating', 'misfit', [webhook('misfit.example.com', '/misfit', { failurePolicy: 'Ignore' })]);
    const misfit = await refusal(createConfigMap('cm-misfit'));
    assert.equal(misfit.code, 500);
    assert.equal(misfit.reason, 'InternalError');
    assert.match(misfit.message, /^Internal error occurred: .*"\/spec\/missing"$/);
  });

  void it('fails closed for a webhook that accepts no AdmissionReview version this server sends', async () => {
    await register('Validating', 'versions', [webhook('versions.example.com', '/versions', { admissionReviewVersions: ['v2'] })]);
    const status = await refusal(createConfigMap('cm-versions'));
    assert.equal(status.message, 'Internal error occurred: failed calling webhook "versions.example.com": could not create admission objects: '
      + 'webhook does not accept known AdmissionReview versions (v1, v1beta1)');
  });

  void it('returns webhook warnings to the client as Warning headers', async () => {
    wh.handle('/warn', () => ({ response: { allowed: true, warnings: ['mind the gap', 'mind the gap', 'second "quoted" warning'] } }));
    await register('Validating', 'warn', [webhook('warn.example.com', '/warn')]);
    const res = await rawRequest(c.cp, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'cm-warn' } });
    assert.equal(res.status, 201);
    assert.deepEqual(String(res.headers.warning).split(/,\s*(?=299)/), ['299 - "mind the gap"', '299 - "second \\"quoted\\" warning"']);
  });

  void it('returns the warnings of a webhook that denies, with the denial', async () => {
    wh.handle('/warn-deny', () => ({ response: { allowed: false, warnings: ['this name is reserved'], status: { code: 403, message: 'no' } } }));
    await register('Validating', 'warn-deny', [webhook('warn-deny.example.com', '/warn-deny')]);
    const res = await rawRequest(c.cp, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'cm-warn-deny' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.warning, '299 - "this name is reserved"');
  });
});
