/**
 * What kube-controller-manager's node lifecycle, taint eviction and pod GC controllers do, made
 * immediate: a node whose Ready condition is not True gets the not-ready/unreachable taints
 * (NoSchedule and NoExecute) and a cordoned node the unschedulable taint; pods on a NotReady node
 * are marked not Ready; pods that do not tolerate a NoExecute taint are evicted (after their
 * tolerationSeconds, when they tolerate it for a while); and pods bound to a node that no longer
 * exists, or stuck terminating on a NotReady node, are force-deleted. Pods carry no default
 * not-ready/unreachable tolerations here, so a node going NotReady evicts its pods at once.
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { rfc3339 } from '../../verbs/scope.ts';
import { withCondition, findCondition } from '../conditions.ts';
import { componentClient, keyOf, splitKey, type Controller, type ControllerContext } from '../controller.ts';
import { T, type InternalClient } from '../internal-client.ts';
import {
  conditionTaints, effectiveTaints, isNodeReady, NOT_READY_TAINT, tolerationFor, UNREACHABLE_TAINT, UNSCHEDULABLE_TAINT, type Taint,
} from './taints.ts';
import { ReconcileQueue, type ReconcileResult } from '../work-queue.ts';

const MANAGED_TAINTS = new Set([NOT_READY_TAINT, UNREACHABLE_TAINT, UNSCHEDULABLE_TAINT]);
const SOURCE = { component: 'taint-eviction-controller' };

function desiredManagedTaints(node: KubeObject, now: string): Taint[] {
  const wanted: Taint[] = conditionTaints(node).map((t) => (t.effect === 'NoExecute' ? { ...t, timeAdded: now } : t));
  if (node.spec?.unschedulable) wanted.push({ key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' });
  return wanted;
}

/** The node's taints with the condition/cordon taints brought up to date (existing entries keep their timeAdded). */
function reconciledTaints(node: KubeObject, now: string): Taint[] {
  const current: Taint[] = node.spec?.taints ?? [];
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const wanted = desiredManagedTaints(node, now);
  const kept = current.filter((t) => !MANAGED_TAINTS.has(t.key) || wanted.some((w) => same(w, t)));
  return [...kept, ...wanted.filter((w) => !kept.some((t) => same(w, t)))];
}

async function reconcileNode(client: InternalClient, name: string, now: Date): Promise<void> {
  const node = client.get(T.nodes, undefined, name);
  if (!node) return;
  const taints = reconciledTaints(node, rfc3339(now));
  const current: Taint[] = node.spec?.taints ?? [];
  if (taints.length === current.length && taints.every((t, i) => t.key === current[i].key && t.effect === current[i].effect)) return;
  await client.update(T.nodes, { ...node, spec: { ...node.spec, taints: taints.length ? taints : undefined } });
}

async function forceDelete(client: InternalClient, pod: KubeObject): Promise<void> {
  await client.delete(T.pods, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
}

async function markNotReady(client: InternalClient, pod: KubeObject, now: Date): Promise<void> {
  if (findCondition(pod.status?.conditions, 'Ready')?.status !== 'True') return;
  const conditions = withCondition(pod.status.conditions, { type: 'Ready', status: 'False', lastProbeTime: null }, rfc3339(now));
  await client.update(T.pods, { ...pod, status: { ...pod.status, conditions } }, 'status');
}

/** When the pod must leave the node because of NoExecute taints: now (0), later (ms), or never (undefined). */
function evictionDelay(pod: KubeObject, node: KubeObject, now: number): number | undefined {
  let earliest: number | undefined;
  for (const taint of effectiveTaints(node).filter((t) => t.effect === 'NoExecute')) {
    const toleration = tolerationFor(pod, taint);
    if (!toleration) return 0;
    if (toleration.tolerationSeconds === undefined) continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    const left = Math.max(0, added + Math.max(0, toleration.tolerationSeconds) * 1000 - now);
    earliest = earliest === undefined ? left : Math.min(earliest, left);
  }
  return earliest;
}

async function reconcilePod(ctx: ControllerContext, client: InternalClient, key: string): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  const pod = client.get(T.pods, namespace, name);
  if (!pod?.spec?.nodeName) return;
  const node = client.get(T.nodes, undefined, pod.spec.nodeName);
  if (!node) return forceDelete(client, pod);
  const ready = isNodeReady(node);
  if (pod.metadata.deletionTimestamp) return ready ? undefined : forceDelete(client, pod);
  if (!ready) await markNotReady(client, pod, ctx.svc.now());
  const delay = evictionDelay(pod, node, ctx.svc.now().getTime());
  if (delay === undefined) return;
  if (delay > 0) return { requeueAfterMs: delay };
  ctx.events.emit(pod, { type: 'Normal', reason: 'TaintManagerEviction', message: `Marking for deletion Pod ${namespace}/${name}`, source: SOURCE });
  if (!ready) return forceDelete(client, pod);
  await client.delete(T.pods, namespace, name, { preconditions: { uid: pod.metadata.uid } });
}

/** Starts the node lifecycle controller. */
export function startNodeLifecycle(ctx: ControllerContext): Controller {
  const client = componentClient(ctx, 'kube-controller-manager');
  const queue = new ReconcileQueue('node-lifecycle', async (key) => {
    if (key.startsWith('node:')) return reconcileNode(client, key.slice(5), ctx.svc.now());
    return reconcilePod(ctx, client, key.slice(4));
  });
  const podsOn = (nodeName: string) => {
    for (const p of client.list(T.pods)) if (p.spec?.nodeName === nodeName) queue.add(`pod:${keyOf(p.metadata.namespace, p.metadata.name!)}`);
  };
  const unsubscribe = client.onChange([T.nodes, T.pods], (ev) => {
    const obj = ev.object;
    if (obj.kind === 'Node') {
      if (ev.type !== 'DELETED') queue.add(`node:${obj.metadata.name}`);
      podsOn(obj.metadata.name!);
    } else if (ev.type !== 'DELETED' && obj.spec?.nodeName) {
      queue.add(`pod:${keyOf(obj.metadata.namespace, obj.metadata.name!)}`);
    }
  });
  for (const n of client.list(T.nodes)) queue.add(`node:${n.metadata.name}`);
  for (const p of client.list(T.pods)) if (p.spec?.nodeName) queue.add(`pod:${keyOf(p.metadata.namespace, p.metadata.name!)}`);
  return {
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}
