/**
 * Session time limits. A running session is hibernated once it has been idle for its
 * idleTimeout plus the grace period, and stopped (terminated, or hibernated when configured) once
 * it has run for its maxSessionDuration. Both are deadlines computed from the status, so the
 * controller asks to be called back exactly when the earlier one falls due instead of scanning
 * sessions periodically. The API writes status.lastActivity; this module only reads it.
 */
import { durationMs } from '../../apimachinery/duration.ts';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { MaxDurationAction } from '../settings.ts';
import { desiredState } from '../../apis/stream/v1alpha1/desired-state.ts';

/** Why the controller stops a session on its own. */
export type LimitReason = 'idle' | 'max-duration';

/** What the time limits ask for now. */
export type LimitDecision =
  | { action: 'none'; /** When to look again (epoch ms), if a limit is pending. */ nextCheckAt?: number }
  | { action: 'hibernate' | 'terminate'; reason: LimitReason; message: string };

/** The settings the limits depend on. */
export interface LimitSettings {
  idleGraceMs: number;
  maxDurationAction: MaxDurationAction;
}


function timeMs(text: string | undefined): number {
  const ms = text ? Date.parse(text) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
}

function isRunning(session: Session): boolean {
  return desiredState(session) === 'running' && session.status?.phase === 'Running';
}

/**
 * When a running session becomes idle: the later of its last activity and its start (a woken
 * session's activity from before it slept does not count), plus idleTimeout and the grace; not
 * before its spec.keepRunningUntil.
 */
export function idleDeadline(session: Session, graceMs: number): number | undefined {
  const timeout = durationMs(session.spec.idleTimeout);
  if (!isRunning(session) || timeout === 0) return undefined;
  const since = Math.max(timeMs(session.status?.lastActivity), timeMs(session.status?.startedAt));
  if (!Number.isFinite(since)) return undefined;
  // A keep-running time holds idleness off until then (maxSessionDuration still stops the session).
  return Math.max(since + timeout + graceMs, timeMs(session.spec.keepRunningUntil));
}

/** When a running session has run for its maxSessionDuration (counted from when it last started). */
export function maxDurationDeadline(session: Session): number | undefined {
  const max = durationMs(session.spec.maxSessionDuration);
  const started = timeMs(session.status?.startedAt);
  if (!isRunning(session) || max === 0 || !Number.isFinite(started)) return undefined;
  return started + max;
}

/** What the limits ask of `session` at `now`: stop it, or look again at the next deadline. */
export function limitDecision(session: Session, settings: LimitSettings, now: number): LimitDecision {
  const maxAt = maxDurationDeadline(session);
  if (maxAt !== undefined && now >= maxAt) {
    const message = `Ran for its maxSessionDuration of ${session.spec.maxSessionDuration}`;
    return { action: settings.maxDurationAction, reason: 'max-duration', message };
  }
  const idleAt = idleDeadline(session, settings.idleGraceMs);
  if (idleAt !== undefined && now >= idleAt) {
    return { action: 'hibernate', reason: 'idle', message: `No activity for longer than its idleTimeout of ${session.spec.idleTimeout}` };
  }
  const pending = [maxAt, idleAt].filter((t): t is number => t !== undefined);
  return pending.length ? { action: 'none', nextCheckAt: Math.min(...pending) } : { action: 'none' };
}
