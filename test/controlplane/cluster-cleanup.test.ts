/**
 * Cleanup in the simulated cluster, over HTTPS: garbage collection by ownerReferences (background,
 * foreground with blockOwnerDeletion, orphan; cluster-scoped owners; custom resources), CRD
 * deletion removing its objects, namespace deletion removing every object (waiting for their
 * finalizers), and the default ServiceAccount of new namespaces.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { deployment, MERGE_PATCH, podsOf } from './cluster-fixtures.ts';

type Owner = { apiVersion: string; kind: string; metadata?: { name?: string; uid?: string } };

function ownedBy(owner: Owner, extra: Partial<k8s.V1OwnerReference> = {}): k8s.V1OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, ...extra };
}

const WIDGETS: k8s.V1CustomResourceDefinition & { metadata: { name: string } } = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
  },
};

describe('simulated cleanup controllers', () => {
  let c: TestCluster;
  const ns = 'default';
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => c.stop());

  const cm = async (name: string, meta: Partial<k8s.V1ObjectMeta> = {}) =>
    ({ apiVersion: 'v1', kind: 'ConfigMap', ...(await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, ...meta } } })) });
  const exists = async (name: string) => (await c.core.listNamespacedConfigMap({ namespace: ns, fieldSelector: `metadata.name=${name}` })).items[0];

  it('background: deletes dependents whose owners are all gone, keeps those with a live owner', async () => {
    const owner = await cm('bg-owner');
    const keeper = await cm('bg-keeper');
    await cm('bg-only', { ownerReferences: [ownedBy(owner)] });
    await cm('bg-shared', { ownerReferences: [ownedBy(owner), ownedBy(keeper)] });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'bg-owner', propagationPolicy: 'Background' });
    await eventually('bg-only collected', async () => !(await exists('bg-only')));
    const shared = await eventually('bg-shared loses the gone owner', async () => {
      const x = await exists('bg-shared');
      return x?.metadata?.ownerReferences?.length === 1 ? x : undefined;
    });
    assert.equal(shared.metadata?.ownerReferences?.[0].uid, keeper.metadata?.uid);
  });

  it('foreground: the owner waits, with foregroundDeletion, until blocking dependents are gone', async () => {
    const owner = await cm('fg-owner');
    await cm('fg-dep', { ownerReferences: [ownedBy(owner, { blockOwnerDeletion: true })], finalizers: ['example.com/hold'] });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'fg-owner', propagationPolicy: 'Foreground' });
    const dep = await eventually('dependent being deleted', async () => {
      const x = await exists('fg-dep');
      return x?.metadata?.deletionTimestamp ? x : undefined;
    });
    const waiting = await exists('fg-owner');
    assert.ok(waiting?.metadata?.finalizers?.includes('foregroundDeletion'));
    assert.ok(waiting?.metadata?.deletionTimestamp);
    await c.core.patchNamespacedConfigMap({ namespace: ns, name: dep.metadata!.name!, body: { metadata: { finalizers: null } } }, MERGE_PATCH);
    await eventually('owner gone after its dependent', async () => !(await exists('fg-owner')) && !(await exists('fg-dep')));
  });

  it('orphan: dependents stay, without the reference', async () => {
    const owner = await cm('or-owner');
    await cm('or-dep', { ownerReferences: [ownedBy(owner)] });
    await c.core.deleteNamespacedConfigMap({ namespace: ns, name: 'or-owner', propagationPolicy: 'Orphan' });
    await eventually('owner gone', async () => !(await exists('or-owner')));
    const dep = await exists('or-dep');
    assert.ok(dep, 'dependent kept');
    assert.equal(dep.metadata?.ownerReferences, undefined);
  });

  it('follows cluster-scoped owners and custom resources', async () => {
    await c.objects.create(WIDGETS);
    const role = await c.objects.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'gc-owner' }, rules: [] } as k8s.V1ClusterRole);
    const widget = await eventually('widgets served', async () => c.custom.createNamespacedCustomObject({
      group: 'example.com', version: 'v1', namespace: ns, plural: 'widgets',
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', ownerReferences: [ownedBy(role as Owner)] } },
    }));
    await cm('cm-of-widget', { ownerReferences: [ownedBy(widget as Owner)] });
    await c.objects.delete(role);
    await eventually('widget collected', async () => {
      const list = await c.custom.listNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: ns, plural: 'widgets' });
      return list.items.length === 0;
    });
    await eventually('its ConfigMap collected', async () => !(await exists('cm-of-widget')));
  });

  it('deleting a CRD deletes its objects (cleanup finalizer)', async () => {
    const crd = await c.objects.read(WIDGETS) as k8s.V1CustomResourceDefinition;
    assert.ok(crd.metadata?.finalizers?.includes('customresourcecleanup.apiextensions.k8s.io'));
    await c.custom.createNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: ns, plural: 'widgets', body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w2' } } });
    await c.objects.delete(WIDGETS);
    await eventually('CRD gone', async () => {
      try {
        await c.objects.read(WIDGETS);
        return false;
      } catch (err) {
        return (err as { code?: number }).code === 404;
      }
    });
    await c.objects.create(WIDGETS);
    const again = await eventually('widgets served again', async () => c.custom.listNamespacedCustomObject({ group: 'example.com', version: 'v1', namespace: ns, plural: 'widgets' }));
    assert.equal(again.items.length, 0, 'w2 went with the first CRD');
  });

  it('deleting a Deployment cascades to its ReplicaSet and pods', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('cascade', 2) });
    await eventually('two pods', async () => (await podsOf(c, ns, 'cascade')).length === 2);
    await c.apps.deleteNamespacedDeployment({ namespace: ns, name: 'cascade', propagationPolicy: 'Background' });
    await eventually('replica sets gone', async () => (await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=cascade' })).items.length === 0);
    await eventually('pods gone', async () => (await podsOf(c, ns, 'cascade')).length === 0);
  });

  it('a new namespace gets a default ServiceAccount; deleting it removes its content', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await eventually('default service account', async () => (await c.core.listNamespacedServiceAccount({ namespace: 'doomed' })).items.some((s) => s.metadata?.name === 'default'));
    await c.apps.createNamespacedDeployment({ namespace: 'doomed', body: deployment('app', 2) });
    await c.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'settings' } } });
    await eventually('pods running', async () => (await podsOf(c, 'doomed', 'app')).filter((p) => p.status?.phase === 'Running').length === 2);
    await c.core.deleteNamespace({ name: 'doomed' });
    await eventually('namespace gone', async () => !(await c.core.listNamespace()).items.some((n) => n.metadata?.name === 'doomed'));
    assert.equal((await c.core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=doomed' })).items.length, 0);
    assert.equal((await c.core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.namespace=doomed' })).items.length, 0);
    assert.equal((await c.apps.listReplicaSetForAllNamespaces({ fieldSelector: 'metadata.namespace=doomed' })).items.length, 0);
  });

  it('a terminating namespace waits for finalizers and reports what remains', async () => {
    await c.core.createNamespace({ body: { metadata: { name: 'held' } } });
    await c.core.createNamespacedConfigMap({ namespace: 'held', body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    await c.core.deleteNamespace({ name: 'held' });
    const terminating = await eventually('finalizers reported', async () => {
      const n = await c.core.readNamespace({ name: 'held' });
      return n.status?.conditions?.find((x) => x.type === 'NamespaceFinalizersRemaining')?.status === 'True' ? n : undefined;
    }, 1500);
    assert.equal(terminating.status?.phase, 'Terminating');
    assert.equal(terminating.status?.conditions?.find((x) => x.type === 'NamespaceContentRemaining')?.message,
      'Some resources are remaining: configmaps. has 1 resource instances');
    assert.equal(terminating.status?.conditions?.find((x) => x.type === 'NamespaceFinalizersRemaining')?.message,
      'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    await c.core.patchNamespacedConfigMap({ namespace: 'held', name: 'held', body: { metadata: { finalizers: null } } }, MERGE_PATCH);
    await eventually('namespace gone', async () => !(await c.core.listNamespace()).items.some((n) => n.metadata?.name === 'held'));
  });
});
