/**
 * Rate limiters decide how long a failed item waits before it is retried (client-go's
 * util/workqueue default_rate_limiters, re-implemented).
 */
import type { Clock } from '../clock.ts';

/** RateLimiter answers "how long should this key wait now?" and tracks per-key failures. */
export interface RateLimiter {
  /** The delay in ms before `key` may be processed again; records one more failure for it. */
  when(key: string): number;
  /** Clears the failure history of `key` (after a success). */
  forget(key: string): void;
  /** How many times `key` has failed since it was last forgotten. */
  numRequeues(key: string): number;
}

/** Per-key exponential backoff: base·2^failures, capped at max. */
export class ItemExponentialFailureRateLimiter implements RateLimiter {
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #failures = new Map<string, number>();

  constructor(baseMs: number, maxMs: number) {
    this.#baseMs = baseMs;
    this.#maxMs = maxMs;
  }

  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // 2^failures overflows to Infinity long before it matters; min() caps it either way.
    return Math.min(this.#baseMs * 2 ** failures, this.#maxMs);
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}

/** Options of {@link BucketRateLimiter}. */
export interface BucketOptions {
  /** Tokens added per second. */
  qps: number;
  /** Bucket size: how many items may pass at once after a quiet period. */
  burst: number;
  clock: Clock;
}

/**
 * An overall token bucket shared by all keys: each call takes one token; when the bucket is
 * empty the caller is told to wait until its token will have been refilled. Tokens may go
 * negative, so back-to-back calls get increasing delays (like golang.org/x/time/rate Reserve).
 */
export class BucketRateLimiter implements RateLimiter {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  #tokens: number;
  #last: number;

  constructor(opts: BucketOptions) {
    this.#qps = opts.qps;
    this.#burst = opts.burst;
    this.#clock = opts.clock;
    this.#tokens = opts.burst;
    this.#last = opts.clock.now();
  }

  when(_key: string): number {
    const now = this.#clock.now();
    const elapsedSeconds = Math.max(0, now - this.#last) / 1000;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsedSeconds * this.#qps);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#qps) * 1000);
  }

  forget(_key: string): void {}

  numRequeues(_key: string): number {
    return 0;
  }
}

/** Combines limiters: the delay is the longest any of them asks for. */
export class MaxOfRateLimiter implements RateLimiter {
  readonly #limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.#limiters = limiters;
  }

  when(key: string): number {
    // Every limiter must see the call (each records its own state), so no short-circuit.
    return Math.max(0, ...this.#limiters.map((l) => l.when(key)));
  }

  forget(key: string): void {
    for (const l of this.#limiters) l.forget(key);
  }

  numRequeues(key: string): number {
    return Math.max(0, ...this.#limiters.map((l) => l.numRequeues(key)));
  }
}

/** Per-item backoff bounds of the default controller rate limiter. */
export const DEFAULT_BACKOFF = { baseMs: 5, maxMs: 1_000_000 } as const;
/** Overall bucket of the default controller rate limiter. */
export const DEFAULT_BUCKET = { qps: 10, burst: 100 } as const;

/**
 * controller-runtime's classic default: per-item exponential backoff from 5 ms to 1000 s,
 * combined with an overall 10 qps / burst 100 token bucket.
 */
export function defaultControllerRateLimiter(clock: Clock): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialFailureRateLimiter(DEFAULT_BACKOFF.baseMs, DEFAULT_BACKOFF.maxMs),
    new BucketRateLimiter({ ...DEFAULT_BUCKET, clock }),
  );
}
