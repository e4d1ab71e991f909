/** A Session's desired state and where it is in its life, as every part reads them. */
import type { Session, SessionState } from './session.ts';

/** The state a Session is asked to be in: `spec.state`, or `running` when it says nothing. */
export function desiredState(session: Pick<Session, 'spec'>): SessionState {
  return session.spec?.state ?? 'running';
}

/** Whether a session is terminated for good (asked to be, or reported so). */
export function isTerminated(session: Session | null | undefined): boolean {
  return session?.spec?.state === 'terminated' || session?.status?.phase === 'Terminated';
}

/** Whether the session is being deleted: state rules no longer apply to it. */
export function isBeingDeleted(session: Session | null | undefined): boolean {
  return Boolean(session?.metadata?.deletionTimestamp);
}
