/**
 * The whole platform in one process: the embedded control plane, the Session and NodeOperation
 * controllers with StreamSpace's admission webhooks (createControllerProcess, as `streamspace up`
 * runs them), and the API. A user drives a session through its life only through the API
 * (create → Running, hibernate → Hibernated, connect → Running again, terminate → Terminated, home
 * volume kept) while a WebSocket collects the phases pushed; an admin's SessionQuota, written
 * through the API, makes the webhook refuse a second session, surfaced as 403 with its message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import WebSocket from 'ws';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { homeClaimLabels } from '../../src/apis/stream/v1alpha1/naming.ts';
import { createControllerProcess } from '../../src/cli/controller-process.ts';
import { readControllerSettings } from '../../src/controllers/settings.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import { templateSpec } from '../controllers/support.ts';
import { ADMIN_PASSWORD, NAMESPACE, startApiHarness, type ApiHarness } from './harness.ts';

const WEBHOOK_CONFIGURATIONS = ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'];

describe('session lifecycle through the API with the controllers and webhooks running', () => {
  let h: ApiHarness;
  let admin: string;
  const stopControllers = new AbortController();
  let controllers: Promise<unknown> = Promise.resolve();
  before(async () => {
    h = await startApiHarness();
    await rawRequest(h.cluster.cp, 'PUT', '/debug/simulation', { podStartDelayMs: 5, podReadyDelayMs: 5, podStopDelayMs: 5 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(h.cluster.cp.kubeconfig);
    const settings = readControllerSettings([], { STREAMSPACE_LEADER_ELECT: 'false', STREAMSPACE_METRICS_BIND_ADDRESS: '127.0.0.1', STREAMSPACE_METRICS_PORT: '0' });
    const ctrl = createControllerProcess({ kubeConfig, settings, http: false, logger: pino({ level: 'silent' }), webhooks: { port: 0 } });
    controllers = ctrl.start(stopControllers.signal).catch((err: unknown) => err);
    for (const plural of WEBHOOK_CONFIGURATIONS) {
      await eventually(`${plural} registered`, async () => (await rawRequest(h.cluster.cp, 'GET', `/apis/admissionregistration.k8s.io/v1/${plural}`)).json?.items?.length > 0);
    }
    admin = await h.login('admin', ADMIN_PASSWORD);
    await h.createTemplate('desktop', admin, { ...templateSpec() });
  });
  after(async () => {
    stopControllers.abort();
    await controllers;
    await h?.stop();
  });

  /** Polls the API (as `token`) until the session reports `phase`. */
  function phaseReached(token: string, name: string, phase: string): Promise<Session> {
    return eventually(`session ${name} ${phase}`, async () => {
      const res = await h.request('GET', `/api/v1/sessions/${name}`, { token });
      return res.json?.status?.phase === phase ? res.json as Session : undefined;
    }, 15_000);
  }

  it('runs, hibernates, wakes on a connection and terminates a session, pushing every phase over WebSocket', async () => {
    const lee = await h.userToken('lee');
    const pushed: { name: string; phase: string | undefined }[] = [];
    const ws = new WebSocket(`${h.api.url.replace('http', 'ws')}/api/v1/ws?access_token=${lee}`);
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.session) pushed.push({ name: m.session.metadata.name, phase: m.session.status?.phase });
    });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    try {
      const created = await h.request('POST', '/api/v1/sessions', { token: lee, body: { template: 'desktop' } });
      assert.equal(created.status, 202, created.text);
      const name = created.json.metadata.name as string;
      await phaseReached(lee, name, 'Running');

      assert.equal((await h.request('PATCH', `/api/v1/sessions/${name}`, { token: lee, body: { state: 'hibernated' } })).status, 202);
      await phaseReached(lee, name, 'Hibernated');

      const connected = await h.request('POST', `/api/v1/sessions/${name}/connections?wait=true&timeoutSeconds=15`, { token: lee, body: { client: 'test' } });
      assert.equal(connected.status, 201, connected.text);
      assert.equal(connected.json.ready, true, 'the connection woke the session and waited for Running');
      assert.equal(connected.json.session.status.phase, 'Running');
      assert.equal(connected.json.session.spec.state, 'running');

      assert.equal((await h.request('PATCH', `/api/v1/sessions/${name}`, { token: lee, body: { state: 'terminated' } })).status, 202);
      await phaseReached(lee, name, 'Terminated');

      const selector = Object.entries(homeClaimLabels('lee')).map(([k, v]) => `${k}=${v}`).join(',');
      const claims = await h.kube.list({ apiVersion: 'v1', kind: 'PersistentVolumeClaim' }, { namespace: NAMESPACE, labelSelector: selector });
      assert.equal(claims.items.length, 1, 'the home volume outlives the session');
      assert.equal(claims.items[0]!.metadata.deletionTimestamp, undefined);

      const phases = await eventually('the Terminated phase pushed', () => {
        const mine = pushed.filter((p) => p.name === name && p.phase).map((p) => p.phase!);
        const changes = mine.filter((p, i) => i === 0 || p !== mine[i - 1]);
        return changes.at(-1) === 'Terminated' ? changes : undefined;
      });
      const wanted = ['Running', 'Hibernated', 'Running', 'Terminated'];
      let at = 0;
      for (const phase of phases) if (phase === wanted[at]) at++;
      assert.equal(at, wanted.length, `phases pushed in order ${wanted.join(' → ')}; got ${phases.join(' → ')}`);
    } finally {
      ws.close();
    }
  });

  it('surfaces the quota webhook\'s refusal as 403 with its message', async () => {
    const quincy = await h.userToken('quincy');
    const quota = await h.request('POST', '/api/v1/quotas', { token: admin, body: { name: 'quincy-one', spec: { users: ['quincy'], limits: { maxSessions: 1 } } } });
    assert.equal(quota.status, 201, quota.text);
    const first = await h.request('POST', '/api/v1/sessions', { token: quincy, body: { template: 'desktop' } });
    assert.equal(first.status, 202, first.text);
    // The webhook judges from its own caches: once the quota's status counts the first session, they hold both.
    await eventually('quota usage counted', async () => {
      const q = await h.request('GET', '/api/v1/quotas/quincy-one', { token: admin });
      return q.json?.status?.usage?.some((u: { user: string; sessions?: number }) => u.user === 'quincy' && u.sessions === 1);
    });
    const second = await h.request('POST', '/api/v1/sessions', { token: quincy, body: { template: 'desktop' } });
    assert.equal(second.status, 403, second.text);
    assert.equal(second.json.error, 'SS_ERR_ADMISSION_DENIED');
    assert.match(second.json.message, /quota exceeded/);
    assert.match(second.json.message, /quincy-one/);
    const mine = await h.request('GET', '/api/v1/quotas/me', { token: quincy });
    assert.equal(mine.json.quota.metadata.name, 'quincy-one');
    assert.equal(mine.json.usage.sessions, 1, 'the refused session was never written');
  });
});
