/**
 * The simulated cluster through the real kubectl: `rollout status`, `scale`, `logs` and `drain`
 * of a node whose pods a PodDisruptionBudget covers.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { kubectlFor, type Kubectl } from '../support/kubectl.ts';
import { conditionOf, deployment, podsOf } from './cluster-fixtures.ts';

function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('simulated cluster with kubectl', { skip: !hasKubectl() && 'kubectl not installed' }, () => {
  let c: TestCluster;
  let kubectl: Kubectl;
  before(async () => {
    c = await startTestCluster();
    kubectl = kubectlFor(c.kubeconfigPath, c.tmp);
  });
  after(async () => c.stop());

  it('rollout status waits for a Deployment, scale changes it, logs show the container', async () => {
    await c.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('shop', 2) });
    const status = await kubectl.ok(['rollout', 'status', 'deployment/shop', '--timeout=20s']);
    assert.match(status, /deployment "shop" successfully rolled out/);
    await kubectl.ok(['scale', 'deployment/shop', '--replicas=3']);
    assert.match(await kubectl.ok(['rollout', 'status', 'deployment/shop', '--timeout=20s']), /successfully rolled out/);
    assert.equal((await podsOf(c, 'default', 'shop')).length, 3);
    await kubectl.ok(['set', 'image', 'deployment/shop', 'main=nginx:1.28']);
    assert.match(await kubectl.ok(['rollout', 'status', 'deployment/shop', '--timeout=20s']), /successfully rolled out/);
    const history = await kubectl.ok(['rollout', 'history', 'deployment/shop']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
    await kubectl.ok(['rollout', 'undo', 'deployment/shop']);
    assert.match(await kubectl.ok(['rollout', 'status', 'deployment/shop', '--timeout=20s']), /successfully rolled out/);
    const undone = await c.apps.readNamespacedDeployment({ namespace: 'default', name: 'shop' });
    assert.equal(undone.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
    await eventually('pods back on nginx:1.27', async () => {
      const pods = (await podsOf(c, 'default', 'shop')).filter((p) => !p.metadata?.deletionTimestamp);
      return pods.length === 3 && pods.every((p) => p.spec?.containers[0].image === 'nginx:1.27');
    });
    const [pod] = await podsOf(c, 'default', 'shop');
    assert.match(await kubectl.ok(['logs', pod.metadata!.name!]), /Started container main/);
  });

  it('drains a node covered by a PodDisruptionBudget', async () => {
    await c.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('svc', 3) });
    await kubectl.ok(['create', 'poddisruptionbudget', 'svc', '--selector=app=svc', '--min-available=2']);
    await kubectl.ok(['rollout', 'status', 'deployment/svc', '--timeout=20s']);
    await eventually('budget allows one', async () => {
      const out = await kubectl.ok(['get', 'pdb', 'svc', '-o', 'jsonpath={.status.disruptionsAllowed}']);
      return out === '1';
    });
    const node = (await podsOf(c, 'default', 'svc'))[0].spec!.nodeName!;
    const drained = await kubectl.run(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=30s'], undefined, 40_000);
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout, new RegExp(`node/${node} drained`));
    await eventually('three ready pods elsewhere', async () => {
      const pods = (await podsOf(c, 'default', 'svc')).filter((p) => !p.metadata?.deletionTimestamp);
      return pods.length === 3 && pods.every((p) => p.spec?.nodeName !== node && conditionOf(p, 'Ready')?.status === 'True');
    });
    const nodeAfter = await c.core.readNode({ name: node });
    assert.equal(nodeAfter.spec?.unschedulable, true);
  });
});
