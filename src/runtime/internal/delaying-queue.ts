/**
 * A work queue that can also add a key later (client-go's delaying queue semantics): a key
 * waiting to be added keeps only its earliest due time, and waiting keys are dropped on
 * shutdown.
 */
import type { Timer } from '../clock.ts';
import { WorkQueue } from './workqueue.ts';

interface Waiting {
  readyAt: number;
  timer: Timer;
}

/** {@link WorkQueue} plus addAfter(). */
export class DelayingQueue extends WorkQueue {
  readonly #waiting = new Map<string, Waiting>();

  /** Adds `key` after `ms` milliseconds (at once when `ms` <= 0). Counts as a retry. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown()) return;
    this.metrics.retried();
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.#waiting.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    existing?.timer.cancel();
    const timer = this.clock.after(ms, () => {
      this.#waiting.delete(key);
      this.add(key);
    });
    this.#waiting.set(key, { readyAt, timer });
  }

  /** Number of keys scheduled for a later add. */
  waitingCount(): number {
    return this.#waiting.size;
  }

  override shutDown(): void {
    for (const w of this.#waiting.values()) w.timer.cancel();
    this.#waiting.clear();
    super.shutDown();
  }
}
