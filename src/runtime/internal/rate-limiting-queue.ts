/**
 * The queue a controller uses: de-duplicating, delaying, and rate-limited on failure
 * (client-go's rate limiting queue semantics).
 */
import { DelayingQueue } from './delaying-queue.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { WorkQueueOptions } from './workqueue.ts';

/** Options of {@link RateLimitingQueue}. */
export interface RateLimitingQueueOptions extends WorkQueueOptions {
  rateLimiter: RateLimiter;
}

/** {@link DelayingQueue} plus addRateLimited()/forget()/numRequeues(). */
export class RateLimitingQueue extends DelayingQueue {
  readonly #limiter: RateLimiter;

  constructor(opts: RateLimitingQueueOptions) {
    super(opts);
    this.#limiter = opts.rateLimiter;
  }

  /** Adds `key` once the rate limiter allows it (one more failure for the key). */
  addRateLimited(key: string): void {
    this.addAfter(key, this.#limiter.when(key));
  }

  /** Resets the failure history of `key`; it does not remove the key from the queue. */
  forget(key: string): void {
    this.#limiter.forget(key);
  }

  /** How many times `key` was re-queued with addRateLimited since it was last forgotten. */
  numRequeues(key: string): number {
    return this.#limiter.numRequeues(key);
  }
}
