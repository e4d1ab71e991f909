/**
 * The sessions of one account, for deleting the account: every session bound to it (same name
 * and account id, see owner-key.ts) that is not terminated yet is asked to terminate through
 * spec.state. The controller then removes its workload; the account's home volume is kept (by
 * policy, see docs/API.md "Deleting an account").
 */
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import { isNotFound } from '../../runtime/api-error.ts';
import { mergePatch } from '../../runtime/patch.ts';
import { isTerminated } from '../../webhooks/session-validation.ts';
import type { ClusterView } from '../kube/cluster-view.ts';
import { SESSION } from '../kube/kinds.ts';
import { fromKubernetesError } from '../kube/kube-errors.ts';
import { ownerKey } from './owner-key.ts';

/** The cached sessions of the account `username` (with `uid`, when it has one) that still run or could. */
export function liveSessionsOf(view: ClusterView, username: string, uid: string | undefined): Session[] {
  const key = ownerKey(username, uid);
  return view.list<Session>(SESSION).filter((s) => s.spec?.user !== undefined && ownerKey(s.spec.user, s.spec.userId) === key && !isTerminated(s));
}

/** Sets spec.state terminated on every live session of the account; returns their names. */
export async function terminateSessionsOf(view: ClusterView, username: string, uid: string | undefined): Promise<string[]> {
  const sessions = liveSessionsOf(view, username, uid);
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
