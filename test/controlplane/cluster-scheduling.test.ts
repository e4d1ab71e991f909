/**
 * The simulated scheduler and node lifecycle, over HTTPS: default nodes, cordon, taints and
 * tolerations, nodeSelector, resource requests against allocatable (with kube's FailedScheduling
 * message and event), retry when room appears, and pods leaving a node that goes NotReady.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { conditionOf, eventsAbout, MERGE_PATCH, pod, setNodeReady, setSimulation } from './cluster-fixtures.ts';

describe('simulated scheduler', () => {
  let c: TestCluster;
  const ns = 'default';
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => c.stop());

  async function scheduled(name: string): Promise<k8s.V1Pod> {
    return eventually(`${name} scheduled`, async () => {
      const p = await c.core.readNamespacedPod({ namespace: ns, name });
      return p.spec?.nodeName ? p : undefined;
    });
  }

  async function unschedulable(name: string): Promise<k8s.V1PodCondition> {
    return eventually(`${name} unschedulable`, async () => {
      const cond = conditionOf(await c.core.readNamespacedPod({ namespace: ns, name }), 'PodScheduled');
      return cond?.status === 'False' && cond.reason === 'Unschedulable' ? cond : undefined;
    });
  }

  it('registers three Ready nodes with capacity, addresses and kubelet version', async () => {
    const nodes = (await c.core.listNode()).items;
    assert.deepEqual(nodes.map((n) => n.metadata?.name), ['node-1', 'node-2', 'node-3']);
    for (const n of nodes) {
      assert.equal(n.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'True');
      assert.equal(n.status?.allocatable?.cpu, '8');
      assert.equal(n.status?.capacity?.memory, '32Gi');
      assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.34.0');
      assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], n.metadata?.name);
      assert.equal(n.metadata?.labels?.['kubernetes.io/os'], 'linux');
      assert.ok(n.metadata?.labels?.['topology.kubernetes.io/zone']);
      assert.deepEqual(n.status?.addresses?.map((a) => a.type), ['InternalIP', 'Hostname']);
    }
  });

  it('binds with PodScheduled=True and a Scheduled event, honouring nodeSelector', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('pinned', { nodeSelector: { 'kubernetes.io/hostname': 'node-2' } }) });
    const p = await scheduled('pinned');
    assert.equal(p.spec?.nodeName, 'node-2');
    await eventually('PodScheduled=True', async () => conditionOf(await c.core.readNamespacedPod({ namespace: ns, name: 'pinned' }), 'PodScheduled')?.status === 'True');
    const ev = await eventually('Scheduled event', async () => (await eventsAbout(c, ns, 'pinned')).find((e) => e.reason === 'Scheduled'));
    assert.equal(ev.message, 'Successfully assigned default/pinned to node-2');
    assert.equal(ev.source?.component, 'default-scheduler');
  });

  it('reports why nothing fits: cordon, taints, selector, insufficient cpu — and schedules once room appears', async () => {
    await c.core.patchNode({ name: 'node-1', body: { spec: { unschedulable: true } } }, MERGE_PATCH);
    await c.core.patchNode({ name: 'node-2', body: { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } } }, MERGE_PATCH);
    await c.core.createNamespacedPod({ namespace: ns, body: pod('big', { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '9' } } }] }) });
    const cond = await unschedulable('big');
    assert.equal(cond.message,
      '0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: db}, 1 node(s) were unschedulable.');
    const warning = await eventually('FailedScheduling', async () => (await eventsAbout(c, ns, 'big')).find((e) => e.reason === 'FailedScheduling'));
    assert.equal(warning.type, 'Warning');
    assert.equal(warning.message, cond.message);

    // A pod that tolerates the taint and asks for little lands on node-2; one selecting a missing label lands nowhere.
    await c.core.createNamespacedPod({
      namespace: ns,
      body: pod('tolerant', { nodeSelector: { 'kubernetes.io/hostname': 'node-2' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }),
    });
    assert.equal((await scheduled('tolerant')).spec?.nodeName, 'node-2');
    await c.core.createNamespacedPod({ namespace: ns, body: pod('nowhere', { nodeSelector: { disk: 'ssd' } }) });
    // Each node reports the first filter it fails, in kube's plugin order.
    assert.equal((await unschedulable('nowhere')).message,
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: db}, 1 node(s) were unschedulable.");

    // Raising node-3's capacity (status) is a node change: the waiting pod is retried and fits.
    await c.core.patchNodeStatus({ name: 'node-3', body: { status: { allocatable: { cpu: '16' }, capacity: { cpu: '16' } } } }, MERGE_PATCH);
    assert.equal((await scheduled('big')).spec?.nodeName, 'node-3');
    await c.core.patchNode({ name: 'node-1', body: { spec: { unschedulable: false } } }, MERGE_PATCH);
    await c.core.patchNode({ name: 'node-2', body: { spec: { taints: null } } }, MERGE_PATCH);
  });

  it('counts requests already on a node: a second big pod does not fit where the first went', async () => {
    const big = (cpu: string) => [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu, memory: '1Gi' } } }];
    await c.core.createNamespacedPod({ namespace: ns, body: pod('half-a', { nodeSelector: { 'kubernetes.io/hostname': 'node-1' }, containers: big('5') }) });
    await scheduled('half-a');
    await c.core.createNamespacedPod({ namespace: ns, body: pod('half-b', { nodeSelector: { 'kubernetes.io/hostname': 'node-1' }, containers: big('5') }) });
    const cond = await unschedulable('half-b');
    assert.equal(cond.message, "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.");
    await c.core.deleteNamespacedPod({ namespace: ns, name: 'half-a' });
    assert.equal((await scheduled('half-b')).spec?.nodeName, 'node-1');
  });

  it('a node going NotReady is tainted, evicts its pods, and takes no new ones', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('victim', { nodeSelector: { 'kubernetes.io/hostname': 'node-3' } }) });
    await scheduled('victim');
    await setNodeReady(c, 'node-3', false);
    const tainted = await eventually('not-ready taints', async () => {
      const n = await c.core.readNode({ name: 'node-3' });
      return n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoExecute') ? n : undefined;
    });
    assert.ok(tainted.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoSchedule'));
    await eventually('victim evicted', async () => !(await c.core.listNamespacedPod({ namespace: ns, fieldSelector: 'metadata.name=victim' })).items.length);
    await c.core.createNamespacedPod({ namespace: ns, body: pod('after-outage', { nodeSelector: { 'kubernetes.io/hostname': 'node-3' } }) });
    assert.equal((await unschedulable('after-outage')).message, '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 2 node(s) didn\'t match Pod\'s node affinity/selector.');
    await setNodeReady(c, 'node-3', true);
    assert.equal((await scheduled('after-outage')).spec?.nodeName, 'node-3');
    const n = await c.core.readNode({ name: 'node-3' });
    assert.ok(!n.spec?.taints?.some((t) => t.key.startsWith('node.kubernetes.io/')), JSON.stringify(n.spec?.taints));
  });

  it('adds and removes simulated nodes when the node count changes at runtime', async () => {
    await setSimulation(c, { nodes: 4, nodeSpecs: [{}, {}, {}, { labels: { disk: 'ssd' }, capacity: { cpu: '2' } }] });
    const added = await eventually('node-4', async () => (await c.core.listNode()).items.find((n) => n.metadata?.name === 'node-4'));
    assert.equal(added.metadata?.labels?.disk, 'ssd');
    assert.equal(added.status?.allocatable?.cpu, '2');
    assert.equal(added.spec?.podCIDR, '10.244.3.0/24');
    // The pod that selected a missing label finds its node.
    assert.equal((await scheduled('nowhere')).spec?.nodeName, 'node-4');
    await setSimulation(c, { nodes: 3 });
    await eventually('node-4 removed', async () => !(await c.core.listNode()).items.some((n) => n.metadata?.name === 'node-4'));
    await eventually('its pod removed too', async () => !(await c.core.listNamespacedPod({ namespace: ns, fieldSelector: 'metadata.name=nowhere' })).items.length);
  });
});
