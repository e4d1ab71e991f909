/**
 * Heartbeat coalescing. Viewers send heartbeats every few seconds; writing each one to the
 * Session would flood the API server. Heartbeats are kept in memory (the newest per session)
 * and flushed every interval: at most one `status.lastActivity` merge patch per session per
 * flush. lastActivity never moves backwards: a write happens only when the pending time is
 * newer than the stored one, and the patch carries the resourceVersion it compared against, so
 * a concurrent writer (another replica) makes it fail with 409 and it is re-checked live.
 */
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../runtime/api-error.ts';
import { mergePatch } from '../../runtime/patch.ts';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { ClusterView } from '../kube/cluster-view.ts';
import { SESSION } from '../kube/kinds.ts';
import type { ApiMetrics } from '../metrics.ts';
import { kubeTime as toKubeTime } from '../../apimachinery/time.ts';
import { activityPatchBody, newerActivity } from '../../apis/stream/v1alpha1/activity.ts';

/** Options of {@link HeartbeatCoalescer}. */
export interface HeartbeatCoalescerOptions {
  view: ClusterView;
  metrics: ApiMetrics;
  logger: Logger;
  /** How often pending heartbeats are written (default 30 s). */
  flushIntervalMs: number;
  /** Most writes in flight at once during a flush (default 8; fewer for small flushes, see {@link SESSIONS_PER_WRITER}). */
  concurrency?: number;
}

/** metav1.Time has second precision: the instant as Kubernetes will store it. */
export { toKubeTime };

type FlushResult = 'written' | 'not_newer' | 'gone' | 'failed';

/**
 * A flush runs one writer per this many pending sessions (up to the concurrency): a small flush
 * is a short sequence of writes rather than a burst of parallel ones. A burst makes the API
 * server and this process busy at the same moment, and the API's own requests wait behind it
 * (bench/api-heartbeats.ts with a flush every second and 50 sessions: 8 writers left 2.4 times
 * as many heartbeats over 5 ms during flushes as one writer, p99 10.0 ms against 6.1 ms).
 */
export const SESSIONS_PER_WRITER = 100;

/** See the module comment. */
export class HeartbeatCoalescer {
  readonly #o: HeartbeatCoalescerOptions;
  #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(opts: HeartbeatCoalescerOptions) {
    this.#o = opts;
  }

  /** Records activity on `session` at `atMs` (the newest one wins). */
  record(session: string, atMs: number): void {
    const pending = this.#pending.get(session);
    this.#o.metrics.heartbeatsReceived.inc();
    if (pending !== undefined) this.#o.metrics.heartbeatsCoalesced.inc();
    if (pending === undefined || atMs > pending) this.#pending.set(session, atMs);
  }

  /** How many sessions have a heartbeat waiting to be written. */
  pendingCount(): number {
    return this.#pending.size;
  }

  /** Starts the flush timer. */
  start(): void {
    this.#timer ??= setInterval(() => void this.flush(), this.#o.flushIntervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  /** Writes every pending heartbeat now (joins a flush already running, then runs again if needed). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#pending.size === 0) return;
    this.#flushing = this.#flushBatch().finally(() => (this.#flushing = undefined));
    await this.#flushing;
  }

  async #flushBatch(): Promise<void> {
    const batch = [...this.#pending];
    this.#pending = new Map();
    const workers = Math.max(1, Math.min(this.#o.concurrency ?? 8, Math.ceil(batch.length / SESSIONS_PER_WRITER)));
    let next = 0;
    const work = async (): Promise<void> => {
      while (next < batch.length) {
        const [session, at] = batch[next++];
        const result = await this.#write(session, at);
        this.#o.metrics.heartbeatWrites.inc({ result });
        // Keep a failed write for the next flush unless a newer heartbeat has arrived meanwhile.
        if (result === 'failed' && (this.#pending.get(session) ?? -Infinity) < at) this.#pending.set(session, at);
      }
    };
    await Promise.all(Array.from({ length: workers }, work));
  }

  async #write(name: string, atMs: number): Promise<FlushResult> {
    const cached = this.#o.view.get<Session>(SESSION, name);
    if (!cached) return 'gone';
    try {
      return await this.#writeIfNewer(cached, atMs);
    } catch (err) {
      if (isNotFound(err)) return 'gone';
      if (!isConflict(err)) return this.#failed(name, err);
    }
    try {
      // The cache was behind another writer: compare against the live object once more.
      const live = await this.#o.view.client.get<Session>(SESSION, { namespace: this.#o.view.namespace, name });
      return await this.#writeIfNewer(live, atMs);
    } catch (err) {
      return isNotFound(err) ? 'gone' : this.#failed(name, err);
    }
  }

  async #writeIfNewer(session: Session, atMs: number): Promise<FlushResult> {
    const lastActivity = newerActivity(session, atMs);
    if (lastActivity === undefined) return 'not_newer';
    const patch = mergePatch(activityPatchBody(session, lastActivity));
    await this.#o.view.client.patchStatus(session, patch);
    return 'written';
  }

  #failed(name: string, err: unknown): FlushResult {
    this.#o.logger.warn({ session: name, err: String(err) }, 'Failed to write session lastActivity');
    return 'failed';
  }
}
