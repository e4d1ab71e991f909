/**
 * Failover between two controller replicas with leader election (short durations): only the
 * leader reconciles; when it stops without releasing the lease (as a crashed process would),
 * the standby takes over once the lease expires, within the lease duration, and carries on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { DeploymentKind } from '../../src/controllers/kinds.ts';
import { eventually } from '../support/control-plane.ts';
import {
  createSession, createTemplate, read, startControllerCluster, startControllers, testSettings, waitForPhase,
  type ControllerTestCluster, type RunningControllers,
} from './support.ts';

const NS = 'team';
const LEASE_NS = 'streamspace';
const TIMING = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 250 };
const LeaseKind = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };

let cluster: ControllerTestCluster;
let first: RunningControllers;
let second: RunningControllers;

function replica(identity: string): RunningControllers {
  const base = testSettings();
  return startControllers(cluster, {
    identity, leaderElectionTiming: TIMING, releaseOnCancel: false,
    settings: { ...base, leaderElection: { enabled: true, namespace: LEASE_NS, name: 'streamspace-controller' } },
  });
}

async function holder(): Promise<string | undefined> {
  const lease = await read<KubeObject>(cluster.api, LeaseKind, LEASE_NS, 'streamspace-controller');
  return lease?.spec?.holderIdentity;
}

before(async () => {
  cluster = await startControllerCluster([NS, LEASE_NS]);
  await createTemplate(cluster.api, NS, 'firefox');
});

after(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await cluster.stop();
});

test('the standby takes over within the lease duration when the leader stops without releasing', async () => {
  first = replica('replica-a');
  await eventually('replica-a to lead', async () => (await holder()) === 'replica-a');
  second = replica('replica-b');
  await createSession(cluster.api, NS, 'before-failover', { user: 'una', template: 'firefox' });
  await waitForPhase(cluster.api, NS, 'before-failover', 'Running');
  assert.equal(second.ctrl.objectRequests().writes, 0, 'the standby writes nothing while another replica leads');
  assert.equal(second.ctrl.manager.isLeader(), false);

  assert.equal(await first.stop(), undefined);
  const stoppedAt = Date.now();
  assert.equal(await holder(), 'replica-a', 'the lease was not released: the standby must wait for it to expire');
  await createSession(cluster.api, NS, 'after-failover', { user: 'vic', template: 'firefox' });

  await eventually('replica-b to lead', async () => (await holder()) === 'replica-b', 10_000);
  const takeoverMs = Date.now() - stoppedAt;
  // The standby may last have seen the lease renewed one retry period before the stop, and retries with jitter.
  assert.ok(takeoverMs <= TIMING.leaseDurationMs + 3 * TIMING.retryPeriodMs + 1000, `took over after ${takeoverMs} ms`);
  await waitForPhase(cluster.api, NS, 'after-failover', 'Running');
  const deployment = await read(cluster.api, DeploymentKind, NS, 'ss-after-failover');
  assert.equal(deployment?.spec.replicas, 1, 'the new leader reconciles sessions created while nobody led');
  assert.ok(second.ctrl.objectRequests().writes > 0);
});
