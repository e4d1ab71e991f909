/**
 * Status conditions as controllers maintain them: one entry per type, lastTransitionTime moving
 * only when the status flips (so re-stating a condition is not a change, and not a write).
 */

/** A status condition; pods, nodes, deployments, PDBs and namespaces all share this shape. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastProbeTime?: string | null;
  [key: string]: unknown;
}

/** The condition of `type`, if present. */
export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return (conditions ?? []).find((c) => c.type === type);
}

/**
 * `conditions` with `next` set: replaces the entry of the same type in place (keeping its
 * lastTransitionTime unless the status changed) or appends it. Returns a new array.
 */
export function withCondition(conditions: Condition[] | undefined, next: Condition, now: string): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const old = i >= 0 ? list[i] : undefined;
  const merged: Condition = { ...next, lastTransitionTime: old && old.status === next.status ? old.lastTransitionTime ?? now : now };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}
