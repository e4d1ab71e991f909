/**
 * How long a drain waits before trying again to evict pods a disruption budget protects: doubling
 * from a base up to a ceiling, per operation, reset whenever a pass makes progress. Kept in memory:
 * after a restart an operation simply starts again from the base delay.
 */

/** Delays of {@link RetryBackoff}, in milliseconds. */
export interface BackoffDelays {
  baseMs: number;
  maxMs: number;
}

/** See the module comment. */
export class RetryBackoff {
  readonly #delays: BackoffDelays;
  readonly #attempts = new Map<string, number>();

  constructor(delays: BackoffDelays) {
    this.#delays = delays;
  }

  /** The delay before the next attempt for `key`; each call doubles the following one. */
  next(key: string): number {
    const attempt = this.#attempts.get(key) ?? 0;
    this.#attempts.set(key, attempt + 1);
    return Math.min(this.#delays.baseMs * 2 ** Math.min(attempt, 30), this.#delays.maxMs);
  }

  /** Starts `key` again from the base delay. */
  reset(key: string): void {
    this.#attempts.delete(key);
  }
}
