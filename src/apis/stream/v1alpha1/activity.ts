/**
 * How a Session's `status.lastActivity` moves, the same for each of its writers (the API's
 * heartbeat coalescer and the code-server activity poller): only forward, at metav1.Time's
 * whole-second precision, and guarded by the resourceVersion the writer compared against, so a
 * concurrent writer turns the write into a 409 instead of moving the time back.
 */
import { kubeTime } from '../../../apimachinery/time.ts';
import type { Session } from './session.ts';

/** The stored lastActivity in ms, or -Infinity when there is none. */
export function storedActivity(session: Session): number {
  const at = session.status?.lastActivity ? Date.parse(session.status.lastActivity) : NaN;
  return Number.isFinite(at) ? at : -Infinity;
}

/** The lastActivity to write for activity at `atMs`; undefined when it would not move the stored one forward. */
export function newerActivity(session: Session, atMs: number): string | undefined {
  const lastActivity = kubeTime(atMs);
  return Date.parse(lastActivity) > storedActivity(session) ? lastActivity : undefined;
}

/** The merge-patch body of the write: the new time, on the condition that the object is still the one compared against. */
export function activityPatchBody(session: Session, lastActivity: string): { metadata: { resourceVersion?: string }; status: { lastActivity: string } } {
  return { metadata: { resourceVersion: session.metadata.resourceVersion }, status: { lastActivity } };
}
