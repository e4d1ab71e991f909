/**
 * The Session controller's Prometheus metrics, registered on the manager's registry (never the
 * global one, so several managers can share a process): sessions by phase, Running sessions by
 * user and template, starts by template, hibernations by reason, wakes, and how long sessions
 * take to become Running.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { SESSION_PHASES, type SessionPhase } from '../../apis/stream/v1alpha1/session.ts';

/** Why a session was hibernated. */
export type HibernationReason = 'idle' | 'max-duration' | 'user';

/** How a session came to be Running: its first start, or a wake from hibernation. */
export type RunningTrigger = 'start' | 'wake';

/** Buckets of the time-to-running histogram, in seconds: pod starts take from under a second to minutes. */
export const TIME_TO_RUNNING_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

/** What the scrape-time gauges read of one session. */
export interface SessionSummary {
  phase: SessionPhase | '';
  user: string;
  template: string;
}

/** See the module comment. */
export class SessionMetrics {
  readonly starts: Counter<'template'>;
  readonly hibernations: Counter<'reason'>;
  readonly wakes: Counter;
  readonly timeToRunning: Histogram<'trigger'>;

  /** `sessions` lists every known session (phase '' when it has none yet), read at scrape time. */
  constructor(registry: Registry, sessions: () => Iterable<SessionSummary>) {
    const registers = [registry];
    new Gauge({
      name: 'streamspace_sessions', help: 'Sessions by phase (sessions without a phase yet count as Pending).',
      labelNames: ['phase'], registers,
      collect() {
        const counts = new Map<string, number>(SESSION_PHASES.map((p) => [p, 0]));
        for (const { phase } of sessions()) counts.set(phase || 'Pending', (counts.get(phase || 'Pending') ?? 0) + 1);
        for (const [phase, n] of counts) this.set({ phase }, n);
      },
    });
    // Rebuilt at every scrape, so a user whose last session stopped disappears instead of staying at 0.
    new Gauge({
      name: 'streamspace_active_sessions_total', help: 'Running sessions, by user and template.',
      labelNames: ['user', 'template'], registers,
      collect() {
        this.reset();
        for (const s of sessions()) if (s.phase === 'Running') this.inc({ user: s.user, template: s.template });
      },
    });
    this.starts = new Counter({ name: 'streamspace_session_starts_total', help: 'Sessions that became Running for the first time, by template.', labelNames: ['template'], registers });
    this.hibernations = new Counter({ name: 'streamspace_session_hibernations_total', help: 'Sessions scaled to zero, by reason (idle, max-duration, user).', labelNames: ['reason'], registers });
    for (const reason of ['idle', 'max-duration', 'user'] satisfies HibernationReason[]) this.hibernations.inc({ reason }, 0);
    this.wakes = new Counter({ name: 'streamspace_session_wakes_total', help: 'Hibernated sessions that became Running again.', registers });
    this.timeToRunning = new Histogram({
      name: 'streamspace_session_time_to_running_seconds',
      help: 'Seconds from a session\'s creation (trigger=start) or its wake request (trigger=wake) to Running.',
      labelNames: ['trigger'], buckets: TIME_TO_RUNNING_BUCKETS, registers,
    });
  }
}
