/**
 * Which pods a drain evicts, waits for, leaves in place or refuses to touch, decided per pod the
 * way `kubectl drain` decides (behaviour, not code, follows it):
 *
 * - mirror pods (static pods the kubelet runs) stay: deleting the API copy does nothing;
 * - DaemonSet pods stay when ignoreDaemonSets (the default), since the DaemonSet would put them
 *   straight back; otherwise they block the drain;
 * - pods already being deleted are waited for;
 * - pods that finished (Succeeded or Failed) are evicted without further checks;
 * - pods with emptyDir volumes block the drain unless deleteEmptyDirData: their data would be lost;
 * - pods without a controller block it unless force: nothing would recreate them elsewhere.
 *
 * Any blocked pod fails the drain before anything is evicted, so a drain that cannot finish does
 * not disrupt workloads on the way.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { DrainOptions } from '../../apis/stream/v1alpha1/nodeoperation.ts';

/** The annotation marking the API copy of a static pod. */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** A pod and why it is where it is in the plan. */
export interface PodReason {
  pod: KubeObject;
  reason: string;
}

/** The drain's view of a node's pods. */
export interface DrainPlan {
  /** Pods to evict now. */
  evict: KubeObject[];
  /** Pods being deleted, still on the node: the drain waits for them. */
  terminating: KubeObject[];
  /** Pods left in place. */
  skipped: PodReason[];
  /** Pods that block the drain. */
  refused: PodReason[];
}

/** `namespace/name` of a pod, as messages name it. */
export function podRef(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

function controllerOf(pod: KubeObject): { kind: string; name: string } | undefined {
  return pod.metadata.ownerReferences?.find((ref) => ref.controller === true);
}

function isFinished(pod: KubeObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function emptyDirVolumes(pod: KubeObject): string[] {
  const volumes: { name: string; emptyDir?: unknown }[] = pod.spec?.volumes ?? [];
  return volumes.filter((v) => v.emptyDir !== undefined && v.emptyDir !== null).map((v) => v.name);
}

/** Why a live pod may not be evicted under `options`; empty when it may. */
function refusals(pod: KubeObject, options: DrainOptions): string[] {
  const reasons: string[] = [];
  const emptyDirs = emptyDirVolumes(pod);
  if (emptyDirs.length && !options.deleteEmptyDirData) {
    reasons.push(`uses emptyDir volume ${emptyDirs.join(', ')} whose data would be lost (set parameters.drain.deleteEmptyDirData to evict it anyway)`);
  }
  if (!controllerOf(pod) && !options.force) {
    reasons.push('is not managed by a controller, so nothing would recreate it (set parameters.drain.force to evict it anyway)');
  }
  return reasons;
}

type Placement = { list: 'evict' | 'terminating' } | { list: 'skipped' | 'refused'; reason: string };

function place(pod: KubeObject, options: DrainOptions): Placement {
  if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return { list: 'skipped', reason: 'is a mirror pod of a static pod' };
  const owner = controllerOf(pod);
  if (owner?.kind === 'DaemonSet') {
    if (options.ignoreDaemonSets ?? true) return { list: 'skipped', reason: `is managed by DaemonSet ${owner.name}` };
    return { list: 'refused', reason: `is managed by DaemonSet ${owner.name}, which would recreate it (set parameters.drain.ignoreDaemonSets to leave it in place)` };
  }
  if (pod.metadata.deletionTimestamp) return { list: 'terminating' };
  if (isFinished(pod)) return { list: 'evict' };
  const reasons = refusals(pod, options);
  return reasons.length ? { list: 'refused', reason: reasons.join(' and ') } : { list: 'evict' };
}

/** Sorts the pods of a node into a {@link DrainPlan}. */
export function planDrain(pods: KubeObject[], options: DrainOptions = {}): DrainPlan {
  const plan: DrainPlan = { evict: [], terminating: [], skipped: [], refused: [] };
  for (const pod of pods) {
    const placement = place(pod, options);
    if ('reason' in placement) plan[placement.list].push({ pod, reason: placement.reason });
    else plan[placement.list].push(pod);
  }
  return plan;
}

/** `ns/a (why), ns/b (why)`: pods and reasons, for status messages. */
export function describePodReasons(entries: PodReason[]): string {
  return entries.map((e) => `${podRef(e.pod)} (${e.reason})`).join(', ');
}
