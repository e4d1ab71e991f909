/**
 * Session time limits with a clock the test controls: an idle session is hibernated exactly at
 * lastActivity + idleTimeout + grace (and not a second before), activity pushes the deadline
 * back, and maxSessionDuration terminates, or hibernates when so configured. The controller is
 * called back at the deadline (RequeueAfter), never by a periodic scan: the test only moves the
 * clock and watches the API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { ClaimKind, DeploymentKind, SessionKind } from '../../src/controllers/kinds.ts';
import { homeClaimName } from '../../src/apis/stream/v1alpha1/naming.ts';
import { kubeTime } from '../../src/controllers/status-format.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import { eventually } from '../support/control-plane.ts';
import { JumpingClock } from './jumping-clock.ts';
import {
  afterReconciles, createSession, createTemplate, eventReasons, read, session, startControllerCluster, startControllers, testSettings,
  waitForPhase, type ControllerTestCluster, type RunningControllers,
} from './support.ts';

const GRACE_MS = 60_000;
const IDLE = 'idle';
const LIMITS = 'limits';
const LIMITS_HIBERNATE = 'limits-hibernate';

let cluster: ControllerTestCluster;
const clock = new JumpingClock();
let idleControllers: RunningControllers;
let terminating: RunningControllers;
let hibernating: RunningControllers;

before(async () => {
  cluster = await startControllerCluster([IDLE, LIMITS, LIMITS_HIBERNATE]);
  for (const ns of [IDLE, LIMITS, LIMITS_HIBERNATE]) await createTemplate(cluster.api, ns, 'firefox');
  // One manager per namespace, so each can have its own max-duration action; they share the clock.
  const common = { clock, cache: { backoffInitialMs: 50, backoffMaxMs: 500, watchdogMs: 0 } };
  idleControllers = startControllers(cluster, { ...common, settings: testSettings({ namespace: IDLE, idleGraceMs: GRACE_MS }) });
  terminating = startControllers(cluster, { ...common, settings: testSettings({ namespace: LIMITS }) });
  hibernating = startControllers(cluster, { ...common, settings: testSettings({ namespace: LIMITS_HIBERNATE, maxDurationAction: 'hibernate' }) });
});

after(async () => {
  const results = await Promise.all([idleControllers.stop(), terminating.stop(), hibernating.stop()]);
  await cluster.stop();
  assert.deepEqual(results, [undefined, undefined, undefined]);
});

/** Writes status.lastActivity as the API does on a heartbeat; returns the instant written. */
async function recordActivity(namespace: string, name: string): Promise<number> {
  const at = kubeTime(clock.now());
  await cluster.api.patchStatus({ ...SessionKind, metadata: { namespace, name } }, mergePatch({ status: { lastActivity: at } }));
  return Date.parse(at);
}

/** Touches the session so the controller reconciles it now, and waits for that reconcile. */
async function reconcileNow(ctrl: RunningControllers, namespace: string, name: string): Promise<Session> {
  await afterReconciles(ctrl.ctrl, 'session', 1, () => cluster.api.patch({ ...SessionKind, metadata: { namespace, name } },
    mergePatch({ metadata: { annotations: { poke: String(clock.now()) } } })));
  return session(cluster.api, namespace, name);
}

describe('idle timeout', () => {
  test('hibernates at lastActivity + idleTimeout + grace, not before; new activity moves the deadline', async () => {
    await createSession(cluster.api, IDLE, 'idler', { user: 'ivan', template: 'firefox', idleTimeout: '30m' });
    await waitForPhase(cluster.api, IDLE, 'idler', 'Running');
    const firstActivity = await recordActivity(IDLE, 'idler');
    const firstDeadline = firstActivity + 30 * 60_000 + GRACE_MS;

    clock.advanceTo(firstDeadline - 1000);
    let s = await reconcileNow(idleControllers, IDLE, 'idler');
    assert.deepEqual([s.spec.state, s.status?.phase], ['running', 'Running'], 'one second before the deadline nothing happens');

    const secondActivity = await recordActivity(IDLE, 'idler');
    const secondDeadline = secondActivity + 30 * 60_000 + GRACE_MS;
    clock.advanceTo(firstDeadline + 1000);
    s = await reconcileNow(idleControllers, IDLE, 'idler');
    assert.deepEqual([s.spec.state, s.status?.phase], ['running', 'Running'], 'activity pushed the deadline back');

    clock.advanceTo(secondDeadline - 1000);
    s = await reconcileNow(idleControllers, IDLE, 'idler');
    assert.equal(s.status?.phase, 'Running');
    // No poke this time: the reconcile the controller scheduled for the deadline does it.
    clock.advanceTo(secondDeadline);
    s = await waitForPhase(cluster.api, IDLE, 'idler', 'Hibernated');
    assert.equal(s.spec.state, 'hibernated', 'the controller asks for hibernation the way a user would');
    assert.equal((await read(cluster.api, DeploymentKind, IDLE, 'ss-idler'))?.spec.replicas, 0);
    await eventually('a Hibernated event naming idleness', async () => (await eventReasons(cluster.api, IDLE, 'idler')).includes('Hibernated'));
    const hibernations = await idleControllers.ctrl.manager.getRegistry().getSingleMetric('streamspace_session_hibernations_total')!.get();
    assert.equal(hibernations.values.find((v) => v.labels.reason === 'idle')?.value, 1);
  });
});

describe('maxSessionDuration', () => {
  test('terminates a session that has run for its maximum, not a second earlier; its home stays', async () => {
    await createSession(cluster.api, LIMITS, 'marathon', { user: 'mia', template: 'firefox', maxSessionDuration: '2h' });
    const running = await waitForPhase(cluster.api, LIMITS, 'marathon', 'Running');
    const deadline = Date.parse(running.status!.startedAt!) + 2 * 3600_000;

    clock.advanceTo(deadline - 1000);
    const s = await reconcileNow(terminating, LIMITS, 'marathon');
    assert.equal(s.status?.phase, 'Running');

    clock.advanceTo(deadline);
    const terminated = await waitForPhase(cluster.api, LIMITS, 'marathon', 'Terminated');
    assert.deepEqual([terminated.spec.state, terminated.status?.reason], ['terminated', 'MaxDurationExceeded']);
    assert.equal(await read(cluster.api, DeploymentKind, LIMITS, 'ss-marathon'), undefined);
    assert.ok(await read(cluster.api, ClaimKind, LIMITS, homeClaimName('mia')));
  });

  test('hibernates instead when the controller is configured so', async () => {
    await createSession(cluster.api, LIMITS_HIBERNATE, 'capped', { user: 'max', template: 'firefox', maxSessionDuration: '1h' });
    const running = await waitForPhase(cluster.api, LIMITS_HIBERNATE, 'capped', 'Running');
    clock.advanceTo(Date.parse(running.status!.startedAt!) + 3600_000);
    const hibernated = await waitForPhase(cluster.api, LIMITS_HIBERNATE, 'capped', 'Hibernated');
    assert.equal(hibernated.spec.state, 'hibernated');
  });
});
