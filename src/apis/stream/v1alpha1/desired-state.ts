/** A Session's desired state, with the schema's default applied where the field is absent. */
import type { Session, SessionState } from './session.ts';

/** The state a Session is asked to be in: `spec.state`, or `running` when it says nothing. */
export function desiredState(session: Pick<Session, 'spec'>): SessionState {
  return session.spec?.state ?? 'running';
}
