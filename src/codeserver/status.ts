/**
 * The seed's InstanceStatus of a code-server, from what the Session says (desired state and
 * observed phase) and what its pods say (scheduled, starting, failing, ready):
 *
 *   being deleted, or asked to hibernate and a pod remains ............ STOPPING
 *   hibernated with no pod left, or terminated ....................... STOPPED
 *   phase Failed, or a pod that cannot start (image, crash, config) .. ERROR
 *   phase Running with a ready pod ................................... RUNNING
 *   a pod exists but is not ready yet (init containers, probes) ...... STARTING
 *   nothing scheduled yet ............................................ PENDING
 */
import type { KubeObject } from '../apimachinery/object.ts';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import { FATAL_WAITING_REASONS } from '../apis/stream/v1alpha1/pod-failure.ts';
import { desiredState } from '../apis/stream/v1alpha1/desired-state.ts';

/** The seed's instance states. */
export const INSTANCE_STATUSES = ['PENDING', 'STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'ERROR'] as const;

/** One instance state. */
export type InstanceStatus = typeof INSTANCE_STATUSES[number];

/** The parts of a container status read here. */
interface ContainerStatus {
  name: string;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { exitCode?: number; reason?: string; message?: string } };
}

function containerStatuses(pod: KubeObject): ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** True when the pod is Ready and not going away. */
export function isPodReady(pod: KubeObject): boolean {
  const conditions: { type: string; status: string }[] = pod.status?.conditions ?? [];
  return !pod.metadata.deletionTimestamp && conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Why the pod cannot start, if it cannot (an init container that failed counts). */
export function podProblem(pod: KubeObject): string | undefined {
  if (pod.status?.phase === 'Failed') return pod.status.message ?? pod.status.reason ?? 'the pod failed';
  for (const s of containerStatuses(pod)) {
    const waiting = s.state?.waiting;
    if (waiting?.reason && FATAL_WAITING_REASONS.has(waiting.reason)) return `${s.name}: ${waiting.message ?? waiting.reason}`;
  }
  for (const s of pod.status?.initContainerStatuses ?? []) {
    const terminated = (s as ContainerStatus).state?.terminated;
    if (terminated && terminated.exitCode !== 0) return `${s.name}: ${terminated.message?.trim() || terminated.reason || `exit code ${terminated.exitCode}`}`;
  }
  return undefined;
}

/** The instance status of `session` given its pods (see the module comment). */
export function instanceStatus(session: Session, pods: KubeObject[]): InstanceStatus {
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  if (session.metadata.deletionTimestamp) return 'STOPPING';
  const state = desiredState(session);
  const phase = session.status?.phase;
  if (state === 'terminated' || phase === 'Terminated') return pods.length ? 'STOPPING' : 'STOPPED';
  if (state === 'hibernated') return pods.length === 0 && phase === 'Hibernated' ? 'STOPPED' : 'STOPPING';
  if (phase === 'Failed' || live.some((p) => podProblem(p) !== undefined)) return 'ERROR';
  if (phase === 'Running' && live.some(isPodReady)) return 'RUNNING';
  return live.length ? 'STARTING' : 'PENDING';
}
