/**
 * Issue 18, item 4: the admission webhooks authenticate their caller. The control plane presents
 * a bearer token (as kube-apiserver presents its admission kubeconfig's credentials); a review
 * without it, forged by anyone who can reach the webhook's port, is refused with 401 before any
 * decision, so it cannot reserve quota and lock a user out. Dry-run creates reserve nothing either.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { WEBHOOKS } from '../../src/webhooks/configurations.ts';
import { templateSpec } from '../controllers/support.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import { GROUP_VERSION, NAMESPACE } from '../api/harness.ts';
import { startPlatform, type Platform } from './platform.ts';

const TOKEN = 'webhook-caller-token-for-tests';

/** POSTs `body` to the webhook server (self-signed certificate), as a forger would. */
function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** A forged review creating a session for `user`. */
function forgedReview(user: string, i: number): unknown {
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: `forged-${i}`, kind: { group: 'stream.streamspace.io', version: 'v1alpha1', kind: 'Session' },
      resource: { group: 'stream.streamspace.io', version: 'v1alpha1', resource: 'sessions' },
      name: `forged-${i}`, namespace: NAMESPACE, operation: 'CREATE', userInfo: { username: 'admin', groups: ['system:masters'] },
      object: { apiVersion: GROUP_VERSION, kind: 'Session', metadata: { name: `forged-${i}`, namespace: NAMESPACE }, spec: { user, template: 'desktop' } },
      dryRun: false,
    },
  };
}

describe('admission webhooks authenticate their caller', () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform({}, { cluster: { webhookToken: TOKEN }, webhooks: { callerToken: TOKEN } });
    await p.createTemplate('desktop', p.admin, templateSpec());
    const quota = await p.request('POST', '/api/v1/quotas', { token: p.admin, body: { name: 'victim-one', spec: { users: ['victim'], limits: { maxSessions: 1 } } } });
    assert.equal(quota.status, 201, quota.text);
    await eventually('quota cached by the webhook', async () => (await p.request('GET', '/api/v1/quotas/victim-one', { token: p.admin })).status === 200);
  });
  after(async () => { await p?.stop(); });

  it('refuses forged reviews with 401, so they reserve nothing and the user can still start a session', async () => {
    const url = `${p.webhookUrl}${WEBHOOKS.sessionValidation.path}`;
    for (let i = 0; i < 5; i++) {
      const none = await post(url, forgedReview('victim', i));
      assert.equal(none.status, 401, none.text);
      assert.match(none.text, /unauthenticated/);
      const wrong = await post(url, forgedReview('victim', i), { authorization: 'Bearer not-the-token' });
      assert.equal(wrong.status, 401, wrong.text);
    }
    const defaults = await post(`${p.webhookUrl}${WEBHOOKS.sessionDefaults.path}`, forgedReview('victim', 9));
    assert.equal(defaults.status, 401, 'every webhook path checks the caller');
    const victim = await p.userToken('victim');
    const created = await p.request('POST', '/api/v1/sessions', { token: victim, body: { template: 'desktop' } });
    assert.equal(created.status, 202, `the control plane presents its token and no forged reservation blocks the user: ${created.text}`);
  });

  it('reserves nothing for dry-run creates', async () => {
    const quota = await p.request('POST', '/api/v1/quotas', { token: p.admin, body: { name: 'dry-one', spec: { users: ['dry'], limits: { maxSessions: 1 } } } });
    assert.equal(quota.status, 201, quota.text);
    await eventually('quota cached', async () => (await p.request('GET', '/api/v1/quotas/dry-one', { token: p.admin })).status === 200);
    for (let i = 0; i < 3; i++) {
      const res = await rawRequest(p.cluster.cp, 'POST', `/apis/${GROUP_VERSION}/namespaces/${NAMESPACE}/sessions?dryRun=All`, {
        apiVersion: GROUP_VERSION, kind: 'Session', metadata: { name: `dry-${i}`, namespace: NAMESPACE }, spec: { user: 'dry', template: 'desktop' },
      });
      assert.equal(res.status, 201, JSON.stringify(res.json));
    }
    assert.deepEqual(await p.sessionsOf('dry'), [], 'dry runs store nothing');
    const dry = await p.userToken('dry');
    const created = await p.request('POST', '/api/v1/sessions', { token: dry, body: { template: 'desktop' } });
    assert.equal(created.status, 202, created.text);
  });
});
