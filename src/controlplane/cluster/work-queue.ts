/**
 * The reconcile queue every simulated controller runs on. Store events arrive synchronously in the
 * middle of a write, so handlers only add keys here; a single worker drains them on a later turn of
 * the event loop. Keys are de-duplicated (a burst of events for one object is one reconcile), a key
 * added while it is being reconciled runs once more afterwards, a reconcile may ask to run again
 * later (timed transitions), and failures are retried with a per-key back-off (conflicts quickly).
 */
import { isStatus } from './internal-client.ts';

/** What a reconcile may ask for: nothing, or another run after a delay. */
export type ReconcileResult = void | { requeueAfterMs: number };

/** Reconciles one key; throws to be retried. */
export type Reconciler = (key: string) => Promise<ReconcileResult>;

const CONFLICT_BACKOFF_MS = 1;
const ERROR_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 10_000;

/** A de-duplicating, single-worker reconcile queue with delayed requeues and back-off. */
export class ReconcileQueue {
  private readonly name: string;
  private readonly reconcile: Reconciler;
  private readonly ready = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private scheduled = false;
  private stopped = false;

  constructor(name: string, reconcile: Reconciler) {
    this.name = name;
    this.reconcile = reconcile;
  }

  /** Queues `key` now, or after `delayMs` (keeping the earliest pending wake-up). */
  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) return this.addLater(key, delayMs);
    this.ready.add(key);
    this.schedule();
  }

  private addLater(key: string, delayMs: number): void {
    const at = Date.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref?.();
    this.delayed.set(key, { at, timer });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.drain().catch((err) => debug(this.name, '(worker)', err));
    });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.ready.size) {
      const key = this.ready.values().next().value as string;
      this.ready.delete(key);
      await this.runOne(key);
    }
    this.scheduled = false;
    if (!this.stopped && this.ready.size) this.schedule();
  }

  private async runOne(key: string): Promise<void> {
    try {
      const result = await this.reconcile(key);
      this.failures.delete(key);
      if (result && result.requeueAfterMs >= 0) this.add(key, Math.max(1, Math.ceil(result.requeueAfterMs)));
    } catch (err) {
      if (this.stopped) return;
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      const base = isStatus(err, 409) ? CONFLICT_BACKOFF_MS : ERROR_BACKOFF_MS;
      if (!isStatus(err, 409)) debug(this.name, key, err);
      this.add(key, Math.min(MAX_BACKOFF_MS, base * 2 ** Math.min(n - 1, 16)));
    }
  }

  /** Stops the worker and drops every pending key and timer. */
  stop(): void {
    this.stopped = true;
    this.ready.clear();
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
  }
}

function debug(queue: string, key: string, err: unknown): void {
  // Controllers retry on their own; set STREAMSPACE_SIM_DEBUG=1 to see why they had to.
  if (process.env.STREAMSPACE_SIM_DEBUG) console.error(`[simulation:${queue}] ${key}:`, err);
}
