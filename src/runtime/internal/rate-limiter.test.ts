import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClock } from '../clock.ts';
import {
  BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter,
} from './rate-limiter.ts';

test('per-item backoff grows 5ms·2^n and caps at 1000 s', () => {
  const limiter = new ItemExponentialFailureRateLimiter(5, 1_000_000);
  const delays = Array.from({ length: 20 }, () => limiter.when('a'));
  assert.deepEqual(delays.slice(0, 5), [5, 10, 20, 40, 80]);
  assert.equal(delays[17], 5 * 2 ** 17); // 655.36 s, still under the cap
  assert.equal(delays[18], 1_000_000); // 5ms·2^18 = 1310.72 s > cap
  assert.equal(delays[19], 1_000_000);
  assert.equal(limiter.numRequeues('a'), 20);
});

test('per-item backoff is per key, and forget resets it', () => {
  const limiter = new ItemExponentialFailureRateLimiter(5, 1_000_000);
  limiter.when('a');
  limiter.when('a');
  assert.equal(limiter.when('b'), 5);
  assert.equal(limiter.when('a'), 20);
  limiter.forget('a');
  assert.equal(limiter.numRequeues('a'), 0);
  assert.equal(limiter.when('a'), 5);
});

test('the backoff never overflows, even after thousands of failures', () => {
  const limiter = new ItemExponentialFailureRateLimiter(5, 1_000_000);
  let last = 0;
  for (let i = 0; i < 5000; i++) last = limiter.when('x');
  assert.equal(last, 1_000_000);
});

test('token bucket: burst passes at once, then 10 qps spacing; tokens refill with time', () => {
  const clock = new TestClock(0);
  const bucket = new BucketRateLimiter({ qps: 10, burst: 100, clock });
  for (let i = 0; i < 100; i++) assert.equal(bucket.when(`k${i}`), 0, `item ${i} is within the burst`);
  assert.equal(bucket.when('k100'), 100);
  assert.equal(bucket.when('k101'), 200);
  assert.equal(bucket.when('k102'), 300);
  clock.advance(10_000); // 100 tokens refilled (the 3 borrowed ones are repaid first)
  const passed = Array.from({ length: 100 }, (_, i) => bucket.when(`r${i}`)).filter((d) => d === 0).length;
  assert.equal(passed, 97);
});

test('max-of limiter takes the longest delay and forgets in all members', () => {
  const clock = new TestClock(0);
  const limiter = new MaxOfRateLimiter(new ItemExponentialFailureRateLimiter(5, 1_000_000), new BucketRateLimiter({ qps: 10, burst: 1, clock }));
  assert.equal(limiter.when('a'), 5); // bucket has its one token; backoff says 5 ms
  assert.equal(limiter.when('a'), 100); // bucket now empty: 100 ms beats the 10 ms backoff
  assert.equal(limiter.numRequeues('a'), 2);
  limiter.forget('a');
  assert.equal(limiter.numRequeues('a'), 0);
});

test('default controller limiter: 5 ms first retry, bucket of 100 at 10 qps', () => {
  const clock = new TestClock(0);
  const limiter = defaultControllerRateLimiter(clock);
  assert.equal(limiter.when('a'), 5);
  assert.equal(limiter.when('a'), 10);
  for (let i = 0; i < 98; i++) limiter.when(`k${i}`);
  // 100 tokens used; the next key waits for the bucket, not its own (5 ms) backoff.
  assert.equal(limiter.when('fresh'), 100);
});
