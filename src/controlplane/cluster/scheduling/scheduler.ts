/**
 * The simulated kube-scheduler. It binds each pending pod without a node (schedulerName
 * default-scheduler) to a node that passes the filters kube's default profile runs, in its order —
 * NodeUnschedulable (cordon), TaintToleration (NoSchedule/NoExecute, including the not-ready and
 * unreachable taints of NotReady nodes), NodeAffinity (nodeSelector and required node affinity),
 * InterPodAffinity (required pod affinity, ./pod-affinity.ts) and NodeResourcesFit (requests against allocatable minus the requests of pods already there, and the
 * pod count) — and picks the fitting node with the fewest untolerated PreferNoSchedule taints, then
 * the least requested share. Binding sets spec.nodeName once and condition PodScheduled=True with
 * a Scheduled event; when nothing fits the pod gets PodScheduled=False/Unschedulable with kube's
 * message (`0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu.`) and a
 * FailedScheduling warning, and is tried again whenever nodes, pods or claims change.
 */
import { deepEqual, type KubeObject } from '../../../apimachinery/object.ts';
import { rfc3339 } from '../../verbs/scope.ts';
import { findCondition, withCondition } from '../conditions.ts';
import { componentClient, keyOf, splitKey, type Controller, type ControllerContext } from '../controller.ts';
import { T, type InternalClient } from '../internal-client.ts';
import { matchesNodeSelection } from './node-affinity.ts';
import { podAffinityFilter } from './pod-affinity.ts';
import { claimNamesOf, isPodTerminal } from '../pod-state.ts';
import { addAmounts, allocatableOf, podRequests, type ResourceAmounts } from './resource-requests.ts';
import { effectiveTaints, tolerationFor, UNSCHEDULABLE_TAINT } from '../nodes/taints.ts';
import { defaultStorageClass } from '../volumes/volumes.ts';
import { ReconcileQueue } from '../work-queue.ts';

const SOURCE = { component: 'default-scheduler' };

/** What is already placed on a node. */
interface NodeLoad {
  requested: ResourceAmounts;
  scored: ResourceAmounts;
  pods: number;
}

function loadsByNode(pods: KubeObject[]): Map<string, NodeLoad> {
  const loads = new Map<string, NodeLoad>();
  for (const p of pods) {
    const nodeName = p.spec?.nodeName;
    if (!nodeName || isPodTerminal(p)) continue;
    const load = loads.get(nodeName) ?? { requested: new Map(), scored: new Map(), pods: 0 };
    addAmounts(load.requested, podRequests(p));
    addAmounts(load.scored, podRequests(p, true));
    load.pods++;
    loads.set(nodeName, load);
  }
  return loads;
}

/** The reasons a node cannot take the pod (empty when it fits), in the words of kube's filter plugins. */
function filterNode(pod: KubeObject, node: KubeObject, load: NodeLoad | undefined, podAffinity: (node: KubeObject) => string | undefined): string[] {
  if (node.spec?.unschedulable && !tolerationFor(pod, { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' })) return ['node(s) were unschedulable'];
  const blocking = effectiveTaints(node).find((t) => t.effect !== 'PreferNoSchedule' && !tolerationFor(pod, t));
  if (blocking) return [`node(s) had untolerated taint {${blocking.key}: ${blocking.value ?? ''}}`];
  if (!matchesNodeSelection(pod, node)) return ["node(s) didn't match Pod's node affinity/selector"];
  const affinity = podAffinity(node);
  if (affinity) return [affinity];
  return resourceReasons(pod, node, load);
}

function resourceReasons(pod: KubeObject, node: KubeObject, load: NodeLoad | undefined): string[] {
  const allocatable = allocatableOf(node);
  const reasons: string[] = [];
  const maxPods = allocatable.get('pods');
  if (maxPods !== undefined && BigInt(load?.pods ?? 0) * 1_000_000_000n + 1_000_000_000n > maxPods) reasons.push('Too many pods');
  for (const [name, amount] of podRequests(pod)) {
    if (amount === 0n || name === 'pods') continue;
    const used = load?.requested.get(name) ?? 0n;
    if (used + amount > (allocatable.get(name) ?? 0n)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/** Lower is better: untolerated PreferNoSchedule taints first, then the requested share of cpu and memory. */
function score(pod: KubeObject, node: KubeObject, load: NodeLoad | undefined): number[] {
  const preferNot = effectiveTaints(node).filter((t) => t.effect === 'PreferNoSchedule' && !tolerationFor(pod, t)).length;
  const allocatable = allocatableOf(node);
  const wanted = addAmounts(new Map(load?.scored ?? []), podRequests(pod, true));
  const share = (r: string) => {
    const cap = Number(allocatable.get(r) ?? 0n);
    return cap > 0 ? Number(wanted.get(r) ?? 0n) / cap : 1;
  };
  return [preferNot, (share('cpu') + share('memory')) / 2, load?.pods ?? 0];
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** kube's FitError message: reasons counted over nodes, each "<count> <reason>", sorted. */
export function fitErrorMessage(nodeCount: number, reasonsByNode: string[][]): string {
  const counts = new Map<string, number>();
  for (const reasons of reasonsByNode) for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${nodeCount} nodes are available: ${parts.join(', ')}.`;
}

/** A reason that rules out every node before filtering (the VolumeBinding plugin's PreFilter). */
function claimProblem(client: InternalClient, pod: KubeObject): string | undefined {
  for (const claimName of claimNamesOf(pod)) {
    const pvc = client.get(T.pvcs, pod.metadata.namespace, claimName);
    if (!pvc) return `persistentvolumeclaim "${claimName}" not found`;
    if (pvc.metadata.deletionTimestamp) return `persistentvolumeclaim "${claimName}" is being deleted`;
    if (pvc.status?.phase === 'Bound') continue;
    const className = pvc.spec?.storageClassName;
    const sc = className === undefined ? defaultStorageClass(client) : className ? client.get(T.storageClasses, undefined, className) : undefined;
    if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') return 'pod has unbound immediate PersistentVolumeClaims';
  }
  return undefined;
}

function needsScheduling(pod: KubeObject | undefined): pod is KubeObject {
  if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || isPodTerminal(pod)) return false;
  return (pod.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler';
}

/** The simulated scheduler. */
class Scheduler {
  private readonly ctx: ControllerContext;
  private readonly client: InternalClient;
  readonly queue: ReconcileQueue;
  private retryPending = false;

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
    this.client = componentClient(ctx, 'kube-scheduler');
    this.queue = new ReconcileQueue('scheduler', (key) => this.schedule(key));
  }

  /** Re-queues every pod still waiting for a node (after something that may make room). */
  retryAll(): void {
    if (this.retryPending) return;
    this.retryPending = true;
    setImmediate(() => {
      this.retryPending = false;
      for (const p of this.client.list(T.pods)) if (needsScheduling(p)) this.queue.add(keyOf(p.metadata.namespace, p.metadata.name!));
    });
  }

  private async schedule(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.client.get(T.pods, namespace, name);
    if (!needsScheduling(pod)) return;
    if (pod.spec?.schedulingGates?.length) return this.setUnschedulable(pod, 'SchedulingGated', 'Scheduling is blocked due to non-empty scheduling gates', false);
    const nodes = this.client.list(T.nodes);
    const problem = claimProblem(this.client, pod);
    if (problem) return this.setUnschedulable(pod, 'Unschedulable', `0/${nodes.length} nodes are available: ${problem}.`, true);
    if (!nodes.length) return this.setUnschedulable(pod, 'Unschedulable', 'no nodes available to schedule pods', true);
    const pods = this.client.list(T.pods);
    const loads = loadsByNode(pods);
    const podAffinity = podAffinityFilter(pod, pods, nodes);
    let best: { node: KubeObject; score: number[] } | undefined;
    const reasons: string[][] = [];
    for (const node of nodes) {
      const load = loads.get(node.metadata.name!);
      const failed = filterNode(pod, node, load, podAffinity);
      if (failed.length) {
        reasons.push(failed);
        continue;
      }
      const s = score(pod, node, load);
      if (!best || better(s, best.score)) best = { node, score: s };
    }
    if (!best) return this.setUnschedulable(pod, 'Unschedulable', fitErrorMessage(nodes.length, reasons), true);
    await this.bind(pod, best.node.metadata.name!);
  }

  private async bind(pod: KubeObject, nodeName: string): Promise<void> {
    // pods/binding: spec.nodeName may be set once; then the PodScheduled condition.
    const bound = await this.client.update(T.pods, { ...pod, spec: { ...pod.spec, nodeName } });
    const now = rfc3339(this.ctx.svc.now());
    const conditions = withCondition(bound.status?.conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null }, now);
    await this.client.update(T.pods, { ...bound, status: { ...bound.status, conditions } }, 'status');
    this.ctx.events.emit(bound, {
      type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`, source: SOURCE,
    });
  }

  private async setUnschedulable(pod: KubeObject, reason: string, message: string, warn: boolean): Promise<void> {
    const current = findCondition(pod.status?.conditions, 'PodScheduled');
    if (warn) this.ctx.events.emit(pod, { type: 'Warning', reason: 'FailedScheduling', message, source: SOURCE });
    if (current?.status === 'False' && current.reason === reason && current.message === message) return;
    const now = rfc3339(this.ctx.svc.now());
    const conditions = withCondition(pod.status?.conditions, { type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null }, now);
    await this.client.update(T.pods, { ...pod, status: { ...pod.status, conditions } }, 'status');
  }
}

/** Whether a pod change may free room on a node or otherwise unblock waiting pods. */
function freesRoom(ev: { type: string; object: KubeObject; previous?: KubeObject }): boolean {
  if (!ev.object.spec?.nodeName) return false;
  if (ev.type === 'DELETED') return true;
  return isPodTerminal(ev.object) && !(ev.previous && isPodTerminal(ev.previous));
}

/** Starts the scheduler. */
export function startScheduler(ctx: ControllerContext): Controller {
  const scheduler = new Scheduler(ctx);
  const client = componentClient(ctx, 'kube-scheduler');
  const unsubscribe = client.onChange([T.pods, T.nodes, T.pvcs, T.storageClasses], (ev) => {
    const obj = ev.object;
    if (obj.kind === 'Pod') {
      // Status-only changes (our own Unschedulable condition among them) give no new reason to try.
      const changed = ev.type === 'ADDED' || !deepEqual(ev.previous?.spec, obj.spec);
      if (ev.type !== 'DELETED' && changed && needsScheduling(obj)) scheduler.queue.add(keyOf(obj.metadata.namespace, obj.metadata.name!));
      if (freesRoom(ev)) scheduler.retryAll();
      return;
    }
    scheduler.retryAll();
  });
  scheduler.retryAll();
  return {
    stop() {
      unsubscribe();
      scheduler.queue.stop();
    },
  };
}
