/**
 * One turn of a controller worker: run the reconciler for one key and act on its outcome
 * exactly as controller-runtime's reconcileHandler does. Each outcome does one queue action,
 * one metric and at most one log line:
 * - throws → rate-limited re-queue (not for terminal errors), result "error";
 * - requeueAfterMs > 0 → forget + addAfter, result "requeue_after";
 * - otherwise → forget, result "success".
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { RuntimeMetrics } from '../metrics.ts';
import { isTerminalError, requestFromKey, type Reconciler, type Result } from '../reconcile.ts';
import type { RateLimitingQueue } from './rate-limiting-queue.ts';

/** What a worker needs to reconcile one key. */
export interface ReconcileContext {
  controller: string;
  queue: RateLimitingQueue;
  reconciler: Reconciler;
  metrics: RuntimeMetrics;
  logger: Logger;
  clock: Clock;
  signal: AbortSignal;
}

type Outcome = { ok: true; result: Result | void } | { ok: false; error: unknown };

/** JavaScript's "programmer bug" errors, counted as panics (Go's nearest equivalent). */
function isPanicLike(err: unknown): boolean {
  return err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError || err instanceof SyntaxError;
}

async function runReconciler(ctx: ReconcileContext, key: string): Promise<Outcome> {
  try {
    return { ok: true, result: await ctx.reconciler.reconcile(requestFromKey(key), ctx.signal) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Reconciles `key` (already taken from the queue) and re-queues or forgets it. Never throws. */
export async function reconcileKey(ctx: ReconcileContext, key: string): Promise<void> {
  const { controller, queue, metrics } = ctx;
  const started = ctx.clock.now();
  metrics.activeWorkers.inc({ controller });
  const outcome = await runReconciler(ctx, key);
  metrics.activeWorkers.dec({ controller });
  metrics.reconcileTime.observe({ controller }, (ctx.clock.now() - started) / 1000);
  const log = ctx.logger.child({ controller, key });
  if (!outcome.ok) {
    handleError(ctx, key, outcome.error, log);
    return;
  }
  const after = outcome.result?.requeueAfterMs ?? 0;
  queue.forget(key);
  if (after > 0) {
    queue.addAfter(key, after);
    metrics.reconcileTotal.inc({ controller, result: 'requeue_after' });
    return;
  }
  metrics.reconcileTotal.inc({ controller, result: 'success' });
}

function handleError(ctx: ReconcileContext, key: string, error: unknown, log: Logger): void {
  const { controller, queue, metrics } = ctx;
  if (isPanicLike(error)) metrics.reconcilePanics.inc({ controller });
  if (isTerminalError(error)) {
    metrics.terminalReconcileErrors.inc({ controller });
  } else {
    queue.addRateLimited(key);
  }
  metrics.reconcileErrors.inc({ controller });
  metrics.reconcileTotal.inc({ controller, result: 'error' });
  log.error({ err: error }, 'Reconciler error');
}
