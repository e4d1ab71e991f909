/**
 * A Deployment's status as the deployment controller reports it: replica counts summed over its
 * ReplicaSets, observedGeneration, and the Available and Progressing conditions (with
 * ProgressDeadlineExceeded once no progress was made for progressDeadlineSeconds) — the fields
 * `kubectl rollout status` reads.
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { findCondition, withCondition, type Condition } from '../conditions.ts';
import { surgeAndUnavailable } from './rollout.ts';

/** The computed status and when the controller should look again (the progress deadline). */
export interface DeploymentStatusResult {
  status: Record<string, unknown>;
  wakeAt?: number;
}

function sum(list: KubeObject[], field: string, from: 'spec' | 'status' = 'status'): number {
  return list.reduce((n, rs) => n + (rs[from]?.[field] ?? 0), 0);
}

function setCount(status: Record<string, unknown>, key: string, value: number): void {
  // Deployment status counts are omitempty.
  if (value) status[key] = value;
}

interface ProgressInput {
  d: KubeObject;
  newRs: KubeObject | undefined;
  counts: { replicas: number; updated: number; available: number; ready: number };
  createdNewRs: boolean;
  now: number;
}

function progressed(d: KubeObject, counts: ProgressInput['counts']): boolean {
  const old = d.status ?? {};
  return counts.updated > (old.updatedReplicas ?? 0) || counts.available > (old.availableReplicas ?? 0) ||
    counts.ready > (old.readyReplicas ?? 0) || counts.replicas !== (old.replicas ?? 0);
}

function progressingCondition(input: ProgressInput): { cond: Condition; fresh: boolean } | undefined {
  const { d, newRs, counts, createdNewRs, now } = input;
  const desired = d.spec?.replicas ?? 1;
  const existing = findCondition(d.status?.conditions, 'Progressing');
  const rsName = newRs?.metadata.name ?? '';
  if (d.spec?.paused) return { cond: { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, fresh: existing?.reason !== 'DeploymentPaused' };
  if (!newRs) return undefined;
  const complete = counts.updated === desired && counts.replicas === desired && counts.available === desired;
  if (complete) {
    return { cond: { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, fresh: existing?.reason !== 'NewReplicaSetAvailable' };
  }
  if (createdNewRs) return { cond: { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rsName}"` }, fresh: true };
  if (!existing || existing.reason === 'NewReplicaSetAvailable' || existing.reason === 'DeploymentPaused' || progressed(d, counts)) {
    return { cond: { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` }, fresh: true };
  }
  const deadline = d.spec?.progressDeadlineSeconds;
  const since = Date.parse(existing.lastUpdateTime ?? existing.lastTransitionTime ?? '');
  if (existing.status === 'True' && deadline !== undefined && !Number.isNaN(since) && now >= since + deadline * 1000) {
    return { cond: { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }, fresh: true };
  }
  return undefined;
}

/** The status of `d` given its ReplicaSets (`newRs` among `all`). */
export function deploymentStatus(d: KubeObject, newRs: KubeObject | undefined, all: KubeObject[], createdNewRs: boolean, now: number): DeploymentStatusResult {
  const desired = d.spec?.replicas ?? 1;
  const nowIso = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
  const counts = {
    replicas: sum(all, 'replicas'), updated: newRs?.status?.replicas ?? 0, ready: sum(all, 'readyReplicas'), available: sum(all, 'availableReplicas'),
  };
  const status: Record<string, unknown> = { observedGeneration: d.metadata.generation ?? 1 };
  setCount(status, 'replicas', counts.replicas);
  setCount(status, 'updatedReplicas', counts.updated);
  setCount(status, 'readyReplicas', counts.ready);
  setCount(status, 'availableReplicas', counts.available);
  setCount(status, 'unavailableReplicas', Math.max(0, sum(all, 'replicas', 'spec') - counts.available));
  const { maxUnavailable } = surgeAndUnavailable(d.spec?.strategy, desired);
  const availableOk = counts.available >= desired - maxUnavailable;
  const availableCond: Condition = availableOk
    ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
    : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
  let conditions: Condition[] = d.status?.conditions ?? [];
  const oldAvailable = findCondition(conditions, 'Available');
  const availableChanged = oldAvailable?.status !== availableCond.status || oldAvailable?.reason !== availableCond.reason;
  conditions = withCondition(conditions, { ...availableCond, lastUpdateTime: availableChanged ? nowIso : oldAvailable?.lastUpdateTime ?? nowIso }, nowIso);
  const progress = progressingCondition({ d, newRs, counts, createdNewRs, now });
  if (progress) {
    const old = findCondition(conditions, 'Progressing');
    conditions = withCondition(conditions, { ...progress.cond, lastUpdateTime: progress.fresh ? nowIso : old?.lastUpdateTime ?? nowIso }, nowIso);
  }
  status.conditions = conditions;
  if (d.status?.collisionCount) status.collisionCount = d.status.collisionCount;
  const prog = findCondition(conditions, 'Progressing');
  const deadline = d.spec?.progressDeadlineSeconds;
  let wakeAt: number | undefined;
  if (prog?.status === 'True' && prog.reason !== 'NewReplicaSetAvailable' && deadline !== undefined) wakeAt = Date.parse(prog.lastUpdateTime ?? nowIso) + deadline * 1000;
  return { status, wakeAt };
}
