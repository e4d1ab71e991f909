/**
 * Polls a condition until it holds or a deadline passes, so tests await states instead of
 * sleeping for fixed times. The condition holds when it returns a truthy value without throwing;
 * the last error it threw is attached as the cause of the timeout error.
 */

/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Poll this often (default 20 ms). */
  intervalMs?: number;
  /** What was awaited, for the failure message. */
  message?: string;
}

/** Resolves with the condition's first passing result; rejects at the deadline. */
export async function eventually<T>(condition: () => T | Promise<T>, opts: EventuallyOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (;;) {
    try {
      const result = await condition();
      if (result) return result as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = opts.message ?? 'condition';
      throw new Error(`timed out after ${opts.timeoutMs ?? 10_000} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 20));
  }
}
