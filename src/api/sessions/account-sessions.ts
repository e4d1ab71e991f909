/**
 * The sessions of one account, for deleting the account: every session of its name that is not
 * terminated yet is asked to terminate through spec.state. Names are unique among accounts, so
 * that is the account's own sessions (spec.userId its uid), sessions written without an account
 * id (code-server instances, sessions from before ids), and none of any other live account.
 * The controller then removes their workloads; home volumes are kept (by policy, see
 * docs/API.md "Deleting an account").
 */
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import { isNotFound } from '../../runtime/api-error.ts';
import { mergePatch } from '../../runtime/patch.ts';
import { isTerminated } from '../../apis/stream/v1alpha1/desired-state.ts';
import type { ClusterView } from '../kube/cluster-view.ts';
import { SESSION } from '../kube/kinds.ts';
import { fromKubernetesError } from '../kube/kube-errors.ts';

/** The cached sessions of user name `username` that still run or could. */
function liveSessionsOf(view: ClusterView, username: string): Session[] {
  return view.list<Session>(SESSION).filter((s) => s.spec?.user === username && !isTerminated(s));
}

/** Sets spec.state terminated on every live session of the account `username`; returns their names. */
export async function terminateSessionsOf(view: ClusterView, username: string): Promise<string[]> {
  const sessions = liveSessionsOf(view, username);
  for (const session of sessions) {
    try {
      await view.client.patch(session, mergePatch({ spec: { state: 'terminated' } }));
    } catch (err) {
      // Deleted meanwhile: nothing left to terminate.
      if (!isNotFound(err)) throw fromKubernetesError(err);
    }
  }
  return sessions.map((s) => s.metadata.name!);
}
