import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClock, settle } from '../clock.ts';
import { ItemExponentialFailureRateLimiter, defaultControllerRateLimiter } from './rate-limiter.ts';
import { RateLimitingQueue } from './rate-limiting-queue.ts';
import type { QueueMetricsSink } from './workqueue.ts';

function newQueue(clock = new TestClock(0), metrics?: QueueMetricsSink): RateLimitingQueue {
  return new RateLimitingQueue({ clock, rateLimiter: defaultControllerRateLimiter(clock), metrics });
}

function countingSink(): QueueMetricsSink & { counts: Record<string, number> } {
  const counts = { added: 0, started: 0, finished: 0, retried: 0 };
  return {
    counts,
    added: () => { counts.added++; },
    started: () => { counts.started++; },
    finished: () => { counts.finished++; },
    retried: () => { counts.retried++; },
  };
}

test('adding a waiting key again does not queue it twice', async () => {
  const q = newQueue();
  q.add('a');
  q.add('b');
  q.add('a');
  q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
});

test('a key being processed is not handed out again until done, and is re-queued once on done', async () => {
  const q = newQueue();
  q.add('a');
  const first = await q.get();
  assert.equal(first, 'a');
  q.add('a');
  q.add('a');
  assert.equal(q.len(), 0, 'a processing key only becomes dirty');
  let second: string | undefined;
  void q.get().then((k) => { second = k; });
  await settle();
  assert.equal(second, undefined, 'no concurrent processing of the same key');
  q.done('a');
  await settle();
  assert.equal(second, 'a', 're-queued once on done');
  q.done('a');
  assert.equal(q.len(), 0, 'only once');
});

test('done without a re-add does not re-queue', async () => {
  const q = newQueue();
  q.add('a');
  q.done((await q.get())!);
  assert.equal(q.len(), 0);
});

test('a waiting consumer receives the next added key', async () => {
  const q = newQueue();
  const got = q.get();
  q.add('x');
  assert.equal(await got, 'x');
});

test('concurrent consumers never share a key', async () => {
  const q = newQueue();
  const inFlight = new Set<string>();
  const processed: string[] = [];
  let violations = 0;
  const worker = async (): Promise<void> => {
    for (let key = await q.get(); key !== undefined; key = await q.get()) {
      if (inFlight.has(key)) violations++;
      inFlight.add(key);
      await settle();
      if (processed.length < 200) q.add(key); // re-add while processing
      processed.push(key);
      inFlight.delete(key);
      q.done(key);
    }
  };
  for (const k of ['a', 'b', 'c']) q.add(k);
  const workers = [worker(), worker(), worker(), worker()];
  while (processed.length < 200) await settle();
  await q.shutDownWithDrain();
  await Promise.all(workers);
  assert.equal(violations, 0);
});

test('addAfter adds in due order and keeps only the earliest due time of a key', async () => {
  const clock = new TestClock(0);
  const q = newQueue(clock);
  q.addAfter('late', 300);
  q.addAfter('early', 100);
  q.addAfter('mid', 200);
  q.addAfter('mid', 500); // later: ignored, 200 stands
  q.addAfter('late', 150); // earlier: moves up
  assert.equal(q.len(), 0);
  clock.advance(99);
  assert.equal(q.len(), 0);
  clock.advance(1);
  assert.equal(await q.get(), 'early');
  clock.advance(50);
  assert.equal(await q.get(), 'late');
  clock.advance(50);
  assert.equal(await q.get(), 'mid');
  clock.advance(1000);
  assert.equal(q.len(), 0, 'no duplicate from the superseded timers');
  assert.equal(q.waitingCount(), 0);
});

test('addAfter with a non-positive delay adds at once', async () => {
  const q = newQueue();
  q.addAfter('now', 0);
  assert.equal(await q.get(), 'now');
});

test('addRateLimited waits 5 ms, 10 ms, 20 ms… and forget resets the backoff', async () => {
  const clock = new TestClock(0);
  const q = new RateLimitingQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1_000_000) });
  const dueAfter = async (): Promise<number> => {
    const start = clock.now();
    q.addRateLimited('a');
    for (let i = 0; i < 10_000 && q.len() === 0; i++) clock.advance(1);
    const waited = clock.now() - start;
    q.done((await q.get())!);
    return waited;
  };
  const delays = [await dueAfter(), await dueAfter(), await dueAfter(), await dueAfter()];
  assert.deepEqual(delays, [5, 10, 20, 40]);
  assert.equal(q.numRequeues('a'), 4);
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
  assert.equal(await dueAfter(), 5);
});

test('shutDown drops adds and delayed keys, hands out what is queued, then undefined', async () => {
  const clock = new TestClock(0);
  const q = newQueue(clock);
  q.add('a');
  q.add('b');
  q.addAfter('later', 100);
  q.shutDown();
  q.add('c');
  q.addAfter('d', 10);
  clock.advance(1000);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(await q.get(), undefined);
  assert.equal(clock.pendingTimers(), 0);
});

test('shutDown releases consumers blocked in get()', async () => {
  const q = newQueue();
  const waiting = [q.get(), q.get()];
  q.shutDown();
  assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
});

test('shutDownWithDrain waits until keys in flight are done', async () => {
  const q = newQueue();
  q.add('a');
  const key = await q.get();
  let drained = false;
  const drain = q.shutDownWithDrain().then(() => { drained = true; });
  await settle();
  assert.equal(drained, false);
  q.done(key!);
  await drain;
  assert.equal(drained, true);
});

test('metrics: adds, depth-relevant starts, finishes and retries are reported', async () => {
  const clock = new TestClock(0);
  const sink = countingSink();
  const q = newQueue(clock, sink);
  q.add('a');
  q.add('a');
  q.add('b');
  const a = await q.get();
  clock.advance(250);
  assert.deepEqual(q.inFlight(), { unfinishedSeconds: 0.25, longestRunningSeconds: 0.25 });
  q.done(a!);
  q.addRateLimited('a');
  q.addAfter('c', 10);
  assert.deepEqual(sink.counts, { added: 2, started: 1, finished: 1, retried: 2 });
  assert.deepEqual(q.inFlight(), { unfinishedSeconds: 0, longestRunningSeconds: 0 });
});
