/**
 * Deployments and ReplicaSets in the simulated cluster, observed only over HTTPS: a Deployment gets
 * a `<name>-<hash>` ReplicaSet whose pods become Ready, status is what `kubectl rollout status`
 * needs, scaling (to zero and back) works through the scale subresource, a template change rolls a
 * new ReplicaSet within maxUnavailable, Recreate stops old pods first, and ReplicaSets replace
 * deleted pods and adopt matching orphans.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { deployment, MERGE_PATCH, pod, podsOf } from './cluster-fixtures.ts';

/** What `kubectl rollout status` waits for (kubectl's DeploymentStatusViewer). */
function rolledOut(d: k8s.V1Deployment): boolean {
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return false;
  const want = d.spec?.replicas ?? 1;
  return (s.updatedReplicas ?? 0) >= want && (s.replicas ?? 0) <= (s.updatedReplicas ?? 0) && (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0);
}

async function waitRolledOut(c: TestCluster, ns: string, name: string): Promise<k8s.V1Deployment> {
  return eventually(`deployment ${name} rolled out`, async () => {
    const d = await c.apps.readNamespacedDeployment({ namespace: ns, name });
    return rolledOut(d) ? d : undefined;
  });
}

describe('simulated Deployments and ReplicaSets', () => {
  let c: TestCluster;
  const ns = 'default';
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => c.stop());

  it('creates a <name>-<hash> ReplicaSet whose pods become Ready, with rollout status fields', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', 3) });
    const d = await waitRolledOut(c, ns, 'web');
    assert.equal(d.status?.readyReplicas, 3);
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    const available = d.status?.conditions?.find((x) => x.type === 'Available');
    const progressing = d.status?.conditions?.find((x) => x.type === 'Progressing');
    assert.equal(available?.reason, 'MinimumReplicasAvailable');
    assert.equal(progressing?.reason, 'NewReplicaSetAvailable');

    const [rs] = (await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' })).items;
    const hash = rs.metadata?.labels?.['pod-template-hash'];
    assert.match(hash ?? '', /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs.metadata?.name, `web-${hash}`);
    assert.equal(rs.spec?.selector.matchLabels?.['pod-template-hash'], hash);
    assert.equal(rs.spec?.template?.metadata?.labels?.['pod-template-hash'], hash);
    assert.deepEqual(rs.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller, r.blockOwnerDeletion]),
      [['Deployment', 'web', d.metadata?.uid, true, true]]);
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');

    const pods = await podsOf(c, ns, 'web');
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.ok(p.metadata?.name?.startsWith(`web-${hash}-`), p.metadata?.name);
      assert.equal(p.metadata?.ownerReferences?.[0]?.uid, rs.metadata?.uid);
      assert.equal(p.status?.phase, 'Running');
      assert.ok(p.spec?.nodeName);
    }
    // The default scheduler spreads empty pods over the three nodes.
    assert.equal(new Set(pods.map((p) => p.spec?.nodeName)).size, 3);
  });

  it('scales to zero through the scale subresource, leaving no pods, and back', async () => {
    await c.apps.patchNamespacedDeploymentScale({ namespace: ns, name: 'web', body: { spec: { replicas: 0 } } }, MERGE_PATCH);
    await eventually('no web pods', async () => (await podsOf(c, ns, 'web')).length === 0);
    const zero = await waitRolledOut(c, ns, 'web');
    assert.equal(zero.status?.replicas ?? 0, 0);
    const scale = await c.apps.readNamespacedDeploymentScale({ namespace: ns, name: 'web' });
    assert.equal(scale.spec?.replicas, 0);

    await c.apps.patchNamespacedDeploymentScale({ namespace: ns, name: 'web', body: { spec: { replicas: 2 } } }, MERGE_PATCH);
    const back = await eventually('two ready again', async () => {
      const d = await c.apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
      return d.status?.readyReplicas === 2 && rolledOut(d) ? d : undefined;
    });
    assert.equal(back.status?.availableReplicas, 2);
    assert.equal((await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' })).items.length, 1);
  });

  it('rolls a template change to a new ReplicaSet without dropping below maxUnavailable', async () => {
    await c.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('roll', 3, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }),
    });
    const before1 = await waitRolledOut(c, ns, 'roll');
    const oldRs = (await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=roll' })).items[0];
    await c.apps.patchNamespacedDeployment({ namespace: ns, name: 'roll', body: { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.28' }] } } } } }, MERGE_PATCH);
    let lowest = 3;
    const done = await eventually('rollout of nginx:1.28', async () => {
      const d = await c.apps.readNamespacedDeployment({ namespace: ns, name: 'roll' });
      if ((d.metadata?.generation ?? 0) <= (d.status?.observedGeneration ?? 0)) lowest = Math.min(lowest, d.status?.availableReplicas ?? 0);
      return d.metadata?.generation !== before1.metadata?.generation && rolledOut(d) ? d : undefined;
    });
    assert.equal(lowest, 3, 'maxUnavailable 0 keeps three pods available throughout');
    assert.equal(done.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    const sets = (await c.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=roll' })).items;
    assert.equal(sets.length, 2);
    const newRs = sets.find((r) => r.metadata?.uid !== oldRs.metadata?.uid)!;
    assert.equal(newRs.spec?.replicas, 3);
    assert.equal(newRs.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(sets.find((r) => r.metadata?.uid === oldRs.metadata?.uid)?.spec?.replicas, 0);
    await eventually('only new pods', async () => {
      const pods = await podsOf(c, ns, 'roll');
      return pods.length === 3 && pods.every((p) => p.spec?.containers[0].image === 'nginx:1.28' && p.metadata?.ownerReferences?.[0].uid === newRs.metadata?.uid);
    });
  });

  it('Recreate scales the old ReplicaSet down before the new one up', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('recreate', 2, { strategy: { type: 'Recreate' } }) });
    await waitRolledOut(c, ns, 'recreate');
    await c.apps.patchNamespacedDeployment({ namespace: ns, name: 'recreate', body: { spec: { template: { metadata: { annotations: { rev: '2' } } } } } }, MERGE_PATCH);
    const d = await eventually('recreated', async () => {
      const x = await c.apps.readNamespacedDeployment({ namespace: ns, name: 'recreate' });
      return x.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2' && rolledOut(x) ? x : undefined;
    });
    assert.equal(d.status?.availableReplicas, 2);
    const events = (await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=recreate,reason=ScalingReplicaSet' })).items;
    const messages = events.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1)).map((e) => e.message ?? '');
    const down = messages.findIndex((m) => /^Scaled down replica set recreate-\w+ from 2 to 0$/.test(m));
    const up = messages.findIndex((m, i) => i > 0 && /^Scaled up replica set recreate-\w+ from 0 to 2$/.test(m));
    assert.ok(down >= 0 && up > down, messages.join(' | '));
  });

  it('a ReplicaSet replaces a deleted pod and adopts a matching orphan', async () => {
    await c.apps.createNamespacedReplicaSet({
      namespace: ns,
      body: { metadata: { name: 'bare' }, spec: { replicas: 2, selector: { matchLabels: { app: 'bare' } }, template: { metadata: { labels: { app: 'bare' } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } } } },
    });
    const first = await eventually('two pods', async () => {
      const pods = await podsOf(c, ns, 'bare');
      return pods.length === 2 ? pods : undefined;
    });
    await c.core.deleteNamespacedPod({ namespace: ns, name: first[0].metadata!.name!, body: { gracePeriodSeconds: 0 } });
    await eventually('replacement created', async () => {
      const pods = await podsOf(c, ns, 'bare');
      return pods.length === 2 && !pods.some((p) => p.metadata?.name === first[0].metadata?.name);
    });
    // An orphan with matching labels is adopted, and the surplus pod removed.
    await c.core.createNamespacedPod({ namespace: ns, body: pod('stray', {}, { labels: { app: 'bare' } }) });
    await eventually('two pods after adoption', async () => {
      const pods = await podsOf(c, ns, 'bare');
      return pods.length === 2 && pods.every((p) => p.metadata?.ownerReferences?.[0]?.name === 'bare');
    });
    const rs = await c.apps.readNamespacedReplicaSet({ namespace: ns, name: 'bare' });
    assert.equal(rs.status?.replicas, 2);
    assert.equal(rs.status?.observedGeneration, rs.metadata?.generation);
  });
});
