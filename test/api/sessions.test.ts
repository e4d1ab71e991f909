/**
 * Sessions over real HTTP with the embedded control plane behind the API. No Session
 * controller runs: the tests check the Session resources the API writes, and where a session
 * must be Running the test writes status.phase itself through the Kubernetes API, as the
 * controller would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { userLabelValue } from '../../src/apis/stream/v1alpha1/naming.ts';
import { SESSION } from '../../src/api/kube/kinds.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import { startWebhookServer, type WebhookServer } from '../controlplane/admission-webhook-server.ts';
import { eventually } from '../support/control-plane.ts';
import { ADMIN_PASSWORD, NAMESPACE, startApiHarness, type ApiHarness } from './harness.ts';

describe('sessions', () => {
  let h: ApiHarness;
  let admin: string;
  let ann: string;
  let bob: string;
  before(async () => {
    h = await startApiHarness();
    admin = await h.login('admin', ADMIN_PASSWORD);
    ann = await h.userToken('ann');
    bob = await h.userToken('bob');
    await h.createTemplate('firefox', admin);
  });
  after(() => h?.stop());

  const live = (name: string) => h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name });

  it('creates only a Session resource owned by the caller, answers 202, and reads it back at once', async () => {
    const res = await h.request('POST', '/api/v1/sessions', { token: ann, body: { template: 'firefox', idleTimeout: '30m', tags: ['work'] } });
    assert.equal(res.status, 202, res.text);
    const name = res.json.metadata.name as string;
    assert.match(name, /^ann-[a-z0-9]{6}$/);
    assert.equal(res.json.metadata.managedFields, undefined);
    const stored = await live(name);
    assert.deepEqual(stored.spec, { user: 'ann', template: 'firefox', idleTimeout: '30m', tags: ['work'], ...(stored.spec.state ? { state: stored.spec.state } : {}), ...(stored.spec.persistentHome === undefined ? {} : { persistentHome: stored.spec.persistentHome }) });
    assert.equal(stored.metadata.labels?.['stream.streamspace.io/user'], userLabelValue('ann'));
    const read = await h.request('GET', `/api/v1/sessions/${name}`, { token: ann });
    assert.equal(read.status, 200, 'the create waited for the cache');
    assert.equal(read.json.spec.user, 'ann');
    await eventually('create audited', async () => {
      const log = await h.request('GET', `/api/v1/audit?action=session.create&target=${name}`, { token: admin });
      return log.json.items[0]?.actor === 'ann' && log.json.items[0]?.result === 202;
    });
  });

  it('never lets the caller choose the owner', async () => {
    const res = await h.request('POST', '/api/v1/sessions', { token: ann, body: { template: 'firefox', user: 'bob' } });
    assert.equal(res.status, 400);
    assert.equal(res.json.field, 'body.user');
  });

  it('lists own sessions for users, everyone\'s for admins, filtered by user and state', async () => {
    const bobs = (await h.request('POST', '/api/v1/sessions', { token: bob, body: { template: 'firefox' } })).json.metadata.name;
    const mine = (await h.request('GET', '/api/v1/sessions', { token: bob })).json.items.map((s: Session) => s.metadata.name);
    assert.deepEqual(mine, [bobs]);
    const all = (await h.request('GET', '/api/v1/sessions', { token: admin })).json.items.map((s: Session) => s.spec.user);
    assert.ok(all.includes('ann') && all.includes('bob'));
    const filtered = (await h.request('GET', '/api/v1/sessions?user=bob', { token: admin })).json.items;
    assert.deepEqual(filtered.map((s: Session) => s.metadata.name), [bobs]);
    assert.equal((await h.request('GET', '/api/v1/sessions?user=bob', { token: ann })).status, 403);
    assert.equal((await h.request('GET', '/api/v1/sessions?state=terminated', { token: bob })).json.items.length, 0);
  });

  it('changes the state with a patch of spec.state and deletes the resource', async () => {
    const name = (await h.request('POST', '/api/v1/sessions', { token: ann, body: { template: 'firefox' } })).json.metadata.name;
    const patched = await h.request('PATCH', `/api/v1/sessions/${name}`, { token: ann, body: { state: 'hibernated' } });
    assert.equal(patched.status, 202);
    assert.equal((await live(name)).spec.state, 'hibernated');
    assert.equal((await h.request('PATCH', `/api/v1/sessions/${name}`, { token: ann, body: { state: 'asleep' } })).json.field, 'body.state');
    assert.equal((await h.request('DELETE', `/api/v1/sessions/${name}`, { token: ann })).status, 202);
    await assert.rejects(live(name), /not found/i);
    await eventually('deletion reaches the cache', async () => (await h.request('GET', `/api/v1/sessions/${name}`, { token: ann })).status === 404);
  });

  it('lists the Kubernetes events about a session', async () => {
    const created = (await h.request('POST', '/api/v1/sessions', { token: ann, body: { template: 'firefox' } })).json;
    await h.kube.create({
      apiVersion: 'v1', kind: 'Event', metadata: { name: `${created.metadata.name}.1`, namespace: NAMESPACE },
      involvedObject: { apiVersion: created.apiVersion, kind: 'Session', name: created.metadata.name, namespace: NAMESPACE, uid: created.metadata.uid },
      reason: 'Created', message: 'Created Deployment', type: 'Normal', lastTimestamp: new Date().toISOString(), source: { component: 'test' },
    } as any);
    const events = await eventually('event in the API', async () => {
      const res = await h.request('GET', `/api/v1/sessions/${created.metadata.name}/events`, { token: ann });
      return res.json.items.length === 1 ? res.json.items : undefined;
    });
    assert.equal(events[0].reason, 'Created');
    assert.equal((await h.request('GET', `/api/v1/sessions/${created.metadata.name}/events`, { token: bob })).status, 403);
  });

  it('wakes a hibernated session on connect and can wait for Running (status written by the test, as a controller would)', async () => {
    const name = (await h.request('POST', '/api/v1/sessions', { token: ann, body: { template: 'firefox', state: 'hibernated' } })).json.metadata.name;
    const connecting = h.request('POST', `/api/v1/sessions/${name}/connections?wait=true&timeoutSeconds=20`, { token: ann, body: { client: 'browser' } });
    await eventually('state asked to be running', async () => (await live(name)).spec.state === 'running');
    const session = await live(name);
    await h.kube.patchStatus(session, mergePatch({ status: { phase: 'Running', url: 'http://example/session' } }));
    const res = await connecting;
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.ready, true);
    assert.equal(res.json.session.status.phase, 'Running');
    const connections = await h.request('GET', `/api/v1/sessions/${name}/connections`, { token: ann });
    assert.deepEqual(connections.json.items.map((c: { id: string }) => c.id), [res.json.connection.id]);
    assert.equal((await h.request('POST', `/api/v1/connections/${res.json.connection.id}/heartbeat`, { token: bob })).status, 403);
    assert.equal((await h.request('POST', `/api/v1/connections/${res.json.connection.id}/heartbeat`, { token: ann })).status, 204);
    assert.equal((await h.request('DELETE', `/api/v1/connections/${res.json.connection.id}`, { token: ann })).status, 204);
    assert.equal((await h.request('GET', `/api/v1/sessions/${name}/connections`, { token: ann })).json.items.length, 0);
  });

  it('pushes changes of the caller\'s sessions over WebSocket, and only theirs', async () => {
    const messages: any[] = [];
    const ws = new WebSocket(`${h.api.url.replace('http', 'ws')}/api/v1/ws?access_token=${bob}`);
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    try {
      await eventually('snapshot', () => messages[0]?.type === 'SNAPSHOT');
      assert.ok(messages[0].items.every((s: Session) => s.spec.user === 'bob'));
      await h.request('POST', '/api/v1/sessions', { token: ann, body: { template: 'firefox' } });
      const bobs = (await h.request('POST', '/api/v1/sessions', { token: bob, body: { template: 'firefox' } })).json.metadata.name;
      await eventually('bob\'s new session pushed', () => messages.some((m) => m.type === 'ADDED' && m.session.metadata.name === bobs));
      assert.ok(messages.slice(1).every((m) => m.session.spec.user === 'bob'), 'ann\'s session is not pushed to bob');
    } finally {
      ws.close();
    }
    const anonymous = new WebSocket(`${h.api.url.replace('http', 'ws')}/api/v1/ws`);
    anonymous.on('error', () => undefined);
    const refused = await new Promise<string>((resolve) => {
      anonymous.once('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`));
      anonymous.once('close', () => resolve('closed'));
      anonymous.once('open', () => resolve('open'));
    });
    anonymous.terminate();
    assert.equal(refused, 'http 401', 'the upgrade is refused before a socket exists');
  });
});

describe('sessions refused at admission', () => {
  let h: ApiHarness;
  let wh: WebhookServer;
  before(async () => {
    wh = await startWebhookServer();
    h = await startApiHarness();
    wh.handle('/validate-session', (review) => review.request.object.spec.user === 'greedy'
      ? { response: { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'quota exceeded: at most 1 session' } } }
      : { response: { allowed: true } });
    await h.kube.create({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'quota' },
      webhooks: [{
        name: 'quota.streamspace.io', clientConfig: { url: wh.url('/validate-session'), caBundle: wh.caBundle },
        rules: [{ operations: ['CREATE'], apiGroups: ['stream.streamspace.io'], apiVersions: ['v1alpha1'], resources: ['sessions'] }],
        sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail',
      }],
    } as any);
  });
  after(async () => {
    await h?.stop();
    await wh?.stop();
  });

  it('answers a webhook denial with 403 and the webhook\'s message', async () => {
    const admin = await h.login('admin', ADMIN_PASSWORD);
    await h.createTemplate('firefox', admin);
    const greedy = await h.userToken('greedy');
    const res = await h.request('POST', '/api/v1/sessions', { token: greedy, body: { template: 'firefox' } });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.error, 'SS_ERR_ADMISSION_DENIED');
    assert.match(res.json.message, /quota exceeded: at most 1 session/);
    assert.equal(wh.on('/validate-session').length, 1);
    const modest = await h.userToken('modest');
    assert.equal((await h.request('POST', '/api/v1/sessions', { token: modest, body: { template: 'firefox' } })).status, 202);
  });
});
