/**
 * Simulated storage over HTTPS: the default StorageClass, claims bound to provisioned volumes,
 * WaitForFirstConsumer binding after a pod is scheduled, pods waiting for their claims, claim
 * protection while a pod uses the claim, and reclaim policies when a claim goes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { conditionOf, pod } from './cluster-fixtures.ts';

function claim(name: string, storageClassName?: string): k8s.V1PersistentVolumeClaim {
  return { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName } };
}

describe('simulated storage', () => {
  let c: TestCluster;
  const ns = 'default';
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => c.stop());

  const readClaim = (name: string) => c.core.readNamespacedPersistentVolumeClaim({ namespace: ns, name });
  const bound = (name: string) => eventually(`${name} bound`, async () => {
    const pvc = await readClaim(name);
    return pvc.status?.phase === 'Bound' ? pvc : undefined;
  });
  const gone = (what: string, probe: () => Promise<unknown>) => eventually(`${what} gone`, async () => {
    try {
      await probe();
      return false;
    } catch (err) {
      return (err as { code?: number }).code === 404;
    }
  });

  it('has a default StorageClass "standard"', async () => {
    const sc = await c.objects.read({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'standard' } }) as k8s.V1StorageClass;
    assert.equal(sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
    assert.equal(sc.provisioner, 'streamspace.io/simulated');
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
  });

  it('binds a class-less claim to a volume provisioned through the default class', async () => {
    await c.core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: claim('data') });
    const pvc = await bound('data');
    assert.equal(pvc.spec?.volumeName, `pvc-${pvc.metadata?.uid}`);
    assert.equal(pvc.status?.capacity?.storage, '1Gi');
    assert.deepEqual(pvc.status?.accessModes, ['ReadWriteOnce']);
    assert.equal(pvc.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(pvc.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.ok(pvc.metadata?.finalizers?.includes('kubernetes.io/pvc-protection'));
    const pv = await c.core.readPersistentVolume({ name: pvc.spec!.volumeName! });
    assert.equal(pv.status?.phase, 'Bound');
    assert.equal(pv.spec?.claimRef?.uid, pvc.metadata?.uid);
    assert.equal(pv.spec?.claimRef?.name, 'data');
    assert.equal(pv.spec?.capacity?.storage, '1Gi');
    assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(pv.spec?.storageClassName, 'standard');
  });

  it('writes the default class into a class-less claim', async () => {
    assert.equal((await readClaim('data')).spec?.storageClassName, 'standard');
  });

  it('keeps a used claim until its pod is gone, then deletes the volume (Delete policy)', async () => {
    const pvc = await readClaim('data');
    await c.core.createNamespacedPod({ namespace: ns, body: pod('user', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] }) });
    await eventually('user ready', async () => conditionOf(await c.core.readNamespacedPod({ namespace: ns, name: 'user' }), 'Ready')?.status === 'True');
    await c.core.deleteNamespacedPersistentVolumeClaim({ namespace: ns, name: 'data' });
    const protectedClaim = await readClaim('data');
    assert.ok(protectedClaim.metadata?.deletionTimestamp, 'the claim waits for its pod');
    await c.core.deleteNamespacedPod({ namespace: ns, name: 'user' });
    await gone('claim data', () => readClaim('data'));
    await gone('volume', () => c.core.readPersistentVolume({ name: pvc.spec!.volumeName! }));
  });

  it('WaitForFirstConsumer binds once a pod using the claim is scheduled; a Retain volume is Released', async () => {
    await c.objects.create({
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' },
      provisioner: 'streamspace.io/simulated', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer',
    } as k8s.V1StorageClass);
    await c.core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: claim('late', 'local') });
    await eventually('WaitForFirstConsumer event', async () =>
      (await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=late,reason=WaitForFirstConsumer' })).items.length > 0);
    assert.equal((await readClaim('late')).status?.phase, 'Pending');
    await c.core.createNamespacedPod({ namespace: ns, body: pod('consumer', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'late' } }] }) });
    const pvc = await bound('late');
    const running = await eventually('consumer ready', async () => {
      const p = await c.core.readNamespacedPod({ namespace: ns, name: 'consumer' });
      return conditionOf(p, 'Ready')?.status === 'True' ? p : undefined;
    });
    const pv = await c.core.readPersistentVolume({ name: pvc.spec!.volumeName! });
    assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, [running.spec?.nodeName]);
    await c.core.deleteNamespacedPod({ namespace: ns, name: 'consumer', body: { gracePeriodSeconds: 0 } });
    await c.core.deleteNamespacedPersistentVolumeClaim({ namespace: ns, name: 'late' });
    await eventually('volume Released', async () => (await c.core.readPersistentVolume({ name: pv.metadata!.name! })).status?.phase === 'Released');
  });

  it('does not schedule a pod whose claim does not exist', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('orphan-claim', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'missing' } }] }) });
    const cond = await eventually('unschedulable', async () => {
      const x = conditionOf(await c.core.readNamespacedPod({ namespace: ns, name: 'orphan-claim' }), 'PodScheduled');
      return x?.status === 'False' ? x : undefined;
    });
    assert.equal(cond.message, '0/3 nodes are available: persistentvolumeclaim "missing" not found.');
  });
});
