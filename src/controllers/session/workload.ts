/**
 * What a session's workload looks like right now, from its Deployment and pods in the cache:
 * whether a pod is Ready, whether pods remain (hibernation completes when none do), and whether
 * a pod cannot start (image pull errors, crash loops), which the session reports as Failed.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import { FATAL_WAITING_REASONS } from '../../apis/stream/v1alpha1/pod-failure.ts';

export { FATAL_WAITING_REASONS };


/** A pod that cannot start, and why. */
export interface PodFailure {
  pod: string;
  reason: string;
  message: string;
}

/** The observed state of a session's workload. */
export interface WorkloadObservation {
  /** The Deployment reports a ready replica. */
  ready: boolean;
  /** Name of a Ready pod, if any. */
  readyPod?: string;
  /** Any pod of the session still exists (including terminating ones). */
  podsRemain: boolean;
  failure?: PodFailure;
}

function isPodReady(pod: KubeObject): boolean {
  const conditions: { type: string; status: string }[] = pod.status?.conditions ?? [];
  return !pod.metadata.deletionTimestamp && conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

function podFailure(pod: KubeObject): PodFailure | undefined {
  const name = pod.metadata.name ?? '';
  if (pod.status?.phase === 'Failed') return { pod: name, reason: pod.status.reason ?? 'PodFailed', message: pod.status.message ?? `Pod ${name} failed` };
  const statuses: { name: string; state?: { waiting?: { reason?: string; message?: string } } }[] = [
    ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []),
  ];
  for (const s of statuses) {
    const waiting = s.state?.waiting;
    if (waiting?.reason && FATAL_WAITING_REASONS.has(waiting.reason)) {
      return { pod: name, reason: waiting.reason, message: `Container ${s.name} of pod ${name}: ${waiting.message ?? waiting.reason}` };
    }
  }
  return undefined;
}

/** Observes a session's workload from its Deployment (if any) and its pods. */
export function observeWorkload(deployment: KubeObject | undefined, pods: KubeObject[]): WorkloadObservation {
  const readyPod = pods.find(isPodReady)?.metadata.name;
  const ready = (deployment?.status?.readyReplicas ?? 0) >= 1 && readyPod !== undefined;
  const failure = ready ? undefined : pods.map(podFailure).find((f) => f !== undefined);
  return { ready, readyPod, podsRemain: pods.length > 0, failure };
}
