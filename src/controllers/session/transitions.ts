/**
 * What the outside world hears about a session's lifecycle: Kubernetes Events on the Session
 * and the controller's metrics. The reconciler tells this reporter what it did (created or
 * repaired children, scaled down or up) and which phase change it wrote; the reporter remembers,
 * per session and in memory only, why a hibernation started and when a wake began, so that the
 * Hibernated event can name its reason and the wake can be timed.
 */
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { EventRecorder } from '../../runtime/event-recorder.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { HibernationReason, SessionMetrics } from './metrics.ts';
import type { EnsuredChild } from './child-writer.ts';

/** The reason of the Pending phase of a session waking from hibernation. */
export const WAKING_REASON = 'Waking';

/** Event reasons the Session controller records. */
export const SESSION_EVENTS = {
  created: 'Created',
  updated: 'Updated',
  started: 'Started',
  recovered: 'Recovered',
  hibernated: 'Hibernated',
  woken: 'Woken',
  terminated: 'Terminated',
  failed: 'Failed',
} as const;

const HIBERNATION_MESSAGES: Record<HibernationReason, string> = {
  'idle': 'Hibernated: no activity for longer than its idleTimeout',
  'max-duration': 'Hibernated: ran for its maxSessionDuration',
  'user': 'Hibernated on request',
};

function describe(child: EnsuredChild): string {
  return `${child.now.kind} ${child.now.metadata.name}`;
}

/** True when only the replica count of a Deployment changed (a hibernation or a wake, not a repair). */
function isScaleOnly(child: EnsuredChild): boolean {
  const { before, now } = child;
  if (!before || now.kind !== 'Deployment') return false;
  return before.spec?.replicas !== now.spec?.replicas && JSON.stringify(before.spec?.template) === JSON.stringify(now.spec?.template);
}

/** See the module comment. */
export class TransitionReporter {
  readonly #recorder: EventRecorder;
  readonly #metrics: SessionMetrics;
  readonly #clock: Clock;
  readonly #hibernationReasons = new Map<string, HibernationReason>();
  readonly #wakeStartedAt = new Map<string, number>();

  constructor(recorder: EventRecorder, metrics: SessionMetrics, clock: Clock) {
    this.#recorder = recorder;
    this.#metrics = metrics;
    this.#clock = clock;
  }

  /** Children were created or changed: one event for the created ones, one for the repaired ones. */
  childrenWritten(session: Session, children: EnsuredChild[]): void {
    const created = children.filter((c) => c.change === 'created').map(describe);
    const repaired = children.filter((c) => c.change === 'updated' && !isScaleOnly(c)).map(describe);
    if (created.length) this.#recorder.event(session, 'Normal', SESSION_EVENTS.created, `Created ${created.join(', ')}`);
    if (repaired.length) this.#recorder.event(session, 'Normal', SESSION_EVENTS.updated, `Updated ${repaired.join(', ')} to match the session and its template`);
  }

  /** The session's Deployment was scaled to zero for `reason`. */
  scaledDown(session: Session, reason: HibernationReason): void {
    this.#metrics.hibernations.inc({ reason });
    this.#hibernationReasons.set(session.metadata.uid ?? '', reason);
  }

  /** A hibernated session's Deployment was scaled back up. */
  scaledUp(session: Session): void {
    this.#wakeStartedAt.set(session.metadata.uid ?? '', this.#clock.now());
  }

  /** The status written moved the session from `before`'s phase to `after`'s. */
  phaseChanged(before: Session, after: Session): void {
    const from = before.status?.phase;
    const to = after.status?.phase;
    if (from === to) return;
    const uid = after.metadata.uid ?? '';
    switch (to) {
      case 'Running': return from === 'Hibernated' || (from === 'Pending' && before.status?.reason === WAKING_REASON) ? this.#woken(after, uid) : this.#started(before, after);
      case 'Hibernated': {
        const reason = this.#hibernationReasons.get(uid) ?? 'user';
        this.#hibernationReasons.delete(uid);
        return this.#recorder.event(after, 'Normal', SESSION_EVENTS.hibernated, HIBERNATION_MESSAGES[reason]);
      }
      case 'Failed': return this.#recorder.event(after, 'Warning', SESSION_EVENTS.failed, `${after.status?.reason}: ${after.status?.message}`);
      case 'Terminated': {
        this.forget(uid);
        return this.#recorder.event(after, 'Normal', SESSION_EVENTS.terminated, after.status?.message ?? 'Terminated');
      }
      default: return undefined;
    }
  }

  /** Drops what is remembered about a session that is gone. */
  forget(uid: string | undefined): void {
    this.#hibernationReasons.delete(uid ?? '');
    this.#wakeStartedAt.delete(uid ?? '');
  }

  #woken(session: Session, uid: string): void {
    this.#metrics.wakes.inc();
    const began = this.#wakeStartedAt.get(uid);
    this.#wakeStartedAt.delete(uid);
    if (began !== undefined) this.#metrics.timeToRunning.observe({ trigger: 'wake' }, (this.#clock.now() - began) / 1000);
    this.#recorder.event(session, 'Normal', SESSION_EVENTS.woken, `Woken: running again at ${session.status?.url}`);
  }

  /** Running other than by waking: a first start, or a recovery (from Failed, or a lost pod). */
  #started(before: Session, after: Session): void {
    if (before.status?.startedAt) {
      this.#recorder.event(after, 'Normal', SESSION_EVENTS.recovered, `Running again at ${after.status?.url}`);
      return;
    }
    this.#metrics.starts.inc({ template: after.spec.template });
    const created = Date.parse(after.metadata.creationTimestamp ?? '');
    if (!Number.isNaN(created)) this.#metrics.timeToRunning.observe({ trigger: 'start' }, Math.max(0, this.#clock.now() - created) / 1000);
    this.#recorder.event(after, 'Normal', SESSION_EVENTS.started, `Running at ${after.status?.url}`);
  }
}
