/**
 * The disruption controller: keeps each PodDisruptionBudget's status current, which the eviction
 * subresource (../../verbs/evict.ts) reads. expectedPods is the number of selected pods, or — for a
 * percentage or maxUnavailable — the replicas their controllers want (a Deployment's for pods of its
 * ReplicaSets, a ReplicaSet's, or a custom resource's scale); desiredHealthy follows minAvailable or
 * maxUnavailable (percentages rounded up); currentHealthy counts ready pods that are not being
 * deleted and not recorded in disruptedPods; disruptionsAllowed = max(0, currentHealthy -
 * desiredHealthy). disruptedPods entries are dropped once the pod is gone or being deleted, or after
 * two minutes. Pods without a controller count as one expected pod each.
 */
import { matchesLabels, selectorFromLabelSelector } from '../../../apimachinery/labels.ts';
import { deepEqual, type KubeObject, type OwnerReference } from '../../../apimachinery/object.ts';
import type { Registry } from '../../registry/registry.ts';
import { rfc3339 } from '../../verbs/scope.ts';
import { findCondition, withCondition } from '../conditions.ts';
import { componentClient, keyOf, splitKey, type Controller, type ControllerContext } from '../controller.ts';
import { controllerRefOf } from '../controller-ref.ts';
import { isPercent, scaledValue } from './int-or-percent.ts';
import { T, type InternalClient } from '../internal-client.ts';
import { isPodReady } from '../pod-state.ts';
import { ReconcileQueue, type ReconcileResult } from '../work-queue.ts';

/** How long an eviction stays in disruptedPods without the pod being deleted (kube's DeletionTimeout). */
const DISRUPTION_TIMEOUT_MS = 2 * 60 * 1000;

function readPath(obj: any, path: string | undefined): unknown {
  let v = obj;
  for (const p of (path ?? '').replace(/^\./, '').split('.').filter(Boolean)) v = v?.[p];
  return v;
}

/** The replicas the controller of `pod` wants, keyed by that controller's uid. */
function controllerScale(client: InternalClient, registry: Registry, pod: KubeObject): { uid: string; replicas: number } | undefined {
  const ref = controllerRefOf(pod);
  if (!ref) return undefined;
  const ns = pod.metadata.namespace;
  if (ref.kind === 'ReplicaSet' && ref.apiVersion === 'apps/v1') {
    const rs = client.get(T.replicaSets, ns, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return undefined;
    const dRef = controllerRefOf(rs);
    const d = dRef?.kind === 'Deployment' ? client.get(T.deployments, ns, dRef.name) : undefined;
    if (d && d.metadata.uid === dRef!.uid) return { uid: d.metadata.uid!, replicas: d.spec?.replicas ?? 1 };
    return { uid: rs.metadata.uid!, replicas: rs.spec?.replicas ?? 1 };
  }
  return customScale(client, registry, pod, ref);
}

function customScale(client: InternalClient, registry: Registry, pod: KubeObject, ref: OwnerReference): { uid: string; replicas: number } | undefined {
  const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/') : ['', ref.apiVersion];
  const rt = registry.findKind(group, version, ref.kind);
  if (!rt?.subresources.scale) return undefined;
  const owner = client.get(rt, rt.namespaced ? pod.metadata.namespace : undefined, ref.name);
  if (!owner || owner.metadata.uid !== ref.uid) return undefined;
  const replicas = readPath(owner, rt.subresources.scale.specReplicasPath);
  return { uid: owner.metadata.uid!, replicas: typeof replicas === 'number' ? replicas : 0 };
}

function expectedCount(client: InternalClient, registry: Registry, pdb: KubeObject, pods: KubeObject[]): number {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable === undefined && !isPercent(spec.minAvailable)) return pods.length;
  const scales = new Map<string, number>();
  let uncontrolled = 0;
  for (const pod of pods) {
    const scale = controllerScale(client, registry, pod);
    if (scale) scales.set(scale.uid, scale.replicas);
    else uncontrolled++;
  }
  return [...scales.values()].reduce((a, b) => a + b, uncontrolled);
}

function desiredHealthy(pdb: KubeObject, expected: number): number {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined) return Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true));
  if (spec.minAvailable !== undefined) return scaledValue(spec.minAvailable, expected, true);
  return expected;
}

/** The status of a budget over its pods at `now`, and when a disruptedPods entry expires. */
export function budgetStatus(ctx: ControllerContext, client: InternalClient, pdb: KubeObject, pods: KubeObject[]): { status: any; wakeAt?: number } {
  const now = ctx.svc.now();
  const byName = new Map(pods.map((p) => [p.metadata.name!, p]));
  const disrupted: Record<string, string> = {};
  let wakeAt: number | undefined;
  for (const [name, at] of Object.entries<string>(pdb.status?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    const expires = Date.parse(at) + DISRUPTION_TIMEOUT_MS;
    if (!pod || pod.metadata.deletionTimestamp || expires <= now.getTime()) continue;
    disrupted[name] = at;
    wakeAt = Math.min(wakeAt ?? expires, expires);
  }
  const expected = expectedCount(client, ctx.svc.registry, pdb, pods);
  const desired = desiredHealthy(pdb, expected);
  const healthy = pods.filter((p) => !p.metadata.deletionTimestamp && !disrupted[p.metadata.name!] && isPodReady(p)).length;
  const allowed = Math.max(0, healthy - desired);
  const cond = allowed > 0
    ? { type: 'DisruptionAllowed', status: 'True' as const, reason: 'SufficientPods', message: '', observedGeneration: pdb.metadata.generation }
    : { type: 'DisruptionAllowed', status: 'False' as const, reason: 'InsufficientPods', message: '', observedGeneration: pdb.metadata.generation };
  const status: any = {
    observedGeneration: pdb.metadata.generation, disruptionsAllowed: allowed, currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected,
    conditions: withCondition(pdb.status?.conditions, cond, rfc3339(now)),
  };
  if (Object.keys(disrupted).length) status.disruptedPods = disrupted;
  return { status, wakeAt };
}

async function syncBudget(ctx: ControllerContext, client: InternalClient, key: string): Promise<ReconcileResult> {
  const { namespace, name } = splitKey(key);
  const pdb = client.get(T.pdbs, namespace, name);
  if (!pdb) return;
  const selector = selectorFromLabelSelector(pdb.spec?.selector);
  const pods = client.list(T.pods, namespace).filter((p) => matchesLabels(selector, p.metadata.labels));
  const now = ctx.svc.now();
  let result: { status: any; wakeAt?: number };
  try {
    result = budgetStatus(ctx, client, pdb, pods);
  } catch (err) {
    // An unusable minAvailable/maxUnavailable allows no disruption at all (kube's fail-safe).
    const cond = { type: 'DisruptionAllowed', status: 'False' as const, reason: 'SyncFailed', message: (err as Error).message };
    result = { status: { ...pdb.status, disruptionsAllowed: 0, conditions: withCondition(pdb.status?.conditions, cond, rfc3339(now)) } };
  }
  const same = deepEqual(result.status, pdb.status) && findCondition(pdb.status?.conditions, 'DisruptionAllowed');
  if (!same) await client.update(T.pdbs, { ...pdb, status: result.status }, 'status');
  return result.wakeAt === undefined ? undefined : { requeueAfterMs: result.wakeAt - now.getTime() };
}

/** Starts the disruption controller. */
export function startDisruption(ctx: ControllerContext): Controller {
  const client = componentClient(ctx, 'kube-controller-manager');
  const queue = new ReconcileQueue('disruption', (key) => syncBudget(ctx, client, key));
  const budgetsIn = (namespace: string | undefined) => {
    for (const pdb of client.list(T.pdbs, namespace)) queue.add(keyOf(pdb.metadata.namespace, pdb.metadata.name!));
  };
  const unsubscribe = client.onChange([T.pdbs, T.pods, T.replicaSets, T.deployments], (ev) => {
    if (ev.object.kind === 'PodDisruptionBudget') queue.add(keyOf(ev.object.metadata.namespace, ev.object.metadata.name!));
    else budgetsIn(ev.object.metadata.namespace);
  });
  budgetsIn(undefined);
  return {
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}
