import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { KubeClient } from './client.ts';
import { TestClock, settle } from './clock.ts';
import { LeaderElector, type ElectionOutcome } from './leader-election.ts';
import { RuntimeMetrics } from './metrics.ts';
import { MemoryTransport } from './testing/memory-transport.ts';

const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/ss-system/leases/streamspace';

interface Candidate {
  elector: LeaderElector;
  stop: AbortController;
  outcome: Promise<ElectionOutcome>;
  log: string[];
  metrics: RuntimeMetrics;
}

const running: AbortController[] = [];
afterEach(() => { for (const r of running.splice(0)) r.abort(); });

function candidate(transport: MemoryTransport, clock: TestClock, identity: string, releaseOnCancel = true): Candidate {
  const metrics = new RuntimeMetrics(new Registry());
  const client = new KubeClient({ transport, fieldManager: identity });
  const elector = new LeaderElector({
    client, clock, metrics, logger: pino({ level: 'silent' }), namespace: 'ss-system', name: 'streamspace', identity, releaseOnCancel,
  });
  const stop = new AbortController();
  running.push(stop);
  const log: string[] = [];
  const outcome = elector.run(stop.signal, {
    onStartedLeading: (signal) => {
      log.push(`started@${clock.now()}`);
      signal.addEventListener('abort', () => log.push(`leading-aborted@${clock.now()}`));
    },
    onStoppedLeading: () => { log.push(`stopped@${clock.now()}`); },
    onNewLeader: (id) => log.push(`leader:${id}`),
  });
  return { elector, stop, outcome, log, metrics };
}

/** Advances the test clock in small steps so request promises settle between timers. */
async function advance(clock: TestClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) await clock.advanceAsync(Math.min(step, ms - t));
}

async function masterStatus(c: Candidate): Promise<number | undefined> {
  return (await c.metrics.leaderElectionMasterStatus.get()).values.find((v) => v.labels.name === 'streamspace')?.value;
}

test('the first candidate creates the lease and leads; renewals keep acquireTime and move renewTime', async () => {
  const transport = new MemoryTransport();
  const clock = new TestClock(Date.UTC(2026, 0, 1));
  const a = candidate(transport, clock, 'a');
  await settle();
  assert.equal(a.elector.isLeader(), true);
  assert.deepEqual(a.log, [`started@${clock.now()}`]);
  assert.equal(await masterStatus(a), 1);
  const created = transport.objects.get(LEASE_PATH).spec;
  assert.equal(created.holderIdentity, 'a');
  assert.equal(created.leaseDurationSeconds, 15);
  assert.equal(created.leaseTransitions, 0);
  assert.match(created.renewTime, /^2026-01-01T00:00:00\.000000Z$/, 'MicroTime with six fractional digits');
  await advance(clock, 2_000);
  const renewed = transport.objects.get(LEASE_PATH).spec;
  assert.equal(renewed.acquireTime, created.acquireTime);
  assert.equal(renewed.renewTime, '2026-01-01T00:00:02.000000Z');
  assert.equal(transport.requests.filter((r) => r.method === 'GET').length, 1, 'renewals take the fast path (no GET)');
});

test('a standby stays standby while the leader renews, and learns who leads', async () => {
  const transport = new MemoryTransport();
  const clock = new TestClock(0);
  const a = candidate(transport, clock, 'a');
  await settle();
  const b = candidate(transport, clock, 'b');
  await advance(clock, 60_000);
  assert.equal(a.elector.isLeader(), true);
  assert.equal(b.elector.isLeader(), false);
  assert.deepEqual(b.log, ['leader:a']);
  assert.equal(await masterStatus(b), 0);
});

test('when the leader dies without releasing, the standby takes over after the lease duration', async () => {
  const transport = new MemoryTransport();
  const clock = new TestClock(0);
  const a = candidate(transport, clock, 'a', false);
  await settle();
  const b = candidate(transport, clock, 'b');
  await advance(clock, 10_000);
  a.stop.abort(); // dies: no release
  assert.equal(await a.outcome, 'stopped');
  const lastRenew = Date.parse(transport.objects.get(LEASE_PATH).spec.renewTime);
  assert.equal(transport.objects.get(LEASE_PATH).spec.holderIdentity, 'a', 'not released');
  while (!b.elector.isLeader() && clock.now() < 60_000) await advance(clock, 100);
  const tookOverAfter = clock.now() - lastRenew;
  // The standby's view of the record lags the last renewal by up to one retry period (with jitter 2.2×2 s).
  assert.ok(tookOverAfter >= 15_000, `not before the lease expired (${tookOverAfter} ms)`);
  assert.ok(tookOverAfter <= 15_000 + 2 * 4_400, `soon after (${tookOverAfter} ms)`);
  const spec = transport.objects.get(LEASE_PATH).spec;
  assert.equal(spec.holderIdentity, 'b');
  assert.equal(spec.leaseTransitions, 1);
});

test('a clean stop releases the lease (empty holder, 1 s) after onStoppedLeading, so a standby takes over at once', async () => {
  const transport = new MemoryTransport();
  const clock = new TestClock(0);
  const a = candidate(transport, clock, 'a');
  await settle();
  const b = candidate(transport, clock, 'b');
  await advance(clock, 5_000);
  a.stop.abort();
  assert.equal(await a.outcome, 'stopped');
  assert.deepEqual(a.log.slice(-2), [`leading-aborted@${clock.now()}`, `stopped@${clock.now()}`]);
  const spec = transport.objects.get(LEASE_PATH).spec;
  assert.equal(spec.holderIdentity, '');
  assert.equal(spec.leaseDurationSeconds, 1);
  const releasedAt = clock.now();
  while (!b.elector.isLeader() && clock.now() < 60_000) await advance(clock, 100);
  assert.ok(clock.now() - releasedAt <= 4_400 + 100, `took over on its next retry (${clock.now() - releasedAt} ms)`);
  assert.equal(await masterStatus(a), 0);
});

test('a 409 on every renewal loses leadership after the renew deadline', async () => {
  const transport = new MemoryTransport();
  const clock = new TestClock(0);
  const a = candidate(transport, clock, 'a');
  await settle();
  transport.fail((r) => (r.method === 'PUT' ? 409 : undefined));
  const failedFrom = clock.now() + 2_000;
  await advance(clock, 13_000);
  assert.equal(await a.outcome, 'lost');
  assert.equal(await masterStatus(a), 0);
  const stoppedAt = Number(a.log.find((l) => l.startsWith('stopped@'))!.split('@')[1]);
  assert.ok(stoppedAt - failedFrom >= 10_000 && stoppedAt - failedFrom <= 10_100, `lost after the 10 s renew deadline (${stoppedAt - failedFrom})`);
  assert.equal(transport.objects.get(LEASE_PATH).spec.holderIdentity, 'a', 'a lost leader does not release');
});

test('validity is judged by the local time the record was observed, not its renewTime (clock skew)', async () => {
  const transport = new MemoryTransport();
  const clock = new TestClock(Date.UTC(2026, 0, 1));
  transport.objects.set(LEASE_PATH, {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'streamspace', namespace: 'ss-system', resourceVersion: '1' },
    spec: { holderIdentity: 'ghost', leaseDurationSeconds: 15, renewTime: '2000-01-01T00:00:00.000000Z', acquireTime: '2000-01-01T00:00:00.000000Z', leaseTransitions: 3 },
  });
  const b = candidate(transport, clock, 'b');
  const start = clock.now();
  await advance(clock, 14_000);
  assert.equal(b.elector.isLeader(), false, 'a renewTime in the past does not make the lease look expired');
  while (!b.elector.isLeader()) await advance(clock, 100);
  assert.ok(clock.now() - start >= 15_000);
  assert.equal(transport.objects.get(LEASE_PATH).spec.leaseTransitions, 4);
});

test('rejects timings that cannot work', () => {
  const client = new KubeClient({ transport: new MemoryTransport(), fieldManager: 'x' });
  const base = { client, clock: new TestClock(0), logger: pino({ level: 'silent' }), namespace: 'n', name: 'l' };
  assert.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), /leaseDuration/);
  assert.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), /renewDeadline/);
});
