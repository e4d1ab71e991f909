/**
 * A clock for integration tests that runs in real time but can also jump ahead.
 *
 * The runtime's TestClock stands still until advanced, which suits unit tests but not a whole
 * manager talking to a real API server: retries, rate limiters and lease renewals would all
 * freeze. This clock keeps real time flowing (timers fire on their own, as with the real clock)
 * and `advance(ms)` moves "now" forward at once, firing every timer that has fallen due, so a
 * test can reach an idle deadline of 30 minutes in a millisecond and check that nothing happened
 * one second before it.
 */
import type { Clock, Timer } from '../../src/runtime/clock.ts';

interface PendingTimer {
  due: number;
  seq: number;
  fn: () => void;
  handle: ReturnType<typeof setTimeout>;
  done: boolean;
}

/** How far past the new "now" a timer may be and still fire on advance() (see advance()). */
const FIRE_SLACK_MS = 1000;

/** Longest delay setTimeout accepts; later timers wait for an advance() or re-arm. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** See the module comment. */
export class JumpingClock implements Clock {
  #offset = 0;
  #seq = 0;
  readonly #pending = new Set<PendingTimer>();

  now(): number {
    return Date.now() + this.#offset;
  }

  after(ms: number, fn: () => void): Timer {
    const due = this.now() + Math.max(0, ms);
    const delay = Math.min(Math.max(0, ms), MAX_TIMEOUT_MS);
    const timer: PendingTimer = { due, seq: this.#seq++, fn, done: false, handle: setTimeout(() => this.#fire(timer), delay) };
    this.#pending.add(timer);
    return {
      cancel: () => {
        timer.done = true;
        clearTimeout(timer.handle);
        this.#pending.delete(timer);
      },
    };
  }

  /**
   * Jumps `ms` ahead, firing (in due order) every timer due by then, or within FIRE_SLACK_MS after.
   * The slack is there because a controller's deadline reaches the clock as a delay: the reconciler
   * computes `deadline - now`, the queue arms `now' + delay` a few milliseconds later (more on a busy
   * machine), so the timer falls due just after the deadline the test jumps to, and its real
   * setTimeout would wait the whole delay (hours). Such a timer is re-armed for the rest of its
   * delay only (at most the slack, in real time), so it fires right after the deadline.
   */
  advance(ms: number): void {
    this.#offset += ms;
    const due = [...this.#pending].filter((t) => t.due <= this.now() + FIRE_SLACK_MS).sort((a, b) => a.due - b.due || a.seq - b.seq);
    for (const t of due) this.#fire(t);
  }

  /** Jumps to the epoch time `at` (never backwards). */
  advanceTo(at: number): void {
    this.advance(Math.max(0, at - this.now()));
  }

  #fire(timer: PendingTimer): void {
    if (timer.done) return;
    if (timer.due > this.now()) {
      // Not due yet (a delay longer than setTimeout's range, or within advance()'s slack): wait
      // again, in real time, for the rest only.
      clearTimeout(timer.handle);
      timer.handle = setTimeout(() => this.#fire(timer), Math.min(timer.due - this.now(), MAX_TIMEOUT_MS));
      return;
    }
    timer.done = true;
    clearTimeout(timer.handle);
    this.#pending.delete(timer);
    timer.fn();
  }
}
