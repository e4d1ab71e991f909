/**
 * Taints and tolerations (https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/),
 * including the taints the node lifecycle controller derives from a node's Ready condition.
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { findCondition } from '../conditions.ts';

/** A node taint. */
export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

/** A pod toleration. */
export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Taint keys of node conditions (kube's well-known taints). */
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

/** Whether one toleration tolerates one taint: empty effect matches all, Exists ignores the value, an empty key with Exists matches every taint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/** The toleration of a pod that tolerates `taint`, if any. */
export function tolerationFor(pod: KubeObject, taint: Taint): Toleration | undefined {
  return (pod.spec?.tolerations ?? []).find((t: Toleration) => toleratesTaint(t, taint));
}

/** Whether the node's Ready condition is True. */
export function isNodeReady(node: KubeObject): boolean {
  return findCondition(node.status?.conditions, 'Ready')?.status === 'True';
}

/** The taints a node's conditions call for: not-ready (Ready=False) or unreachable (Ready=Unknown or missing), NoSchedule and NoExecute. */
export function conditionTaints(node: KubeObject): Taint[] {
  const ready = findCondition(node.status?.conditions, 'Ready');
  if (ready?.status === 'True') return [];
  const key = ready?.status === 'False' ? NOT_READY_TAINT : UNREACHABLE_TAINT;
  return [{ key, effect: 'NoSchedule' }, { key, effect: 'NoExecute' }];
}

/** The taints in force on a node: its own plus those its conditions imply (if not written yet). */
export function effectiveTaints(node: KubeObject): Taint[] {
  const own: Taint[] = node.spec?.taints ?? [];
  const implied = conditionTaints(node).filter((t) => !own.some((o) => o.key === t.key && o.effect === t.effect));
  return [...own, ...implied];
}
