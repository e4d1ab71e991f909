/**
 * Leader election between two managers on the embedded control plane: only the leader
 * reconciles; a standby takes over within the lease duration when the leader dies without
 * releasing, and at once when the leader releases on a clean stop.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { controllerManagedBy } from '../../src/runtime/builder.ts';
import { KubeClient } from '../../src/runtime/client.ts';
import { Manager } from '../../src/runtime/manager.ts';
import { eventually } from '../../src/runtime/testing/eventually.ts';
import { startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { CONFIGMAP, configMap } from './informer-harness.ts';

const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
const TIMING = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 250 };
/** Worst case for a standby: the lease duration after its last observation, plus one jittered retry period. */
const TAKEOVER_BOUND_MS = TIMING.leaseDurationMs + TIMING.retryPeriodMs * 2.2 * 2 + 500;

let cluster: TestCluster;
let admin: KubeClient;

before(async () => {
  cluster = await startTestCluster();
  admin = new KubeClient({ kubeConfig: cluster.kc, fieldManager: 'test-admin' });
  await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ss-system' } });
});

after(async () => {
  await cluster.stop();
});

interface Candidate {
  mgr: Manager;
  reconciled: string[];
  stop: AbortController;
  running: Promise<void>;
}

function candidate(identity: string, lease: string, namespace: string, releaseOnCancel: boolean): Candidate {
  const mgr = new Manager({
    kubeConfig: cluster.kc, fieldManager: `streamspace-${identity}`, logger: pino({ level: 'silent' }),
    cache: { namespace },
    leaderElection: { namespace: 'ss-system', name: lease, identity, releaseOnCancel, ...TIMING },
  });
  const reconciled: string[] = [];
  controllerManagedBy(mgr).named('configmap').for(CONFIGMAP).complete(async (req) => {
    reconciled.push(req.name);
  });
  const stop = new AbortController();
  const running = mgr.start(stop.signal);
  return { mgr, reconciled, stop, running };
}

async function masterStatus(c: Candidate, lease: string): Promise<number | undefined> {
  const values = (await c.mgr.getMetrics().leaderElectionMasterStatus.get()).values;
  return values.find((v) => v.labels.name === lease)?.value;
}

async function leaseHolder(lease: string): Promise<{ holderIdentity: string; leaseTransitions: number }> {
  return (await admin.get(LEASE, { namespace: 'ss-system', name: lease })).spec;
}

async function setUp(namespace: string, lease: string, releaseOnCancel: boolean): Promise<{ a: Candidate; b: Candidate }> {
  await admin.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  for (const name of ['one', 'two', 'three']) await admin.create(configMap(namespace, name));
  const a = candidate('a', lease, namespace, releaseOnCancel);
  await a.mgr.elected();
  const b = candidate('b', lease, namespace, true);
  await eventually(() => a.reconciled.length >= 3, { message: 'the leader reconciles' });
  // The standby is warm (its cache is synced) but must not reconcile.
  assert.equal(await b.mgr.getCache().waitForCacheSync(AbortSignal.timeout(10_000)), true);
  await eventually(async () => (await leaseHolder(lease)).holderIdentity === 'a');
  await admin.create(configMap(namespace, 'four'));
  await eventually(() => a.reconciled.includes('four'));
  assert.deepEqual(b.reconciled, [], 'only the leader reconciles');
  assert.equal(b.mgr.isLeader(), false);
  assert.equal(await masterStatus(a, lease), 1);
  assert.equal(await masterStatus(b, lease), 0);
  return { a, b };
}

test('a standby takes over within the lease duration after the leader dies without releasing', async () => {
  const lease = 'takeover';
  const { a, b } = await setUp('le-takeover', lease, false);
  try {
    a.stop.abort();
    await a.running;
    const diedAt = Date.now();
    assert.equal((await leaseHolder(lease)).holderIdentity, 'a', 'the dead leader did not release');
    const reconciledByA = a.reconciled.length;
    await b.mgr.elected();
    const took = Date.now() - diedAt;
    assert.ok(took <= TAKEOVER_BOUND_MS, `standby took over after ${took} ms (bound ${TAKEOVER_BOUND_MS} ms)`);
    const holder = await leaseHolder(lease);
    assert.equal(holder.holderIdentity, 'b');
    assert.equal(holder.leaseTransitions, 1);
    await eventually(() => ['one', 'two', 'three', 'four'].every((n) => b.reconciled.includes(n)), { message: 'the new leader reconciles everything' });
    await admin.create(configMap('le-takeover', 'five'));
    await eventually(() => b.reconciled.includes('five'));
    assert.equal(a.reconciled.length, reconciledByA, 'the stopped leader reconciles nothing more');
    assert.equal(await masterStatus(b, lease), 1);
    assert.equal(await masterStatus(a, lease), 0);
  } finally {
    b.stop.abort();
    await b.running;
  }
});

test('a clean stop releases the lease, so the standby takes over well before the lease would expire', async () => {
  const lease = 'release';
  const { a, b } = await setUp('le-release', lease, true);
  try {
    a.stop.abort();
    await a.running;
    const stoppedAt = Date.now();
    const released = await leaseHolder(lease);
    assert.ok(released.holderIdentity === '' || released.holderIdentity === 'b', `released (holder now "${released.holderIdentity}")`);
    await b.mgr.elected();
    const took = Date.now() - stoppedAt;
    assert.ok(took < TIMING.leaseDurationMs, `took over after ${took} ms, before the ${TIMING.leaseDurationMs} ms lease would expire`);
    await eventually(() => b.reconciled.length >= 4);
  } finally {
    b.stop.abort();
    await b.running;
  }
});
