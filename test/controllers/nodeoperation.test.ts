/**
 * The NodeOperation controller against the embedded control plane (four simulated nodes, their
 * scheduler, kubelets, Deployments, PodDisruptionBudgets and the eviction subresource). Each test
 * creates NodeOperations over HTTPS and observes nodes, pods, events and the operations' status
 * over HTTPS; nothing reads the controller's memory.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { pino } from 'pino';
import type { NodeOperation, NodeOperationSpec } from '../../src/apis/stream/v1alpha1/nodeoperation.ts';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { FreshClient } from '../../src/controllers/fresh-client.ts';
import { installCrds } from '../../src/controllers/install.ts';
import { streamspaceResources } from '../../src/controllers/kinds.ts';
import { NodeOperationKind, registerNodeOperationKinds } from '../../src/controllers/nodeoperation/kinds.ts';
import { setupNodeOperationController } from '../../src/controllers/nodeoperation/setup.ts';
import { ANNOTATIONS, LABELS } from '../../src/apis/stream/v1alpha1/naming.ts';
import { isNotFound, KubeClient } from '../../src/runtime/client.ts';
import { Manager } from '../../src/runtime/manager.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import { eventually } from '../../src/runtime/testing/eventually.ts';
import { startTestCluster, type TestCluster } from '../support/control-plane.ts';

const NodeKind = { apiVersion: 'v1', kind: 'Node' } as const;
const PodKind = { apiVersion: 'v1', kind: 'Pod' } as const;
const DeploymentKind = { apiVersion: 'apps/v1', kind: 'Deployment' } as const;
const BudgetKind = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' } as const;
const EventKind = { apiVersion: 'v1', kind: 'Event' } as const;
const SessionKind = { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session' } as const;

/** A running controller manager with only the NodeOperation controller. */
interface RunningController {
  stop(): Promise<void>;
}

function startController(c: TestCluster): RunningController {
  const mgr = new Manager({ kubeConfig: c.kc, fieldManager: 'streamspace-controller', resources: streamspaceResources(), logger: pino({ level: 'silent' }) });
  const client = new FreshClient({ client: mgr.getClient(), cache: mgr.getCache(), clock: mgr.getClock() });
  setupNodeOperationController(mgr, {
    client, recorder: mgr.getEventRecorderFor('streamspace-controller'),
    drainTiming: { retryBaseMs: 100, retryMaxMs: 400, pollIntervalMs: 100 },
  });
  const ac = new AbortController();
  const running = mgr.start(ac.signal);
  return {
    async stop() {
      ac.abort();
      await running;
    },
  };
}

void describe('NodeOperation controller', () => {
  let c: TestCluster;
  let api: KubeClient;
  let controller: RunningController;

  before(async () => {
    c = await startTestCluster({ simulation: { nodes: 4 } });
    api = new KubeClient({ kubeConfig: c.kc, fieldManager: 'test', resources: streamspaceResources() });
    registerNodeOperationKinds(api.resources);
    await installCrds(api);
    await eventually(() => api.list(NodeOperationKind, { limit: 1 }), { message: 'NodeOperations served' });
    controller = startController(c);
  });
  after(async () => {
    await controller?.stop();
    await c?.stop();
  });

  // ---- reads and writes over HTTPS ---------------------------------------------------------

  let counter = 0;
  async function createOperation(spec: NodeOperationSpec, name = `op-${++counter}`): Promise<NodeOperation> {
    return api.create<NodeOperation>({ ...NodeOperationKind, metadata: { name }, spec });
  }
  const getOperation = (name: string) => api.get<NodeOperation>(NodeOperationKind, { name });
  async function finished(name: string, timeoutMs = 10_000): Promise<NodeOperation> {
    return eventually(async () => {
      const op = await getOperation(name);
      return op.status?.phase === 'Succeeded' || op.status?.phase === 'Failed' ? op : undefined;
    }, { timeoutMs, message: `NodeOperation ${name} to finish` });
  }
  async function run(spec: NodeOperationSpec): Promise<NodeOperation> {
    const op = await createOperation(spec);
    return finished(op.metadata.name!);
  }
  const getNode = (name: string) => api.get(NodeKind, { name });
  const podsOn = async (node: string) => (await api.list(PodKind, { fieldSelector: `spec.nodeName=${node}` })).items;
  const podsOf = async (namespace: string, app: string) => (await api.list(PodKind, { namespace, labelSelector: `app=${app}` })).items;
  const isReady = (p: KubeObject) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
  const uncordon = (node: string) => api.patch({ ...NodeKind, metadata: { name: node } }, mergePatch({ spec: { unschedulable: null } }));

  async function ensureNamespace(name: string): Promise<void> {
    await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }).catch(() => undefined);
  }

  /** A session-like Deployment (the session label and annotation on its pods) guarded by a budget. */
  async function guardedDeployment(namespace: string, app: string, replicas: number, minAvailable: number, session?: string): Promise<void> {
    await ensureNamespace(namespace);
    const labels: Record<string, string> = { app, ...(session ? { [LABELS.session]: session } : {}) };
    const annotations = session ? { [ANNOTATIONS.session]: session } : undefined;
    await api.create({
      ...DeploymentKind, metadata: { name: app, namespace },
      spec: {
        replicas, selector: { matchLabels: { app } },
        template: { metadata: { labels, annotations }, spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } },
      },
    });
    await api.create({ ...BudgetKind, metadata: { name: app, namespace }, spec: { minAvailable, selector: { matchLabels: { app } } } });
    await eventually(async () => (await podsOf(namespace, app)).filter(isReady).length === replicas, { message: `${replicas} ready pods of ${app}` });
    await eventually(async () => (await api.get(BudgetKind, { namespace, name: app })).status?.currentHealthy === replicas, { message: `budget ${app} current` });
  }
  const scale = (namespace: string, app: string, replicas: number) =>
    api.patch({ ...DeploymentKind, metadata: { name: app, namespace } }, mergePatch({ spec: { replicas } }));

  // ---- the node edits ----------------------------------------------------------------------

  void it('cordons and uncordons a node, and a repeated cordon succeeds without changing it', async () => {
    const cordoned = await run({ nodeName: 'node-1', operation: 'cordon' });
    assert.equal(cordoned.status?.phase, 'Succeeded');
    assert.equal(cordoned.status?.message, 'node node-1 cordoned');
    assert.ok(cordoned.status?.startTime && cordoned.status.completionTime);
    assert.deepEqual(cordoned.status?.conditions?.map((x) => [x.type, x.status, x.reason]), [['Complete', 'True', 'Succeeded']]);
    const node = await getNode('node-1');
    assert.equal(node.spec.unschedulable, true);

    const again = await run({ nodeName: 'node-1', operation: 'cordon' });
    assert.equal(again.status?.phase, 'Succeeded');
    assert.equal(again.status?.message, 'node node-1 was already cordoned');
    assert.equal((await getNode('node-1')).metadata.resourceVersion, node.metadata.resourceVersion, 'the node was not written again');

    const uncordoned = await run({ nodeName: 'node-1', operation: 'uncordon' });
    assert.equal(uncordoned.status?.phase, 'Succeeded');
    assert.notEqual((await getNode('node-1')).spec.unschedulable, true);
  });

  void it('sets and removes labels', async () => {
    const labelled = await run({ nodeName: 'node-2', operation: 'label', parameters: { labels: { 'stream.streamspace.io/pool': 'gpu', team: 'media' } } });
    assert.equal(labelled.status?.phase, 'Succeeded', labelled.status?.message);
    let labels = (await getNode('node-2')).metadata.labels ?? {};
    assert.equal(labels['stream.streamspace.io/pool'], 'gpu');
    assert.equal(labels.team, 'media');
    assert.equal(labels['kubernetes.io/hostname'], 'node-2', 'other labels are kept');

    const unlabelled = await run({ nodeName: 'node-2', operation: 'unlabel', parameters: { labels: { team: '' } } });
    assert.equal(unlabelled.status?.phase, 'Succeeded');
    labels = (await getNode('node-2')).metadata.labels ?? {};
    assert.equal('team' in labels, false);
    assert.equal(labels['stream.streamspace.io/pool'], 'gpu');
  });

  void it('adds, replaces and removes a taint; removing an absent taint succeeds', async () => {
    const key = 'stream.streamspace.io/maintenance';
    const taintsOf = async () => ((await getNode('node-2')).spec.taints ?? []).filter((t: any) => t.key === key);
    assert.equal((await run({ nodeName: 'node-2', operation: 'taint', parameters: { taint: { key, value: 'soon', effect: 'NoSchedule' } } })).status?.phase, 'Succeeded');
    assert.deepEqual(await taintsOf(), [{ key, value: 'soon', effect: 'NoSchedule' }]);

    const replaced = await run({ nodeName: 'node-2', operation: 'taint', parameters: { taint: { key, value: 'now', effect: 'NoSchedule' } } });
    assert.equal(replaced.status?.message, `replaced taint ${key}=now:NoSchedule on node node-2`);
    assert.deepEqual(await taintsOf(), [{ key, value: 'now', effect: 'NoSchedule' }]);

    assert.equal((await run({ nodeName: 'node-2', operation: 'untaint', parameters: { taint: { key } } })).status?.phase, 'Succeeded');
    assert.deepEqual(await taintsOf(), []);
    const absent = await run({ nodeName: 'node-2', operation: 'untaint', parameters: { taint: { key } } });
    assert.equal(absent.status?.phase, 'Succeeded');
    assert.equal(absent.status?.message, `node node-2 had no taint ${key}`);
  });

  void it('fails, without touching the node, an operation on a system key or a missing node', async () => {
    const system = await run({ nodeName: 'node-3', operation: 'label', parameters: { labels: { 'kubernetes.io/hostname': 'elsewhere' } } });
    assert.equal(system.status?.phase, 'Failed');
    assert.match(system.status?.message ?? '', /^spec\.parameters\.labels\[kubernetes\.io\/hostname\]: Forbidden: /);
    assert.equal(system.status?.conditions?.find((x) => x.type === 'Failed')?.reason, 'InvalidSpec');
    assert.equal((await getNode('node-3')).metadata.labels?.['kubernetes.io/hostname'], 'node-3');

    const missing = await run({ nodeName: 'node-9', operation: 'cordon' });
    assert.equal(missing.status?.phase, 'Failed');
    assert.equal(missing.status?.message, 'node node-9 not found');
  });

  void it('deletes a finished operation after ttlSecondsAfterFinished', async () => {
    const op = await createOperation({ nodeName: 'node-3', operation: 'label', parameters: { labels: { ttl: 'yes' } }, ttlSecondsAfterFinished: 1 });
    const done = await finished(op.metadata.name!);
    assert.equal(done.status?.phase, 'Succeeded');
    await eventually(async () => getOperation(op.metadata.name!).then(() => false, (err: unknown) => isNotFound(err)), { message: 'the operation deleted' });
    const kept = await run({ nodeName: 'node-3', operation: 'unlabel', parameters: { labels: { ttl: '' } } });
    assert.equal(kept.status?.phase, 'Succeeded');
    assert.ok(await getOperation(kept.metadata.name!), 'without a TTL the operation is kept');
  });

  // ---- drains ------------------------------------------------------------------------------

  void it('drains session pods past a PodDisruptionBudget once it allows, across a controller restart, and tells the sessions', async () => {
    const ns = 'drain-sessions';
    await ensureNamespace(ns);
    const session = await api.create<KubeObject>({ ...SessionKind, metadata: { name: 'alice-desktop', namespace: ns }, spec: { user: 'alice', template: 'firefox' } });
    await guardedDeployment(ns, 'ss-alice-desktop', 2, 2, 'alice-desktop');
    const [first] = (await podsOf(ns, 'ss-alice-desktop'));
    const node: string = first.spec.nodeName;
    const sessionPodsOnNode = (await podsOf(ns, 'ss-alice-desktop')).filter((p) => p.spec.nodeName === node).map((p) => p.metadata.uid);
    // A mirror pod (the API copy of a static pod) on the node stays; DaemonSet pods are covered by drain-plan.test.ts.
    await api.create({ ...PodKind, metadata: { name: 'static-1', namespace: ns, annotations: { 'kubernetes.io/config.mirror': 'abc' } }, spec: { nodeName: node, containers: [{ name: 's', image: 'busybox:1.36' }] } });

    const op = await createOperation({ nodeName: node, operation: 'drain', parameters: { drain: { gracePeriodSeconds: 0, timeoutSeconds: 120 } } });
    const blocked = await eventually(async () => {
      const o = await getOperation(op.metadata.name!);
      return o.status?.phase === 'Running' && /disruption budget/.test(o.status.message ?? '') ? o : undefined;
    }, { message: 'the drain blocked by the budget' });
    assert.equal(blocked.status?.podsRemaining, sessionPodsOnNode.length);
    assert.match(blocked.status?.message ?? '', /The disruption budget ss-alice-desktop needs 2 healthy pods and has 2 currently/);
    assert.equal((await getNode(node)).spec.unschedulable, true, 'cordoned first');
    assert.equal((await podsOn(node)).filter((p) => p.metadata.namespace === ns && p.metadata.labels?.app === 'ss-alice-desktop').length, sessionPodsOnNode.length, 'nothing evicted');

    // The controller restarts while the drain waits; the new one carries on from the cluster's state.
    await controller.stop();
    controller = startController(c);
    await scale(ns, 'ss-alice-desktop', 3);

    const done = await finished(op.metadata.name!, 20_000);
    assert.equal(done.status?.phase, 'Succeeded', done.status?.message);
    assert.equal(done.status?.podsEvicted, sessionPodsOnNode.length, 'each pod evicted once');
    assert.equal(done.status?.podsRemaining, 0);
    assert.match(done.status?.message ?? '', new RegExp(`^drained node ${node}: \\d pods? evicted; left in place: ${ns}/static-1 \\(is a mirror pod of a static pod\\)$`));
    assert.deepEqual((await podsOn(node)).filter((p) => p.metadata.namespace === ns).map((p) => p.metadata.name), ['static-1']);

    const back = await eventually(async () => {
      const ready = (await podsOf(ns, 'ss-alice-desktop')).filter(isReady);
      return ready.length === 3 ? ready : undefined;
    }, { message: 'three session pods Ready again' });
    assert.ok(back.every((p) => p.spec.nodeName !== node && p.status.phase === 'Running'));

    const events = await eventually(async () => {
      const list = (await api.list(EventKind, { namespace: ns, fieldSelector: 'involvedObject.kind=Session,reason=NodeDrained' })).items;
      return list.length ? list : undefined;
    }, { message: 'a NodeDrained event on the session' });
    assert.equal(events[0].involvedObject.name, 'alice-desktop');
    assert.equal(events[0].involvedObject.uid, session.metadata.uid);
    assert.equal(events[0].involvedObject.apiVersion, 'stream.streamspace.io/v1alpha1');
    assert.match(events[0].message, new RegExp(`^Node ${node} is being drained \\(NodeOperation ${op.metadata.name}\\): pod ${ns}/ss-alice-desktop-`));
    await uncordon(node);
  });

  void it('refuses a drain that would delete unmanaged or emptyDir pods, and does it with force and deleteEmptyDirData', async () => {
    const ns = 'drain-refusals';
    await ensureNamespace(ns);
    const node = 'node-4';
    await api.create({ ...PodKind, metadata: { name: 'bare', namespace: ns }, spec: { nodeName: node, containers: [{ name: 'm', image: 'busybox:1.36' }] } });
    await api.create({ ...PodKind, metadata: { name: 'scratch', namespace: ns }, spec: {
      nodeName: node, containers: [{ name: 'm', image: 'busybox:1.36' }], volumes: [{ name: 'tmp', emptyDir: {} }],
    } });
    const refused = await run({ nodeName: node, operation: 'drain' });
    assert.equal(refused.status?.phase, 'Failed');
    assert.equal(refused.status?.conditions?.find((x) => x.type === 'Failed')?.reason, 'PodsNotEvictable');
    assert.match(refused.status?.message ?? '', new RegExp(`^cannot drain node ${node}: ${ns}/bare \\(is not managed by a controller`));
    assert.match(refused.status?.message ?? '', new RegExp(`${ns}/scratch \\(uses emptyDir volume tmp whose data would be lost .* and is not managed by a controller`));
    assert.deepEqual((await podsOn(node)).filter((p) => p.metadata.namespace === ns).map((p) => p.metadata.name).sort(), ['bare', 'scratch'], 'nothing evicted');

    const onNode = (await podsOn(node)).length; // ours, and replacements earlier tests put here
    const forced = await run({ nodeName: node, operation: 'drain', parameters: { drain: { force: true, deleteEmptyDirData: true, gracePeriodSeconds: 0 } } });
    assert.equal(forced.status?.phase, 'Succeeded', forced.status?.message);
    assert.equal(forced.status?.podsEvicted, onNode);
    assert.deepEqual(await podsOn(node), []);
    await uncordon(node);
  });

  void it('fails a drain at its timeout, naming the pods it could not evict and why', async () => {
    const ns = 'drain-timeout';
    await guardedDeployment(ns, 'pinned', 1, 1);
    const [pod] = await podsOf(ns, 'pinned');
    const node: string = pod.spec.nodeName;
    const started = Date.now();
    const failed = await run({ nodeName: node, operation: 'drain', parameters: { drain: { timeoutSeconds: 2 } } });
    assert.equal(failed.status?.phase, 'Failed');
    assert.equal(failed.status?.conditions?.find((x) => x.type === 'Failed')?.reason, 'Timeout');
    assert.equal(failed.status?.podsRemaining, 1);
    assert.equal(failed.status?.message,
      `timed out after 2s draining node ${node}: 1 pod could not be evicted: ${ns}/${pod.metadata.name} (The disruption budget pinned needs 1 healthy pods and has 1 currently)`);
    assert.ok(Date.now() - started >= 1000, 'it waited for the timeout');
    assert.ok((await podsOn(node)).some((p) => p.metadata.uid === pod.metadata.uid), 'the protected pod is still there');
    await uncordon(node);
  });

  // ---- one at a time per node --------------------------------------------------------------

  void it('runs the operations of one node one at a time, in creation order', async () => {
    const ns = 'serial';
    await guardedDeployment(ns, 'serial', 2, 2);
    const [pod] = await podsOf(ns, 'serial');
    const node: string = pod.spec.nodeName;
    const history: { name: string; phase?: string }[] = [];
    const watch = await new k8s.Watch(c.kc).watch('/apis/stream.streamspace.io/v1alpha1/nodeoperations', {}, (_type, obj: NodeOperation) => {
      history.push({ name: obj.metadata.name!, phase: obj.status?.phase });
    }, () => undefined);
    try {
      // Created back to back (usually within one second), named against their creation order.
      await createOperation({ nodeName: node, operation: 'drain', parameters: { drain: { gracePeriodSeconds: 0 } } }, 'z-drain');
      await createOperation({ nodeName: node, operation: 'uncordon' }, 'y-uncordon');
      await createOperation({ nodeName: node, operation: 'label', parameters: { labels: { serial: 'done' } } }, 'x-label');
      const waiting = await eventually(async () => {
        const o = await getOperation('y-uncordon');
        return o.status?.phase === 'Pending' ? o : undefined;
      }, { message: 'the uncordon waiting' });
      assert.equal(waiting.status?.message, `waiting for NodeOperation z-drain (drain) on node ${node} to finish`);
      assert.equal((await getOperation('z-drain')).status?.phase, 'Running');
      assert.match((await getOperation('x-label')).status?.message ?? '', /^waiting for NodeOperation (z-drain|y-uncordon) /);

      await scale(ns, 'serial', 3);
      const drain = await finished('z-drain', 20_000);
      const uncordoned = await finished('y-uncordon');
      const labelled = await finished('x-label');
      for (const op of [drain, uncordoned, labelled]) assert.equal(op.status?.phase, 'Succeeded', op.status?.message);
      assert.ok(Date.parse(uncordoned.status!.startTime!) >= Date.parse(drain.status!.completionTime!));
      assert.ok(Date.parse(labelled.status!.startTime!) >= Date.parse(uncordoned.status!.completionTime!));
      const final = await getNode(node);
      assert.notEqual(final.spec.unschedulable, true, 'the uncordon ran after the drain');
      assert.equal(final.metadata.labels?.serial, 'done');
    } finally {
      watch.abort();
    }
    // Replay the watch: never two of them Running at once, and they started in creation order.
    const phases = new Map<string, string | undefined>();
    const started: string[] = [];
    for (const { name, phase } of history) {
      if (phase === 'Running' && phases.get(name) !== 'Running' && !started.includes(name)) started.push(name);
      phases.set(name, phase);
      const running = ['z-drain', 'y-uncordon', 'x-label'].filter((n) => phases.get(n) === 'Running');
      assert.ok(running.length <= 1, `running at once: ${running.join(', ')}`);
    }
    assert.deepEqual(started.filter((n) => ['z-drain', 'y-uncordon', 'x-label'].includes(n)), ['z-drain', 'y-uncordon', 'x-label']);
  });
});
