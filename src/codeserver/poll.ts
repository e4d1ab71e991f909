/**
 * Waiting for the cluster to reach a state: ask, and ask again with a growing pause (20 ms up to
 * 500 ms) until the answer is there or the time is up. Provisioning waits minutes at most and
 * the pod's readiness changes a handful of times, so a few requests per second is cheap and
 * needs no watch connection per request.
 */

/** Options of {@link pollUntil}. */
export interface PollOptions {
  timeoutMs: number;
  /** First pause (default 20 ms); doubles up to maxIntervalMs. */
  initialIntervalMs?: number;
  /** Longest pause (default 500 ms). */
  maxIntervalMs?: number;
  signal?: AbortSignal;
}

/** What the probe says: done with a value, or not yet (the last value seen is kept). */
export type PollAnswer<T> = { done: true; value: T } | { done: false; value: T };

/** Runs `probe` until it says done or the time runs out; returns the last answer either way. */
export async function pollUntil<T>(probe: () => Promise<PollAnswer<T>>, opts: PollOptions): Promise<PollAnswer<T>> {
  const deadline = Date.now() + opts.timeoutMs;
  let pause = opts.initialIntervalMs ?? 20;
  for (;;) {
    const answer = await probe();
    const left = deadline - Date.now();
    if (answer.done || left <= 0 || opts.signal?.aborted) return answer;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    pause = Math.min(pause * 2, opts.maxIntervalMs ?? 500);
  }
}
