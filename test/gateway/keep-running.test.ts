/**
 * keepRunningUntil with the Session controller running: a session whose idle timeout passes
 * without activity stays Running until its keep-running time, and is hibernated then. Asserted
 * from the times the controller wrote (startedAt, hibernatedAt), not by sampling in between.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { eventually, rawRequest } from '../support/control-plane.ts';
import { ADMIN_PASSWORD, GROUP_VERSION, NAMESPACE, startApiHarness, type ApiHarness } from '../api/harness.ts';
import { templateSpec } from '../controllers/support.ts';
import { createControllerManager } from '../../src/controllers/manager.ts';
import { readControllerSettings } from '../../src/controllers/settings.ts';
import { toKubeTime } from '../../src/api/sessions/heartbeat-coalescer.ts';
import { getSession } from './support.ts';

describe('keep running until, with the Session controller', () => {
  let h: ApiHarness;
  const stop = new AbortController();
  let controllers: Promise<unknown> = Promise.resolve();

  before(async () => {
    h = await startApiHarness();
    await rawRequest(h.cluster.cp, 'PUT', '/debug/simulation', { podStartDelayMs: 5, podReadyDelayMs: 5, podStopDelayMs: 5 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(h.cluster.cp.kubeconfig);
    const env = { STREAMSPACE_LEADER_ELECT: 'false', STREAMSPACE_METRICS_BIND_ADDRESS: '127.0.0.1', STREAMSPACE_METRICS_PORT: '0', STREAMSPACE_IDLE_GRACE: '0s' };
    const ctrl = createControllerManager({ kubeConfig, settings: readControllerSettings([], env), http: false, logger: pino({ level: 'silent' }) });
    controllers = ctrl.start(stop.signal).catch((err: unknown) => err);
    await h.createTemplate('desktop', await h.login('admin', ADMIN_PASSWORD), { ...templateSpec() });
  });
  after(async () => {
    stop.abort();
    await controllers;
    await h?.stop();
  });

  it('survives its idle timeout and is hibernated at the keep-running time', async () => {
    const keepUntil = toKubeTime(Date.now() + 8000);
    await h.kube.create({
      apiVersion: GROUP_VERSION, kind: 'Session', metadata: { name: 'long-job', namespace: NAMESPACE },
      spec: { user: 'kim', template: 'desktop', idleTimeout: '1s', keepRunningUntil: keepUntil },
    } as any);
    const session = await eventually('long-job hibernated', async () => {
      const s = await getSession(h, 'long-job');
      return s.status?.phase === 'Hibernated' ? s : undefined;
    }, 30_000);
    const started = Date.parse(session.status.startedAt);
    const hibernated = Date.parse(session.status.hibernatedAt);
    assert.ok(hibernated - started > 1000 + 1000, `ran for ${hibernated - started} ms, longer than its 1 s idle timeout`);
    assert.ok(hibernated >= Date.parse(keepUntil), 'not before the keep-running time');
    assert.ok(hibernated <= Date.parse(keepUntil) + 5000, `hibernated ${hibernated - Date.parse(keepUntil)} ms after the keep-running time`);
    assert.equal(session.status.lastActivity, undefined, 'no activity kept it up');
  });
});
