/**
 * Heartbeat coalescing, proven by counting the API server's writes: a watch on the Sessions
 * counts every change, so many heartbeats must produce at most one status write per session per
 * flush, and lastActivity must never move backwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { SESSION } from '../../src/api/kube/kinds.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import { eventually } from '../support/control-plane.ts';
import { ADMIN_PASSWORD, GROUP_VERSION, NAMESPACE, startApiHarness, type ApiHarness } from './harness.ts';

interface Change {
  name: string;
  lastActivity?: string;
}

describe('heartbeats', () => {
  let h: ApiHarness;
  let ann: string;
  let changes: Change[];
  let stopWatch: () => void;
  before(async () => {
    // A flush interval far longer than the test: flushes happen when the test says so.
    h = await startApiHarness({ heartbeatFlushIntervalMs: 3_600_000 });
    const admin = await h.login('admin', ADMIN_PASSWORD);
    ann = await h.userToken('ann');
    await h.createTemplate('firefox', admin);
    changes = [];
    const watch = await new k8s.Watch(h.cluster.kc).watch(`/apis/${GROUP_VERSION}/namespaces/${NAMESPACE}/sessions`, {}, (type, obj: Session) => {
      if (type === 'MODIFIED') changes.push({ name: obj.metadata.name!, lastActivity: obj.status?.lastActivity });
    }, () => undefined);
    stopWatch = () => watch.abort();
  });
  after(async () => {
    stopWatch?.();
    await h?.stop();
  });

  async function newSession(): Promise<string> {
    const res = await h.request('POST', '/api/v1/sessions', { token: ann, body: { template: 'firefox' } });
    return res.json.metadata.name;
  }

  const writesTo = (name: string): Change[] => changes.filter((c) => c.name === name);

  it('writes status.lastActivity once per session per flush, however many heartbeats arrived', async () => {
    const [a, b] = [await newSession(), await newSession()];
    const sent = await Promise.all(Array.from({ length: 60 }, (_, i) => h.request('POST', `/api/v1/sessions/${i % 2 ? a : b}/heartbeat`, { token: ann })));
    assert.ok(sent.every((r) => r.status === 202));
    assert.equal(h.api.heartbeats.pendingCount(), 2);
    await h.api.heartbeats.flush();
    await eventually('both writes watched', () => writesTo(a).length === 1 && writesTo(b).length === 1);
    const stored = await h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name: a });
    assert.match(stored.status?.lastActivity ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Math.abs(Date.parse(stored.status!.lastActivity!) - Date.now()) < 5000);
    const metrics = (await h.request('GET', '/metrics')).text;
    assert.match(metrics, /streamspace_api_heartbeats_received_total 60/);
    assert.match(metrics, /streamspace_api_heartbeats_coalesced_total 58/);
    assert.match(metrics, /streamspace_api_heartbeat_flushes_total\{result="written"\} 2/);
    // Nothing pending: another flush writes nothing.
    await h.api.heartbeats.flush();
    const marker = await newSession();
    await h.kube.patch({ apiVersion: GROUP_VERSION, kind: 'Session', metadata: { name: marker, namespace: NAMESPACE } }, mergePatch({ metadata: { labels: { marker: 'x' } } }));
    await eventually('marker watched', () => writesTo(marker).length === 1);
    assert.equal(writesTo(a).length, 1);
    assert.equal(writesTo(b).length, 1);
  });

  it('never moves lastActivity backwards', async () => {
    const name = await newSession();
    const future = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    // Another writer (another replica, or the clock of a client) stored a later time.
    const session = await h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name });
    await h.kube.patchStatus(session, mergePatch({ status: { lastActivity: future } }));
    await eventually('the API cache sees the later time', async () => (await h.request('GET', `/api/v1/sessions/${name}`, { token: ann })).json.status?.lastActivity === future);
    const before = writesTo(name).length;
    assert.equal((await h.request('POST', `/api/v1/sessions/${name}/heartbeat`, { token: ann })).status, 202);
    await h.api.heartbeats.flush();
    assert.equal((await h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name })).status?.lastActivity, future);
    assert.match((await h.request('GET', '/metrics')).text, /streamspace_api_heartbeat_flushes_total\{result="not_newer"\} 1/);
    const marker = await newSession();
    await h.kube.patch({ apiVersion: GROUP_VERSION, kind: 'Session', metadata: { name: marker, namespace: NAMESPACE } }, mergePatch({ metadata: { labels: { marker: 'y' } } }));
    await eventually('marker watched', () => writesTo(marker).length === 1);
    assert.equal(writesTo(name).length, before, 'no write for an older heartbeat');
  });

  it('lands a newer heartbeat when another writer changed the session just before the flush', async () => {
    // The cache may or may not have seen the other write; with a stale resourceVersion the patch
    // gets 409 and is re-checked against the live object, otherwise it applies directly.
    const name = await newSession();
    await h.request('POST', `/api/v1/sessions/${name}/heartbeat`, { token: ann });
    const past = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const session = await h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name });
    await h.kube.patchStatus(session, mergePatch({ status: { lastActivity: past } }));
    await h.api.heartbeats.flush();
    const stored = (await h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name })).status?.lastActivity;
    assert.ok(Date.parse(stored!) > Date.parse(past), 'the newer heartbeat still lands');
  });

  it('flushes on its own at the configured interval', async () => {
    await h.restartApi({ heartbeatFlushIntervalMs: 100 });
    ann = await h.userToken('ann');
    const name = await newSession();
    await h.request('POST', `/api/v1/sessions/${name}/heartbeat`, { token: ann });
    await eventually('timer flush', async () => (await h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name })).status?.lastActivity !== undefined);
  });

  it('refuses heartbeats on other users\' sessions', async () => {
    const name = await newSession();
    const bob = await h.userToken('bob');
    const res = await h.request('POST', `/api/v1/sessions/${name}/heartbeat`, { token: bob });
    assert.equal(res.status, 403);
    assert.match(res.json.message, /belongs to another user/);
  });

  it('answers 404 for a session that does not exist, or no longer does', async () => {
    assert.equal((await h.request('POST', '/api/v1/sessions/no-such-session/heartbeat', { token: ann })).status, 404);
    const name = await newSession();
    assert.equal((await h.request('POST', `/api/v1/sessions/${name}/heartbeat`, { token: ann })).status, 202);
    assert.equal((await h.request('DELETE', `/api/v1/sessions/${name}`, { token: ann })).status, 202);
    await eventually('the API cache drops the session', async () => (await h.request('GET', `/api/v1/sessions/${name}`, { token: ann })).status === 404);
    const res = await h.request('POST', `/api/v1/sessions/${name}/heartbeat`, { token: ann });
    assert.equal(res.status, 404);
    assert.equal(res.json.error, 'SS_ERR_NOT_FOUND');
  });
});
