import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { Registry, type Counter, type Gauge } from 'prom-client';
import { TestClock } from '../clock.ts';
import { RuntimeMetrics } from '../metrics.ts';
import { terminalError, type Request, type Result } from '../reconcile.ts';
import { defaultControllerRateLimiter } from './rate-limiter.ts';
import { RateLimitingQueue } from './rate-limiting-queue.ts';
import { reconcileKey, type ReconcileContext } from './reconcile-handler.ts';

type Behaviour = (req: Request) => Promise<Result | void>;

function setup(behaviour: Behaviour): { ctx: ReconcileContext; clock: TestClock; queue: RateLimitingQueue; metrics: RuntimeMetrics; seen: Request[] } {
  const clock = new TestClock(0);
  const metrics = new RuntimeMetrics(new Registry());
  metrics.initController('c', 1);
  const queue = new RateLimitingQueue({ clock, rateLimiter: defaultControllerRateLimiter(clock) });
  const seen: Request[] = [];
  const reconciler = { reconcile: (req: Request) => { seen.push(req); return behaviour(req); } };
  const ctx: ReconcileContext = {
    controller: 'c', queue, reconciler, metrics, clock, logger: pino({ level: 'silent' }), signal: new AbortController().signal,
  };
  return { ctx, clock, queue, metrics, seen };
}

/** The value of the counter/gauge series with exactly these labels (0 when absent). */
async function value(metric: Counter | Gauge, labels: Record<string, string>): Promise<number> {
  const data = await metric.get();
  return data.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

async function takeAndReconcile(ctx: ReconcileContext, key: string): Promise<void> {
  if (ctx.queue.len() === 0) ctx.queue.add(key);
  const got = await ctx.queue.get();
  await reconcileKey(ctx, got!);
  ctx.queue.done(got!);
}

test('success: forget the key, result "success", request parsed from the key', async () => {
  const { ctx, clock, queue, metrics, seen } = setup(async () => {});
  queue.addRateLimited('ns/a'); // a past failure
  clock.advance(5);
  assert.equal(queue.numRequeues('ns/a'), 1);
  await takeAndReconcile(ctx, 'ns/a');
  assert.deepEqual(seen, [{ namespace: 'ns', name: 'a' }]);
  assert.equal(queue.numRequeues('ns/a'), 0, 'forgotten');
  assert.equal(await value(metrics.reconcileTotal, { controller: 'c', result: 'success' }), 1);
  assert.equal(await value(metrics.reconcileErrors, { controller: 'c' }), 0);
});

test('error: rate-limited requeue (5 ms first), result "error", errors_total++', async () => {
  const { ctx, clock, queue, metrics } = setup(async () => { throw new Error('boom'); });
  await takeAndReconcile(ctx, 'a');
  assert.equal(queue.numRequeues('a'), 1);
  assert.equal(queue.len(), 0);
  clock.advance(4);
  assert.equal(queue.len(), 0);
  clock.advance(1);
  assert.equal(queue.len(), 1, 're-queued after the 5 ms backoff');
  assert.equal(await value(metrics.reconcileTotal, { controller: 'c', result: 'error' }), 1);
  assert.equal(await value(metrics.reconcileErrors, { controller: 'c' }), 1);
});

test('repeated errors back off exponentially', async () => {
  const { ctx, clock, queue } = setup(async () => { throw new Error('boom'); });
  const waits: number[] = [];
  queue.add('a');
  for (let i = 0; i < 4; i++) {
    const key = (await queue.get())!;
    await reconcileKey(ctx, key);
    queue.done(key);
    const start = clock.now();
    for (let t = 0; t < 100_000 && queue.len() === 0; t++) clock.advance(1);
    waits.push(clock.now() - start);
  }
  assert.deepEqual(waits, [5, 10, 20, 40]);
});

test('terminal error: not requeued, counted as error and as terminal', async () => {
  const { ctx, clock, queue, metrics } = setup(async () => { throw terminalError(new Error('bad spec')); });
  await takeAndReconcile(ctx, 'a');
  clock.advance(10_000_000);
  assert.equal(queue.len(), 0);
  assert.equal(queue.waitingCount(), 0);
  assert.equal(await value(metrics.terminalReconcileErrors, { controller: 'c' }), 1);
  assert.equal(await value(metrics.reconcileTotal, { controller: 'c', result: 'error' }), 1);
});

test('a terminal error wrapped as a cause is still terminal', async () => {
  const { ctx, queue } = setup(async () => { throw new Error('outer', { cause: terminalError('inner') }); });
  await takeAndReconcile(ctx, 'a');
  assert.equal(queue.waitingCount(), 0);
});

test('requeueAfter: forget + addAfter, result "requeue_after"', async () => {
  const { ctx, clock, queue, metrics } = setup(async () => ({ requeueAfterMs: 30_000 }));
  queue.addRateLimited('a'); // a past failure
  clock.advance(5);
  await takeAndReconcile(ctx, 'a');
  assert.equal(queue.numRequeues('a'), 0);
  clock.advance(29_999);
  assert.equal(queue.len(), 0);
  clock.advance(1);
  assert.equal(queue.len(), 1);
  assert.equal(await value(metrics.reconcileTotal, { controller: 'c', result: 'requeue_after' }), 1);
});

test('requeueAfter is ignored when the reconcile throws', async () => {
  const { ctx, clock, queue } = setup(async () => { throw Object.assign(new Error('x'), { requeueAfterMs: 60_000 }); });
  await takeAndReconcile(ctx, 'a');
  clock.advance(5);
  assert.equal(queue.len(), 1, 'rate limited (5 ms), not 60 s');
});

test('a programmer error (TypeError) is recovered, counted as a panic and retried', async () => {
  const { ctx, queue, metrics } = setup(async () => {
    const missing: any = undefined;
    return missing.field;
  });
  await takeAndReconcile(ctx, 'a');
  assert.equal(queue.numRequeues('a'), 1);
  assert.equal(await value(metrics.reconcilePanics, { controller: 'c' }), 1);
});

test('a synchronous throw (not a rejected promise) is recovered too', async () => {
  const { ctx, queue, metrics } = setup((() => { throw new Error('sync'); }) as Behaviour);
  await takeAndReconcile(ctx, 'a');
  assert.equal(queue.numRequeues('a'), 1);
  assert.equal(await value(metrics.reconcileTotal, { controller: 'c', result: 'error' }), 1);
});

test('active workers go up during a reconcile and back down after; time is observed', async () => {
  let during = -1;
  const { ctx, metrics } = setup(async () => { during = await value(metrics.activeWorkers, { controller: 'c' }); });
  await takeAndReconcile(ctx, 'a');
  assert.equal(during, 1);
  assert.equal(await value(metrics.activeWorkers, { controller: 'c' }), 0);
  const hist = await metrics.reconcileTime.get();
  assert.equal(hist.values.find((v) => v.metricName === 'controller_runtime_reconcile_time_seconds_count')?.value, 1);
});
