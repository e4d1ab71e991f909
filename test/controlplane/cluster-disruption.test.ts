/**
 * PodDisruptionBudgets in the simulated cluster, over HTTPS: status from minAvailable and
 * maxUnavailable (percentages against the Deployment's replicas), an eviction refused with 429
 * while the budget allows none, and a `kubectl drain`-style loop (cordon, evict, retry on 429) that
 * completes once replacements are Ready on other nodes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, startTestCluster, statusOf, type TestCluster } from '../support/control-plane.ts';
import { conditionOf, deployment, MERGE_PATCH, podsOf } from './cluster-fixtures.ts';

describe('simulated disruption budgets', () => {
  let c: TestCluster;
  let policy: k8s.PolicyV1Api;
  const ns = 'default';
  before(async () => {
    c = await startTestCluster();
    policy = c.kc.makeApiClient(k8s.PolicyV1Api);
  });
  after(async () => c.stop());

  const budget = (name: string) => policy.readNamespacedPodDisruptionBudget({ namespace: ns, name });
  const readyPods = async (app: string) => (await podsOf(c, ns, app)).filter((p) => !p.metadata?.deletionTimestamp && conditionOf(p, 'Ready')?.status === 'True');
  const evict = (name: string) => c.core.createNamespacedPodEviction({ namespace: ns, name, body: { metadata: { name, namespace: ns } } });

  it('reports status for maxUnavailable as a percentage of the Deployment', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('pct', 4) });
    await policy.createNamespacedPodDisruptionBudget({ namespace: ns, body: { metadata: { name: 'pct' }, spec: { maxUnavailable: '50%', selector: { matchLabels: { app: 'pct' } } } } });
    const pdb = await eventually('4 healthy', async () => {
      const b = await budget('pct');
      return b.status?.currentHealthy === 4 ? b : undefined;
    });
    assert.equal(pdb.status?.expectedPods, 4);
    assert.equal(pdb.status?.desiredHealthy, 2);
    assert.equal(pdb.status?.disruptionsAllowed, 2);
    assert.equal(pdb.status?.observedGeneration, pdb.metadata?.generation);
    const cond = pdb.status?.conditions?.find((x) => x.type === 'DisruptionAllowed');
    assert.equal(cond?.status, 'True');
    assert.equal(cond?.reason, 'SufficientPods');
  });

  it('refuses an eviction with 429 while the budget allows none, and allows it once it does', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('strict', 2) });
    await policy.createNamespacedPodDisruptionBudget({ namespace: ns, body: { metadata: { name: 'strict' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'strict' } } } } });
    await eventually('2 healthy', async () => (await budget('strict')).status?.currentHealthy === 2);
    const b = await budget('strict');
    assert.equal(b.status?.disruptionsAllowed, 0);
    assert.equal(b.status?.conditions?.find((x) => x.type === 'DisruptionAllowed')?.reason, 'InsufficientPods');
    const [victim] = await readyPods('strict');
    await assert.rejects(evict(victim.metadata!.name!), (err) => {
      const s = statusOf(err);
      assert.equal(s.code, 429);
      assert.equal(s.reason, 'TooManyRequests');
      assert.equal(s.details?.causes?.[0]?.reason, 'DisruptionBudget');
      assert.equal(s.details?.causes?.[0]?.message, 'The disruption budget strict needs 2 healthy pods and has 2 currently');
      return true;
    });
    await c.apps.patchNamespacedDeploymentScale({ namespace: ns, name: 'strict', body: { spec: { replicas: 3 } } }, MERGE_PATCH);
    await eventually('one disruption allowed', async () => (await budget('strict')).status?.disruptionsAllowed === 1);
    await evict(victim.metadata!.name!);
    const after1 = await eventually('victim being deleted', async () => {
      const x = await budget('strict');
      return x.status?.disruptionsAllowed === 0 ? x : undefined;
    });
    assert.ok((after1.status?.currentHealthy ?? 0) <= 2);
    await eventually('victim gone', async () => !(await podsOf(c, ns, 'strict')).some((p) => p.metadata?.uid === victim.metadata?.uid));
  });

  it('a drain (cordon, evict, retry on 429) finishes once replacements are Ready elsewhere', async () => {
    await c.apps.createNamespacedDeployment({ namespace: ns, body: deployment('guarded', 4) });
    await policy.createNamespacedPodDisruptionBudget({ namespace: ns, body: { metadata: { name: 'guarded' }, spec: { minAvailable: 3, selector: { matchLabels: { app: 'guarded' } } } } });
    const pods = await eventually('4 ready', async () => {
      const r = await readyPods('guarded');
      return r.length === 4 ? r : undefined;
    });
    // The node with the most of the pods (two or more): draining it needs an eviction to wait for a replacement.
    const perNode = new Map<string, string[]>();
    for (const p of pods) perNode.set(p.spec!.nodeName!, [...(perNode.get(p.spec!.nodeName!) ?? []), p.metadata!.name!]);
    const [node, victims] = [...perNode].sort(([, a], [, b]) => b.length - a.length)[0];
    assert.ok(victims.length >= 2);
    await eventually('budget current', async () => (await budget('guarded')).status?.disruptionsAllowed === 1);

    await c.core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, MERGE_PATCH);
    let refusals = 0;
    for (const name of victims) {
      await eventually(`evicted ${name}`, async () => {
        try {
          await evict(name);
          return true;
        } catch (err) {
          if (statusOf(err).code !== 429) throw err;
          refusals++;
          return false;
        }
      });
    }
    assert.ok(refusals > 0, 'the second eviction had to wait for a replacement');
    const settled = await eventually('4 ready, none on the drained node', async () => {
      const r = await readyPods('guarded');
      return r.length === 4 && r.every((p) => p.spec?.nodeName !== node) ? r : undefined;
    });
    assert.equal(settled.length, 4);
    await c.core.patchNode({ name: node, body: { spec: { unschedulable: false } } }, MERGE_PATCH);
  });
});
