/**
 * syncRepository: pull the latest upstream changes into a running instance. The pull is what
 * the repository init containers do at every pod start, so a sync restarts the pod the way
 * `kubectl rollout restart` does: a new annotation on the Deployment's pod template. The
 * Session controller's drift check only compares the fields it sets, so it leaves the
 * annotation alone. The outcome is read from the new pod: the checkout container's report
 * (pulled, up-to-date, or why not), or the reason the pod does not start.
 */
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { DeploymentKind } from '../apimachinery/builtin-kinds.ts';
import { workloadName } from '../apis/stream/v1alpha1/naming.ts';
import { isNotFound, type KubeClient } from '../runtime/client.ts';
import { mergePatch } from '../runtime/patch.ts';
import { CodeServerError, MESSAGES, withDetail } from './errors.ts';
import { latestCloneReport } from './instance.ts';
import type { InstanceStore } from './instance-store.ts';
import { pollUntil } from './poll.ts';
import { isPodReady, podProblem } from './status.ts';

/** The pod template annotation a sync sets; its value is the time of the request. */
export const SYNC_ANNOTATION = 'codeserver.streamspace.io/sync-requested-at';

/** What a sync ended with. */
export interface SyncOutcome {
  /** True when the checkout is at the upstream head (pulled or already there, or cloned afresh). */
  synced: boolean;
  /** The checkout container's report, when the cluster carries one. */
  action?: string;
  message?: string;
}

type PodVerdict = { done: true; value: SyncOutcome } | { done: false; value: undefined };

function verdictOf(pods: KubeObject[], stamp: string): PodVerdict {
  const pod = pods.find((p) => p.metadata.annotations?.[SYNC_ANNOTATION] === stamp && !p.metadata.deletionTimestamp);
  if (!pod) return { done: false, value: undefined };
  const problem = podProblem(pod);
  if (problem) throw new CodeServerError('INTERNAL', withDetail(MESSAGES.syncFailed, problem));
  if (!isPodReady(pod)) return { done: false, value: undefined };
  const report = latestCloneReport([pod]);
  // Without a report (a cluster that keeps no termination messages) a ready pod means the init containers succeeded.
  const synced = report === undefined || ['pulled', 'up-to-date', 'cloned'].includes(report.action);
  return { done: true, value: { synced, action: report?.action, message: report?.message } };
}

/** Restarts the instance's pod so it pulls, and waits (up to `timeoutMs`) for the outcome. */
export async function syncRepository(deps: { client: KubeClient; store: InstanceStore }, session: Session, timeoutMs: number): Promise<SyncOutcome> {
  const stamp = new Date().toISOString();
  const deployment = { ...DeploymentKind, metadata: { namespace: session.metadata.namespace, name: workloadName(session) } };
  try {
    await deps.client.patch(deployment, mergePatch({ spec: { template: { metadata: { annotations: { [SYNC_ANNOTATION]: stamp } } } } }));
  } catch (err) {
    if (isNotFound(err)) throw new CodeServerError('UNAVAILABLE', withDetail(MESSAGES.podNotReady, 'the instance has no workload'));
    throw err;
  }
  const answer = await pollUntil<SyncOutcome | undefined>(async () => verdictOf(await deps.store.pods(session), stamp), { timeoutMs });
  if (!answer.done || !answer.value) {
    throw new CodeServerError('TIMEOUT', withDetail(MESSAGES.podNotReady, `the restarted pod was not ready within ${Math.round(timeoutMs / 1000)}s`));
  }
  return answer.value;
}
