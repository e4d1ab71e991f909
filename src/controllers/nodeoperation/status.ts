/**
 * NodeOperation status: the phase, message, progress and conditions a reconcile reports, built
 * from the previous status so timestamps are kept (startTime is set once, when the operation
 * starts; completionTime when it finishes; a condition's lastTransitionTime only when its status
 * flips).
 *
 * Conditions, for `kubectl wait --for=condition=...`:
 * - `Complete`: True once the operation Succeeded; False while it waits or runs, or when it
 *   failed (with the reason);
 * - `Failed`: present (True) only once it failed, with why: InvalidSpec, NodeNotFound,
 *   PodsNotEvictable or Timeout.
 */
import type { Condition } from '../../apis/metav1.ts';
import type { NodeOperation, NodeOperationPhase, NodeOperationStatus } from '../../apis/stream/v1alpha1/nodeoperation.ts';
import { deepEqual } from '../../apimachinery/object.ts';
import { kubeTime } from '../status-format.ts';

/** The condition types the controller writes. */
export const NodeOperationConditionTypes = { Complete: 'Complete', Failed: 'Failed' } as const;

/** What one reconcile concluded. */
export interface StatusUpdate {
  phase: NodeOperationPhase;
  /** CamelCase reason of the conditions: Waiting, Running, Succeeded, or why it failed. */
  reason: string;
  message: string;
  /** Drains only. */
  podsEvicted?: number;
  podsRemaining?: number;
}

function condition(previous: Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>, now: number): Condition {
  const old = previous?.find((c) => c.type === next.type);
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : kubeTime(now);
  return { ...next, lastTransitionTime };
}

function conditions(op: NodeOperation, update: StatusUpdate, now: number): Condition[] {
  const previous = op.status?.conditions;
  const observedGeneration = op.metadata.generation;
  const succeeded = update.phase === 'Succeeded';
  const complete = condition(previous, {
    type: NodeOperationConditionTypes.Complete, status: succeeded ? 'True' : 'False', reason: update.reason,
    message: update.message, observedGeneration,
  }, now);
  if (update.phase !== 'Failed') return [complete];
  const failed = condition(previous, {
    type: NodeOperationConditionTypes.Failed, status: 'True', reason: update.reason, message: update.message, observedGeneration,
  }, now);
  return [complete, failed];
}

/** The status `update` leads to from the operation's current one, at `now` (epoch ms). */
export function nextStatus(op: NodeOperation, update: StatusUpdate, now: number): NodeOperationStatus {
  const previous = op.status ?? {};
  const status: NodeOperationStatus = { ...previous, phase: update.phase, message: update.message, observedGeneration: op.metadata.generation };
  if (update.phase === 'Running') status.startTime ??= kubeTime(now);
  if (update.phase === 'Succeeded' || update.phase === 'Failed') status.completionTime ??= kubeTime(now);
  if (update.podsEvicted !== undefined) status.podsEvicted = update.podsEvicted;
  if (update.podsRemaining !== undefined) status.podsRemaining = update.podsRemaining;
  status.conditions = conditions(op, update, now);
  return status;
}

/** True when writing `next` would change the operation's status. */
export function statusDiffers(op: NodeOperation, next: NodeOperationStatus): boolean {
  return !deepEqual(op.status ?? {}, next);
}
