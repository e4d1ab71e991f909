/**
 * The de-duplicating work queue at the heart of every controller (the semantics of client-go's
 * util/workqueue Type, re-implemented for a single-threaded event loop with async consumers):
 * - a key added while already waiting is not queued twice (bursts collapse into one item);
 * - a key handed out by get() is "processing" until done(); adding it meanwhile only marks it
 *   dirty, and done() re-queues it once, so one key is never processed concurrently;
 * - after shutDown() adds are ignored, get() keeps handing out what is queued and then
 *   resolves `undefined`.
 */
import type { Clock } from '../clock.ts';

/** What a queue reports to its metrics (workqueue_* series). */
export interface QueueMetricsSink {
  /** A key became dirty: adds_total++, depth++. */
  added(): void;
  /** A key was handed out after waiting `queuedSeconds`: depth--. */
  started(queuedSeconds: number): void;
  /** A key finished processing after `workSeconds`. */
  finished(workSeconds: number): void;
  /** A key was scheduled for a retry (AddAfter / AddRateLimited). */
  retried(): void;
}

/** A sink that records nothing. */
export const noQueueMetrics: QueueMetricsSink = { added() {}, started() {}, finished() {}, retried() {} };

/** Summary of the work in progress, for the unfinished/longest-running gauges. */
export interface InFlightWork {
  unfinishedSeconds: number;
  longestRunningSeconds: number;
}

/** Options shared by the queue classes. */
export interface WorkQueueOptions {
  clock: Clock;
  metrics?: QueueMetricsSink;
}

/** The de-duplicating FIFO; see the module comment. */
export class WorkQueue {
  protected readonly clock: Clock;
  protected readonly metrics: QueueMetricsSink;
  #queue: string[] = [];
  #head = 0;
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #addedAt = new Map<string, number>();
  readonly #startedAt = new Map<string, number>();
  #waiters: ((key: string | undefined) => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  #shuttingDown = false;

  constructor(opts: WorkQueueOptions) {
    this.clock = opts.clock;
    this.metrics = opts.metrics ?? noQueueMetrics;
  }

  /** Marks `key` as needing processing. */
  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.metrics.added();
    this.#dirty.add(key);
    if (!this.#addedAt.has(key)) this.#addedAt.set(key, this.clock.now());
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** The next key to process; `undefined` once the queue is shut down and empty. */
  get(): Promise<string | undefined> {
    if (this.len() > 0) return Promise.resolve(this.#take());
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Ends processing of `key`; re-queues it if it was added while being processed. */
  done(key: string): void {
    if (!this.#processing.delete(key)) return;
    const started = this.#startedAt.get(key);
    this.#startedAt.delete(key);
    if (started !== undefined) this.metrics.finished((this.clock.now() - started) / 1000);
    if (this.#dirty.has(key)) this.#push(key);
    if (this.#processing.size === 0) this.#notifyDrained();
  }

  /** Number of keys waiting to be handed out (not counting those being processed). */
  len(): number {
    return this.#queue.length - this.#head;
  }

  /** True once shutDown() was called. */
  shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Stops accepting keys; idle consumers get `undefined`, queued keys are still handed out. */
  shutDown(): void {
    this.#shuttingDown = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w(undefined);
  }

  /** shutDown(), then waits until every key being processed is done(). */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Work currently in progress, measured on the queue's clock. */
  inFlight(): InFlightWork {
    const now = this.clock.now();
    let unfinished = 0;
    let longest = 0;
    for (const started of this.#startedAt.values()) {
      const seconds = (now - started) / 1000;
      unfinished += seconds;
      longest = Math.max(longest, seconds);
    }
    return { unfinishedSeconds: unfinished, longestRunningSeconds: longest };
  }

  #push(key: string): void {
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#queue.push(key);
      waiter(this.#take());
      return;
    }
    this.#queue.push(key);
  }

  #take(): string {
    const key = this.#queue[this.#head++];
    // Compact now and then so the array does not grow without bound.
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#dirty.delete(key);
    this.#processing.add(key);
    const now = this.clock.now();
    const added = this.#addedAt.get(key) ?? now;
    this.#addedAt.delete(key);
    this.#startedAt.set(key, now);
    this.metrics.started((now - added) / 1000);
    return key;
  }

  #notifyDrained(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w();
  }
}
