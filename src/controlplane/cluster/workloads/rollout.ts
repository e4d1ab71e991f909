/**
 * The arithmetic of a Deployment rollout step (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-update-deployment):
 * how far the new ReplicaSet may grow (replicas + maxSurge in total) and how far old ones may
 * shrink (keeping replicas - maxUnavailable available: unhealthy old pods go first, then old ones
 * oldest first); for Recreate, old ReplicaSets go to zero before the new one grows. Each call plans
 * one step from current counts; the controller applies it and plans again as pods become available.
 */
import { scaledValue } from './int-or-percent.ts';

/** One ReplicaSet as the planner sees it. */
export interface ReplicaSetCounts {
  /** spec.replicas */
  replicas: number;
  /** status.availableReplicas */
  available: number;
}

/** maxSurge and maxUnavailable as counts (at least one of them positive, as kube ensures). */
export function surgeAndUnavailable(strategy: any, replicas: number): { maxSurge: number; maxUnavailable: number } {
  if (strategy?.type === 'Recreate') return { maxSurge: 0, maxUnavailable: replicas };
  const ru = strategy?.rollingUpdate ?? {};
  const maxSurge = scaledValue(ru.maxSurge, replicas, true, Math.ceil(replicas / 4));
  let maxUnavailable = scaledValue(ru.maxUnavailable, replicas, false, Math.floor(replicas / 4));
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}

/** Availability an old ReplicaSet can still contribute (never more than it is allowed to keep). */
function usable(rs: ReplicaSetCounts): number {
  return Math.min(rs.available, rs.replicas);
}

/** The new replica counts of one rolling-update step: `[newReplicas, ...oldReplicas]` (old ones oldest first). */
export function planRollingUpdate(desired: number, strategy: any, newRs: ReplicaSetCounts, oldRss: ReplicaSetCounts[]): number[] {
  const { maxSurge, maxUnavailable } = surgeAndUnavailable(strategy, desired);
  const olds = oldRss.map((r) => r.replicas);
  const total = newRs.replicas + olds.reduce((a, b) => a + b, 0);
  const newReplicas = newRs.replicas >= desired ? desired : Math.min(desired, newRs.replicas + Math.max(0, desired + maxSurge - total));
  const minAvailable = desired - maxUnavailable;
  const allPods = newReplicas + olds.reduce((a, b) => a + b, 0);
  const newUnavailable = Math.max(0, newReplicas - Math.min(newRs.available, newReplicas));
  let budget = allPods - minAvailable - newUnavailable;
  if (budget <= 0) return [newReplicas, ...olds];
  // First the old pods that are not available anyway.
  oldRss.forEach((rs, i) => {
    const cut = Math.min(budget, olds[i] - usable(rs));
    if (cut > 0) {
      olds[i] -= cut;
      budget -= cut;
    }
  });
  // Then available old pods, as long as enough stay available.
  let spare = Math.min(newRs.available, newReplicas) + oldRss.reduce((n, rs, i) => n + Math.min(usable(rs), olds[i]), 0) - minAvailable;
  oldRss.forEach((_rs, i) => {
    const cut = Math.min(spare, olds[i]);
    if (cut > 0) {
      olds[i] -= cut;
      spare -= cut;
    }
  });
  return [newReplicas, ...olds];
}

/** The replica counts of one Recreate step: old ReplicaSets to zero, the new one grown only once no old pod is left. */
export function planRecreate(desired: number, newRs: ReplicaSetCounts, oldRss: ReplicaSetCounts[], oldPodsLeft: boolean): number[] {
  const anyOld = oldRss.some((r) => r.replicas > 0);
  return [anyOld || oldPodsLeft ? newRs.replicas : desired, ...oldRss.map(() => 0)];
}
