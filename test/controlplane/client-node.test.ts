/**
 * The embedded control plane driven by the real `@kubernetes/client-node`, over HTTPS: informers,
 * watch resumption and 410, optimistic concurrency, status subresource and generation rules,
 * patch types, custom resources with schemas, paging, finalizers and Leases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, rawRequest, startTestCluster, statusOf, type TestCluster } from '../support/control-plane.ts';

const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);
const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
    versions: [{
      name: 'v1', served: true, storage: true, subresources: { status: {} },
      schema: {
        openAPIV3Schema: {
          type: 'object', properties: {
            spec: {
              type: 'object', required: ['size'], properties: {
                size: { type: 'integer', minimum: 1, maximum: 10 },
                color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
              },
            },
            status: { type: 'object', properties: { ready: { type: 'boolean' } } },
          },
        },
      },
    }],
  },
};

async function expectStatus(p: Promise<unknown>, code: number, reason?: string): Promise<ReturnType<typeof statusOf>> {
  try {
    await p;
  } catch (err) {
    const s = statusOf(err);
    assert.equal(s.code, code, `expected ${code}, got ${s.code}: ${s.message}`);
    if (reason) assert.equal(s.reason, reason);
    return s;
  }
  assert.fail(`expected HTTP ${code}, but the request succeeded`);
}

void describe('control plane with @kubernetes/client-node', () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster({ historySize: 5000 });
    await c.core.createNamespace({ body: { metadata: { name: 'test' } } });
  });
  after(() => c.stop());

  void it('serves an informer over 1,000 objects: list, then watch, no event lost', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'inf' } } });
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => c.core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: `a-${batch * 50 + j}` } } })));
    }
    const informer = k8s.makeInformer(c.kc, '/api/v1/namespaces/inf/configmaps', () => c.core.listNamespacedConfigMap({ namespace: 'inf' }));
    const seen = new Set<string>();
    informer.on('add', (o) => seen.add(o.metadata!.name!));
    await informer.start();
    const writes = [];
    for (let i = 0; i < 500; i++) writes.push(c.core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: `b-${i}` } } }));
    await Promise.all(writes);
    await eventually('all 1,000 objects in the informer', () => seen.size === 1000 && informer.list('inf').length === 1000, 60_000);
    await c.core.deleteNamespacedConfigMap({ namespace: 'inf', name: 'a-0' });
    await eventually('delete seen', () => !informer.get('a-0', 'inf'));
    await informer.stop();
  });

  void it('answers a watch from a compacted resourceVersion with a 410 Expired ERROR event', async () => {
    const cm = await c.core.createNamespacedConfigMap({ namespace: 'test', body: { metadata: { name: 'old' } } });
    await c.core.createNamespacedConfigMap({ namespace: 'test', body: { metadata: { name: 'newer' } } });
    const r = await rawRequest(c.cp, 'POST', '/debug/compact');
    assert.equal(r.status, 200);
    const events: any[] = [];
    await new Promise<void>((resolve, reject) => {
      void new k8s.Watch(c.kc).watch('/api/v1/namespaces/test/configmaps', { resourceVersion: cm.metadata!.resourceVersion },
        (type, obj) => events.push({ type, obj }), (err) => (err ? reject(err) : resolve()));
    });
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'ERROR');
    assert.equal(events[0].obj.code, 410);
    assert.equal(events[0].obj.reason, 'Expired');
    assert.match(events[0].obj.message, /too old resource version/);
  });

  void it('recovers an informer after 410: it relists and keeps delivering', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'relist' } } });
    const informer = k8s.makeInformer(c.kc, '/api/v1/namespaces/relist/configmaps', () => c.core.listNamespacedConfigMap({ namespace: 'relist' }));
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    // Hold the reconnecting watch back while an object is written and history is compacted, so
    // the informer's resourceVersion is too old when it comes back.
    await rawRequest(c.cp, 'PUT', '/debug/faults', { rules: [{ verb: 'watch', resource: 'configmaps', latencyMs: 1500, count: 1 }] });
    const dropped = await rawRequest(c.cp, 'POST', '/debug/watches/drop');
    assert.ok(dropped.json.dropped >= 1);
    await c.core.createNamespacedConfigMap({ namespace: 'relist', body: { metadata: { name: 'after-drop' } } });
    await rawRequest(c.cp, 'POST', '/debug/compact');
    await eventually('the informer sees the object created while it reconnected', () => informer.get('after-drop', 'relist'));
    await informer.stop();
    await rawRequest(c.cp, 'PUT', '/debug/faults', { rules: [] });
  });

  void it('refuses an update with a stale resourceVersion with 409 Conflict', async () => {
    const cm = await c.core.createNamespacedConfigMap({ namespace: 'test', body: { metadata: { name: 'cas' }, data: { v: '1' } } });
    await c.core.replaceNamespacedConfigMap({ namespace: 'test', name: 'cas', body: { ...cm, data: { v: '2' } } });
    const s = await expectStatus(c.core.replaceNamespacedConfigMap({ namespace: 'test', name: 'cas', body: { ...cm, data: { v: '3' } } }), 409, 'Conflict');
    assert.equal(s.message, 'Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again');
    await expectStatus(c.core.createNamespacedConfigMap({ namespace: 'test', body: { metadata: { name: 'cas' } } }), 409, 'AlreadyExists');
    const stale = c.core.patchNamespacedConfigMap({ namespace: 'test', name: 'cas', body: { metadata: { resourceVersion: cm.metadata!.resourceVersion }, data: { v: '4' } } }, merge);
    await expectStatus(stale, 409, 'Conflict');
  });

  void it('applies JSON, merge and strategic merge patches to built-in kinds', async () => {
    await c.core.createNamespacedPod({ namespace: 'test', body: { metadata: { name: 'p', labels: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'busybox:1', env: [{ name: 'A', value: '1' }] }] } } });
    await c.core.patchNamespacedPod({ namespace: 'test', name: 'p', body: { metadata: { labels: { b: '2', a: null } } } }, merge);
    await c.core.patchNamespacedPod({ namespace: 'test', name: 'p', body: [{ op: 'add', path: '/metadata/annotations', value: { x: 'y' } }] }, jsonPatch);
    const pod = await c.core.patchNamespacedPod({ namespace: 'test', name: 'p', body: { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } } }, strategic);
    assert.deepEqual(pod.metadata!.labels, { b: '2' });
    assert.deepEqual(pod.metadata!.annotations, { x: 'y' });
    assert.equal(pod.spec!.containers[0].image, 'busybox:2');
    assert.deepEqual(JSON.parse(JSON.stringify(pod.spec!.containers[0].env)), [{ name: 'A', value: '1' }], 'strategic merge keeps the container env');
    await expectStatus(c.core.patchNamespacedPod({ namespace: 'test', name: 'p', body: [{ op: 'test', path: '/metadata/name', value: 'q' }] }, jsonPatch), 422);
  });

  void it('serves a new CRD within a second, validates, prunes and defaults its objects', async () => {
    const t0 = Date.now();
    // Raw POST: client-node's model serialiser drops JSONSchemaProps.default unless it is spelled `_default`.
    assert.equal((await rawRequest(c.cp, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', widgetCrd)).status, 201);
    const crd = await eventually('CRD established', async () => {
      const got: any = await c.objects.read({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' } } as any);
      return got.status?.conditions?.find((x: any) => x.type === 'Established' && x.status === 'True') ? got : undefined;
    });
    assert.ok(crd);
    const w: any = await c.custom.createNamespacedCustomObject({
      group: 'example.com', version: 'v1', namespace: 'test', plural: 'widgets',
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3, extra: 'pruned' } },
    });
    assert.ok(Date.now() - t0 < 1000, 'served within a second');
    assert.equal(w.spec.color, 'red', 'defaulted');
    assert.equal(w.spec.extra, undefined, 'pruned');
    assert.equal(w.metadata.generation, 1);
    const bad = await expectStatus(c.custom.createNamespacedCustomObject({
      group: 'example.com', version: 'v1', namespace: 'test', plural: 'widgets',
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w2' }, spec: { size: 11, color: 'green' } },
    }), 422, 'Invalid');
    assert.deepEqual(bad.details.causes.map((x: any) => x.field).sort(), ['spec.color', 'spec.size']);
    assert.match(bad.message, /spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10/);
    await expectStatus(c.custom.patchNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'test', plural: 'widgets', name: 'w1', body: { spec: { size: 2 } } }, strategic), 415, 'UnsupportedMediaType');
  });

  void it('keeps spec and status apart and bumps generation only on spec changes', async () => {
    const base = { group: 'example.com', version: 'v1', namespace: 'test', plural: 'widgets', name: 'w1' };
    const before: any = await c.custom.getNamespacedCustomObject(base);
    const afterStatus: any = await c.custom.patchNamespacedCustomObjectStatus({ ...base, body: { status: { ready: true }, spec: { size: 9 } } }, merge);
    assert.equal(afterStatus.status.ready, true);
    assert.equal(afterStatus.spec.size, before.spec.size, 'a status write ignores spec');
    assert.equal(afterStatus.metadata.generation, before.metadata.generation, 'status writes do not bump generation');
    const labelled: any = await c.custom.patchNamespacedCustomObject({ ...base, body: { metadata: { labels: { x: 'y' } }, status: { ready: false } } }, merge);
    assert.equal(labelled.metadata.generation, before.metadata.generation, 'metadata writes do not bump generation');
    assert.equal(labelled.status.ready, true, 'the main resource ignores status');
    const respec: any = await c.custom.patchNamespacedCustomObject({ ...base, body: { spec: { size: 5 } } }, merge);
    assert.equal(respec.metadata.generation, before.metadata.generation + 1);
    const { metadata: _m, ...noVersion } = respec;
    await expectStatus(c.custom.replaceNamespacedCustomObject({ ...base, body: { ...noVersion, metadata: { name: 'w1' } } }), 422, 'Invalid');
  });

  void it('pages lists with limit and continue at one resourceVersion, and filters by selectors', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'pages' } } });
    for (let i = 0; i < 25; i++) await c.core.createNamespacedConfigMap({ namespace: 'pages', body: { metadata: { name: `cm-${String(i).padStart(2, '0')}`, labels: { even: String(i % 2 === 0) } } } });
    const first = await c.core.listNamespacedConfigMap({ namespace: 'pages', limit: 10 });
    assert.equal(first.items.length, 10);
    assert.ok(first.metadata!._continue);
    assert.equal(first.metadata!.remainingItemCount, 15);
    const second = await c.core.listNamespacedConfigMap({ namespace: 'pages', limit: 10, _continue: first.metadata!._continue });
    assert.equal(second.metadata!.resourceVersion, first.metadata!.resourceVersion);
    assert.equal(second.items[0].metadata!.name, 'cm-10');
    const even = await c.core.listNamespacedConfigMap({ namespace: 'pages', labelSelector: 'even=true' });
    assert.equal(even.items.length, 13);
    const byName = await c.core.listNamespacedConfigMap({ namespace: 'pages', fieldSelector: 'metadata.name=cm-03' });
    assert.deepEqual(byName.items.map((i) => i.metadata!.name), ['cm-03']);
    const s = await expectStatus(c.core.listNamespacedConfigMap({ namespace: 'pages', fieldSelector: 'spec.foo=1' }), 400, 'BadRequest');
    assert.equal(s.message, 'field label not supported: spec.foo');
  });

  void it('keeps an object with a finalizer until the finalizer is removed', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'test', body: { metadata: { name: 'fin', finalizers: ['example.com/keep'] } } });
    const deleted = await c.core.deleteNamespacedConfigMap({ namespace: 'test', name: 'fin' }) as any;
    assert.ok(deleted);
    const still = await c.core.readNamespacedConfigMap({ namespace: 'test', name: 'fin' });
    assert.ok(still.metadata!.deletionTimestamp);
    const add = await expectStatus(c.core.patchNamespacedConfigMap({ namespace: 'test', name: 'fin', body: { metadata: { finalizers: ['example.com/keep', 'example.com/more'] } } }, merge), 422, 'Invalid');
    assert.match(add.message, /no new finalizers can be added if the object is being deleted/);
    await c.core.patchNamespacedConfigMap({ namespace: 'test', name: 'fin', body: { metadata: { finalizers: null } } }, merge);
    await expectStatus(c.core.readNamespacedConfigMap({ namespace: 'test', name: 'fin' }), 404, 'NotFound');
  });

  void it('honours dryRun and delete preconditions', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'test', body: { metadata: { name: 'dry' } }, dryRun: 'All' });
    await expectStatus(c.core.readNamespacedConfigMap({ namespace: 'test', name: 'dry' }), 404);
    const cm = await c.core.createNamespacedConfigMap({ namespace: 'test', body: { metadata: { name: 'pre' } } });
    await expectStatus(c.core.deleteNamespacedConfigMap({ namespace: 'test', name: 'pre', body: { preconditions: { uid: 'not-the-uid' } } }), 409, 'Conflict');
    await c.core.deleteNamespacedConfigMap({ namespace: 'test', name: 'pre', body: { preconditions: { uid: cm.metadata!.uid } } });
    await expectStatus(c.core.readNamespacedConfigMap({ namespace: 'test', name: 'pre' }), 404);
  });

  void it('creates and renews a Lease with optimistic concurrency', async () => {
    const coord = c.kc.makeApiClient(k8s.CoordinationV1Api);
    const now = new k8s.V1MicroTime();
    const lease = await coord.createNamespacedLease({ namespace: 'test', body: { metadata: { name: 'leader' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0 } } });
    const renewed = await coord.replaceNamespacedLease({ namespace: 'test', name: 'leader', body: { ...lease, spec: { ...lease.spec, renewTime: new k8s.V1MicroTime() } } });
    assert.notEqual(renewed.metadata!.resourceVersion, lease.metadata!.resourceVersion);
    assert.match(String((await rawRequest(c.cp, 'GET', '/apis/coordination.k8s.io/v1/namespaces/test/leases/leader')).json.spec.renewTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    await expectStatus(coord.replaceNamespacedLease({ namespace: 'test', name: 'leader', body: { ...lease, spec: { ...lease.spec, holderIdentity: 'b' } } }), 409, 'Conflict');
  });

  void it('rejects unauthenticated requests with 401 and a Status body', async () => {
    const r = await rawRequest(c.cp, 'GET', '/api/v1/namespaces', undefined, { authorization: 'Bearer wrong' });
    assert.equal(r.status, 401);
    assert.equal(r.json.reason, 'Unauthorized');
  });

  void it('injects faults by verb and resource', async () => {
    await rawRequest(c.cp, 'PUT', '/debug/faults', { rules: [{ verb: 'create', resource: 'configmaps', code: 429, count: 1 }] });
    const s = await expectStatus(c.core.createNamespacedConfigMap({ namespace: 'test', body: { metadata: { name: 'faulty' } } }), 429, 'TooManyRequests');
    assert.ok(s.message);
    await c.core.createNamespacedConfigMap({ namespace: 'test', body: { metadata: { name: 'faulty' } } });
    await rawRequest(c.cp, 'PUT', '/debug/faults', { rules: [] });
  });
});
