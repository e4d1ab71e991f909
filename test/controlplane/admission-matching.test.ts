/**
 * Which requests reach which admission webhooks: namespaceSelector (including Namespace objects
 * and cluster-scoped objects), objectSelector (object or old object), rules with subresources and
 * scope, matchPolicy Equivalent versus Exact across CRD versions, reinvocationPolicy IfNeeded, and
 * the exemption of webhook configurations. Over HTTPS with @kubernetes/client-node against a real
 * webhook server.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { webhookAdmission } from '../../src/controlplane/admission/webhooks.ts';
import { eventually, rawRequest, startTestCluster, statusOf, type TestCluster } from '../support/control-plane.ts';
import { allow, patchAnswer, startWebhookServer, type WebhookServer } from './admission-webhook-server.ts';

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: ['v1', 'v2'].map((name) => ({
      name, served: true, storage: name === 'v1', subresources: { status: {} },
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
    })),
  },
};

void describe('admission webhook matching', () => {
  let wh: WebhookServer;
  let c: TestCluster;
  const created: k8s.KubernetesObject[] = [];

  before(async () => {
    wh = await startWebhookServer();
    c = await startTestCluster({ admission: webhookAdmission() });
    await c.core.createNamespace({ body: { metadata: { name: 'team-a', labels: { team: 'a' } } } });
    await c.core.createNamespace({ body: { metadata: { name: 'team-b', labels: { team: 'b' } } } });
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
      sideEffects: 'None', admissionReviewVersions: ['v1'], ...extra,
    };
  }

  async function register(kind: 'Mutating' | 'Validating', name: string, webhooks: Record<string, unknown>[]): Promise<void> {
    const config = { apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks };
    created.push(await c.objects.create(config));
  }

  const namesOn = (path: string): string[] => wh.on(path).map((r) => `${r.review.request.namespace ?? ''}/${r.review.request.name}`);

  void it('matches namespaceSelector against the labels of the request namespace', async () => {
    wh.handle('/ns', allow);
    await register('Validating', 'ns', [webhook('ns.example.com', '/ns', { namespaceSelector: { matchLabels: { team: 'a' } } })]);
    await c.core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'in-a' } } });
    await c.core.createNamespacedConfigMap({ namespace: 'team-b', body: { metadata: { name: 'in-b' } } });
    assert.deepEqual(namesOn('/ns'), ['team-a/in-a']);
  });

  void it('matches a Namespace by its own labels and never excludes other cluster-scoped objects', async () => {
    wh.handle('/cluster', allow);
    const rules = [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces', 'persistentvolumes'] }];
    await register('Validating', 'cluster', [webhook('cluster.example.com', '/cluster', { rules, namespaceSelector: { matchLabels: { env: 'prod' } } })]);
    await c.core.createNamespace({ body: { metadata: { name: 'ns-prod', labels: { env: 'prod' } } } });
    await c.core.createNamespace({ body: { metadata: { name: 'ns-dev', labels: { env: 'dev' } } } });
    await c.core.createPersistentVolume({ body: { metadata: { name: 'pv-any' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv' } } } });
    assert.deepEqual(namesOn('/cluster'), ['/ns-prod', '/pv-any']);
  });

  void it('matches objectSelector against the object or the old object', async () => {
    await c.core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'was-selected', labels: { watch: 'yes' } } } });
    wh.handle('/obj', allow);
    await register('Validating', 'obj', [webhook('obj.example.com', '/obj', { objectSelector: { matchExpressions: [{ key: 'watch', operator: 'In', values: ['yes'] }] } })]);
    await c.core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'selected', labels: { watch: 'yes' } } } });
    await c.core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'ignored', labels: { watch: 'no' } } } });
    // Removing the label is still seen: the old object matches.
    await c.core.replaceNamespacedConfigMap({ name: 'was-selected', namespace: 'team-a', body: { metadata: { name: 'was-selected', labels: {} }, data: { x: '1' } } });
    assert.deepEqual(namesOn('/obj'), ['team-a/selected', 'team-a/was-selected']);
    assert.equal(wh.on('/obj')[1].review.request.operation, 'UPDATE');
  });

  void it('answers 404 for a namespaceSelector on a namespace that does not exist', async () => {
    // A webhook that applies but whose namespace cannot be found refuses the request (kube's backwards-compatible 404).
    wh.handle('/gone', allow);
    await register('Validating', 'gone', [webhook('gone.example.com', '/gone', { namespaceSelector: { matchLabels: { team: 'a' } } })]);
    const err = await c.core.createNamespacedConfigMap({ namespace: 'no-such-ns', body: { metadata: { name: 'x' } } }).then(() => undefined, (e: unknown) => e);
    assert.equal(statusOf(err).code, 404);
    assert.equal(wh.on('/gone').length, 0);
  });

  void it('reinvokes IfNeeded webhooks once after a later webhook changed the object', async () => {
    const sawLabel = (review: any) => String(review.request.object.metadata.labels?.later === 'set');
    wh.handle('/first', (review) => patchAnswer([{ op: 'add', path: `/data/round${wh.on('/first').length}`, value: sawLabel(review) }]));
    wh.handle('/second', () => patchAnswer([{ op: 'add', path: '/metadata/labels', value: { later: 'set' } }]));
    await register('Mutating', 'a-first', [webhook('first.example.com', '/first', { reinvocationPolicy: 'IfNeeded' })]);
    await register('Mutating', 'b-second', [webhook('second.example.com', '/second')]);
    const cm = await c.core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'reinvoked' }, data: {} } });
    assert.equal(wh.on('/first').length, 2);
    assert.equal(wh.on('/second').length, 1, 'reinvocationPolicy Never');
    assert.deepEqual(cm.data, { round1: 'false', round2: 'true' });
    assert.equal(wh.on('/first')[1].review.request.object.data.round1, 'false');
    assert.equal(cm.metadata?.labels?.later, 'set');
  });

  void it('in the second round, calls again an IfNeeded webhook whose earlier change was changed once more', async () => {
    // Round 1: first, then second change the object. Round 2: first changes it again, so second
    // (IfNeeded, called before that change) is due too; there is no third round.
    let n = 0;
    wh.handle('/first', () => patchAnswer([{ op: 'add', path: '/data/first', value: String(++n) }]));
    wh.handle('/second', (review) => patchAnswer([{ op: 'add', path: '/data/second', value: review.request.object.data.first }]));
    await register('Mutating', 'a-first', [webhook('first.example.com', '/first', { reinvocationPolicy: 'IfNeeded' })]);
    await register('Mutating', 'b-second', [webhook('second.example.com', '/second', { reinvocationPolicy: 'IfNeeded' })]);
    const cm = await c.core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'reinvoked-twice' }, data: {} } });
    assert.equal(wh.on('/first').filter((r) => r.review.request.name === 'reinvoked-twice').length, 2);
    assert.equal(wh.on('/second').filter((r) => r.review.request.name === 'reinvoked-twice').length, 2);
    assert.deepEqual(cm.data, { first: '2', second: '2' });
  });

  void it('does not reinvoke webhooks with reinvocationPolicy Never', async () => {
    wh.handle('/never', () => patchAnswer([{ op: 'add', path: '/data/never', value: 'x' }]));
    wh.handle('/changer', () => patchAnswer([{ op: 'add', path: '/data/changer', value: 'y' }]));
    await register('Mutating', 'a-never', [webhook('never.example.com', '/never')]);
    await register('Mutating', 'b-changer', [webhook('changer.example.com', '/changer')]);
    await c.core.createNamespacedConfigMap({ namespace: 'team-a', body: { metadata: { name: 'not-reinvoked' }, data: {} } });
    assert.equal(wh.on('/never').length, 1);
  });

  void it('never sends webhook configurations to webhooks', async () => {
    wh.handle('/all', allow);
    await register('Validating', 'all', [webhook('all.example.com', '/all', {
      rules: [{ operations: ['*'], apiGroups: ['admissionregistration.k8s.io'], apiVersions: ['*'], resources: ['*'] }],
    })]);
    await register('Mutating', 'another', [webhook('another.example.com', '/unused')]);
    assert.equal(wh.on('/all').length, 0);
  });

  void describe('with a custom resource served at two versions', () => {
    before(async () => {
      // Raw JSON: client-node's CRD model would drop x-kubernetes-preserve-unknown-fields.
      const res = await rawRequest(c.cp, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD);
      assert.equal(res.status, 201, res.text);
      await eventually('widgets served at v2', async () => {
        const res = await c.custom.listNamespacedCustomObject({ group: 'example.com', version: 'v2', namespace: 'team-a', plural: 'widgets' }).catch(() => undefined);
        return res !== undefined;
      });
    });

    const widget = (name: string) => ({ apiVersion: 'example.com/v2', kind: 'Widget', metadata: { name }, spec: { size: 1 } });
    const createV2 = (name: string) => c.custom.createNamespacedCustomObject({ group: 'example.com', version: 'v2', namespace: 'team-a', plural: 'widgets', body: widget(name) });
    const v1Rule = (resources: string[], operations = ['CREATE']) => [{ operations, apiGroups: ['example.com'], apiVersions: ['v1'], resources }];

    void it('matches an equivalent version under matchPolicy Equivalent and sends the object at the rule version', async () => {
      wh.handle('/equivalent', () => patchAnswer([{ op: 'add', path: '/spec/seenAs', value: 'v1' }]));
      await register('Mutating', 'equivalent', [webhook('equivalent.example.com', '/equivalent', { rules: v1Rule(['widgets']) })]);
      const w = await createV2('eq') as any;
      const [call] = wh.on('/equivalent');
      assert.deepEqual(call.review.request.kind, { group: 'example.com', version: 'v1', kind: 'Widget' });
      assert.deepEqual(call.review.request.resource, { group: 'example.com', version: 'v1', resource: 'widgets' });
      assert.deepEqual(call.review.request.requestKind, { group: 'example.com', version: 'v2', kind: 'Widget' });
      assert.deepEqual(call.review.request.requestResource, { group: 'example.com', version: 'v2', resource: 'widgets' });
      assert.equal(call.review.request.object.apiVersion, 'example.com/v1');
      assert.equal(w.apiVersion, 'example.com/v2');
      assert.equal(w.spec.seenAs, 'v1');
    });

    void it('ignores other versions under matchPolicy Exact', async () => {
      wh.handle('/exact', allow);
      await register('Validating', 'exact', [webhook('exact.example.com', '/exact', { rules: v1Rule(['widgets']), matchPolicy: 'Exact' })]);
      await createV2('exact');
      assert.equal(wh.on('/exact').length, 0);
    });

    void it('matches the status subresource by resource/subresource rules only', async () => {
      wh.handle('/status', allow);
      wh.handle('/main', allow);
      await register('Validating', 'status', [
        webhook('status.example.com', '/status', { rules: v1Rule(['*/status'], ['UPDATE']) }),
        webhook('main.example.com', '/main', { rules: v1Rule(['widgets'], ['UPDATE']) }),
      ]);
      const w = await c.custom.getNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: 'team-a', plural: 'widgets', name: 'exact' }) as any;
      await c.custom.replaceNamespacedCustomObjectStatus({
        group: 'example.com', version: 'v1', namespace: 'team-a', plural: 'widgets', name: 'exact', body: { ...w, status: { ready: true } },
      });
      assert.equal(wh.on('/main').length, 0);
      const [call] = wh.on('/status');
      assert.equal(call.review.request.subResource, 'status');
      assert.equal(call.review.request.requestSubResource, 'status');
      assert.equal(call.review.request.object.status.ready, true);
    });

    void it('honours rule scope', async () => {
      wh.handle('/cluster-only', allow);
      await register('Validating', 'cluster-only', [webhook('cluster-only.example.com', '/cluster-only', {
        rules: [{ operations: ['CREATE'], apiGroups: ['*'], apiVersions: ['*'], resources: ['widgets', 'namespaces'], scope: 'Cluster' }],
      })]);
      await createV2('scoped');
      await c.core.createNamespace({ body: { metadata: { name: 'ns-scoped' } } });
      assert.deepEqual(namesOn('/cluster-only'), ['/ns-scoped']);
    });
  });
});
