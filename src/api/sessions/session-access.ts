/**
 * Who may see and act on a session: its owner (spec.user, and spec.userId when set: see
 * owner-key.ts) and admins. Everything is read from the informer cache; a refusal is a 403 that
 * says why.
 */
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { Identity } from '../auth/identity.ts';
import { forbidden, notFound, type ApiError } from '../errors.ts';
import type { ClusterView } from '../kube/cluster-view.ts';
import { SESSION } from '../kube/kinds.ts';
import { ownerKey } from './owner-key.ts';

/** True when `caller` owns `session` (same account name and, where either has one, account id). */
function owns(caller: Identity, session: Session): boolean {
  return session.spec?.user !== undefined && ownerKey(session.spec.user, session.spec.userId) === ownerKey(caller.username, caller.accountId);
}

/** True when `caller` may see and act on `session`. */
export function mayActOn(caller: Identity, session: Session): boolean {
  return caller.role === 'admin' || owns(caller, session);
}

function refuseOthers(id: string): ApiError {
  return forbidden(`session ${id} belongs to another user; only its owner and admins may use it`);
}

/** The cached session `id` if `caller` may act on it; 404 when there is none, 403 when it is someone else's. */
export function sessionForCaller(view: ClusterView, caller: Identity, id: string): Session {
  const session = view.get<Session>(SESSION, id);
  if (!session) throw notFound(`session ${id}`);
  if (!mayActOn(caller, session)) throw refuseOthers(id);
  return session;
}

/**
 * Throws as {@link sessionForCaller} does when `caller` may not act on session `id`, without
 * copying the cached session: for routes that only need the check (heartbeats).
 */
export function checkSessionAccess(view: ClusterView, caller: Identity, id: string): void {
  const owner = view.sessionOwner(id);
  if (owner === undefined) throw notFound(`session ${id}`);
  if (caller.role !== 'admin' && owner !== ownerKey(caller.username, caller.accountId)) throw refuseOthers(id);
}

/** The sessions `caller` may see: their own, or everyone's for admins (optionally those of one user name). */
export function visibleSessions(view: ClusterView, caller: Identity, user?: string): Session[] {
  if (user !== undefined && caller.role !== 'admin' && user !== caller.username) throw forbidden('only admins may list other users\' sessions');
  const visible = caller.role === 'admin' ? (s: Session) => user === undefined || s.spec?.user === user : (s: Session) => owns(caller, s);
  const sessions = view.list<Session>(SESSION).filter(visible);
  const created = (s: Session): string => String(s.metadata.creationTimestamp ?? '');
  return sessions.sort((a, b) => created(a).localeCompare(created(b)) || a.metadata.name!.localeCompare(b.metadata.name!));
}
