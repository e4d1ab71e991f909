/**
 * A controller: event sources feed a rate-limited, de-duplicating workqueue; up to
 * `maxConcurrentReconciles` workers take keys from it and call the reconciler. One key is never
 * reconciled by two workers at once (the queue guarantees it).
 */
import type { Logger } from 'pino';
import type { Informer } from './cache.ts';
import type { Clock } from './clock.ts';
import type { EventHandler, RequestQueue } from './handler.ts';
import type { InformerHandler } from './internal/informer.ts';
import { reconcileKey, type ReconcileContext } from './internal/reconcile-handler.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './internal/rate-limiter.ts';
import { RateLimitingQueue } from './internal/rate-limiting-queue.ts';
import type { Runnable } from './manager.ts';
import type { RuntimeMetrics } from './metrics.ts';
import type { Predicate } from './predicate.ts';
import { requestKey, type Reconciler, type Request } from './reconcile.ts';

/** Tunables of a controller. */
export interface ControllerOptions {
  /** Workers reconciling distinct keys in parallel (default 1). */
  maxConcurrentReconciles?: number;
  /** Default: 5 ms..1000 s per-item exponential backoff, max'd with a 10 qps / burst 100 bucket. */
  rateLimiter?: RateLimiter;
  /** How long start() waits for its informers to sync before failing (default 2 min). */
  cacheSyncTimeoutMs?: number;
  /** Run only on the elected leader (default true). */
  needsLeaderElection?: boolean;
}

/** What a controller is built from. */
export interface ControllerDeps {
  name: string;
  reconciler: Reconciler;
  metrics: RuntimeMetrics;
  clock: Clock;
  logger: Logger;
  options?: ControllerOptions;
}

interface Source {
  informer: Informer;
  handler: EventHandler;
  predicates: Predicate[];
}

/** See the module comment. */
export class Controller implements Runnable {
  readonly name: string;
  readonly queue: RateLimitingQueue;
  readonly #deps: ControllerDeps;
  readonly #sources: Source[] = [];
  #started = false;

  constructor(deps: ControllerDeps) {
    this.name = deps.name;
    this.#deps = deps;
    const rateLimiter = deps.options?.rateLimiter ?? defaultControllerRateLimiter(deps.clock);
    const queue: RateLimitingQueue = new RateLimitingQueue({
      clock: deps.clock,
      rateLimiter,
      metrics: deps.metrics.workqueueSink(deps.name, () => queue.inFlight()),
    });
    this.queue = queue;
  }

  /** Adds an event source: events of `informer` that pass every predicate go through `handler`. */
  watch(informer: Informer, handler: EventHandler, ...predicates: Predicate[]): void {
    if (this.#started) throw new Error(`controller ${this.name}: watch() after start()`);
    this.#sources.push({ informer, handler, predicates });
  }

  /** Queues a request directly (for external triggers). */
  enqueue(req: Request): void {
    this.queue.add(requestKey(req));
  }

  needsLeaderElection(): boolean {
    return this.#deps.options?.needsLeaderElection ?? true;
  }

  /** Starts sources and workers; on abort stops taking work and waits for reconciles in flight. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error(`controller ${this.name} already started`);
    this.#started = true;
    const workers = this.#deps.options?.maxConcurrentReconciles ?? 1;
    this.#deps.metrics.initController(this.name, workers);
    const removers = this.#sources.map((s) => s.informer.addHandler(this.#adapt(s)));
    try {
      await this.#waitForSync(signal);
      const log = this.#deps.logger.child({ controller: this.name });
      log.info({ workerCount: workers }, 'Starting workers');
      const running = Array.from({ length: workers }, () => this.#work(signal));
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      log.info('Shutdown signal received, waiting for all workers to finish');
      await this.queue.shutDownWithDrain();
      await Promise.all(running);
      log.info('All workers finished');
    } finally {
      for (const remove of removers) remove();
      this.queue.shutDown();
    }
  }

  async #waitForSync(signal: AbortSignal): Promise<void> {
    const timeoutMs = this.#deps.options?.cacheSyncTimeoutMs ?? 120_000;
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
    const synced = await Promise.all(this.#sources.map((s) => s.informer.waitForSync(timeout)));
    if (!synced.every(Boolean) && !signal.aborted) {
      throw new Error(`controller ${this.name}: timed out waiting for cache to be synced`);
    }
  }

  async #work(signal: AbortSignal): Promise<void> {
    const ctx: ReconcileContext = { ...this.#deps, controller: this.name, queue: this.queue, signal };
    for (let key = await this.queue.get(); key !== undefined; key = await this.queue.get()) {
      // After stop, queued keys are drained without reconciling: shutdown waits only for work in flight.
      if (!signal.aborted) await reconcileKey(ctx, key);
      this.queue.done(key);
    }
  }

  #adapt(source: Source): InformerHandler {
    const { handler, predicates } = source;
    const queue: RequestQueue = { add: (req) => this.queue.add(requestKey(req)) };
    return {
      onAdd: (object, isInInitialList) => {
        const e = { object, isInInitialList };
        if (predicates.every((p) => p.create(e))) handler.create(e, queue);
      },
      onUpdate: (objectOld, objectNew) => {
        const e = { objectOld, objectNew };
        if (predicates.every((p) => p.update(e))) handler.update(e, queue);
      },
      onDelete: (object, deleteStateUnknown) => {
        const e = { object, deleteStateUnknown };
        if (predicates.every((p) => p.delete(e))) handler.delete(e, queue);
      },
    };
  }
}
