import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClock, sleep } from './clock.ts';

test('TestClock fires due timers in due order, ties in creation order, with now() at each due time', () => {
  const clock = new TestClock(1000);
  const fired: string[] = [];
  clock.after(30, () => fired.push(`c@${clock.now()}`));
  clock.after(10, () => fired.push(`a@${clock.now()}`));
  clock.after(10, () => fired.push(`b@${clock.now()}`));
  clock.after(50, () => fired.push('late'));
  clock.advance(30);
  assert.deepEqual(fired, ['a@1010', 'b@1010', 'c@1030']);
  assert.equal(clock.now(), 1030);
  assert.equal(clock.pendingTimers(), 1);
});

test('TestClock fires timers scheduled by a firing timer when they fall inside the advance', () => {
  const clock = new TestClock(0);
  const fired: number[] = [];
  clock.after(10, () => {
    fired.push(clock.now());
    clock.after(5, () => fired.push(clock.now()));
    clock.after(100, () => fired.push(clock.now()));
  });
  clock.advance(20);
  assert.deepEqual(fired, [10, 15]);
  assert.equal(clock.now(), 20);
});

test('cancelled timers never fire', () => {
  const clock = new TestClock(0);
  let fired = false;
  const t = clock.after(10, () => { fired = true; });
  t.cancel();
  clock.advance(100);
  assert.equal(fired, false);
  assert.equal(clock.pendingTimers(), 0);
});

test('sleep resolves when the clock passes the delay, or early when the signal aborts', async () => {
  const clock = new TestClock(0);
  let done = false;
  const p = sleep(clock, 100).then(() => { done = true; });
  await clock.advanceAsync(99);
  assert.equal(done, false);
  await clock.advanceAsync(1);
  await p;
  assert.equal(done, true);

  const ac = new AbortController();
  const q = sleep(clock, 1_000_000, ac.signal);
  ac.abort();
  await q;
  assert.equal(clock.pendingTimers(), 0);
});
