/**
 * Issue 18, item 1: group quotas hold for sessions created through the API. The API records the
 * caller's groups on the Session (an annotation the quota webhook believes only from a requester
 * it trusts to state groups, here the API's cluster-admin identity); a user can neither set that
 * annotation through the API nor buy a better quota by writing it through Kubernetes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { USER_GROUPS_ANNOTATION } from '../../src/webhooks/user-groups.ts';
import { templateSpec } from '../controllers/support.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import { GROUP_VERSION, NAMESPACE } from '../api/harness.ts';
import { startPlatform, type Platform } from './platform.ts';

const PROXY = { mode: 'proxy' as const, proxy: { trustedProxies: ['127.0.0.1/32', '::1/128'], groupsHeader: 'x-forwarded-groups' } };

/** The headers a trusted proxy sends for `user` in `groups`. */
function as(user: string, groups: string): Record<string, string> {
  return { 'x-forwarded-user': user, 'x-forwarded-groups': groups };
}

describe('group quotas for sessions created through the API', () => {
  let p: Platform;
  const admin = as('root', 'streamspace-admin');
  before(async () => {
    p = await startPlatform({ auth: PROXY });
    await p.kube.create({ apiVersion: GROUP_VERSION, kind: 'Template', metadata: { name: 'desktop', namespace: NAMESPACE }, spec: templateSpec() } as any);
    await eventually('template cached', async () => (await p.request('GET', '/api/v1/templates/desktop', { headers: admin })).status === 200);
    const quota = await p.request('POST', '/api/v1/quotas', { headers: admin, body: { name: 'students-one', spec: { groups: ['students'], limits: { maxSessions: 1 } } } });
    assert.equal(quota.status, 201, quota.text);
  });
  after(async () => { await p?.stop(); });

  it('records the caller\'s groups on the Session and refuses a second session over the group\'s limit', async () => {
    const sam = as('sam', 'students');
    const first = await p.request('POST', '/api/v1/sessions', { headers: sam, body: { template: 'desktop' } });
    assert.equal(first.status, 202, first.text);
    const stored = await p.kube.get({ apiVersion: GROUP_VERSION, kind: 'Session' }, { name: first.json.metadata.name, namespace: NAMESPACE });
    assert.equal(stored.metadata.annotations?.[USER_GROUPS_ANNOTATION], 'students', 'the webhook kept the groups the trusted API stated');
    await eventually('usage counted', async () => {
      const q = await p.request('GET', '/api/v1/quotas/students-one', { headers: admin });
      return q.json?.status?.usage?.some((u: { user: string; sessions?: number }) => u.user === 'sam' && u.sessions === 1);
    });
    const second = await p.request('POST', '/api/v1/sessions', { headers: sam, body: { template: 'desktop' } });
    assert.equal(second.status, 403, second.text);
    assert.match(second.json.message, /quota exceeded/);
    assert.match(second.json.message, /students-one/);
    assert.deepEqual(await p.sessionsOf('sam'), [first.json.metadata.name], 'the refused session was never written');
    const audited = await eventually('refusal audited', async () => {
      const res = await p.request('GET', '/api/v1/audit?actor=sam&action=session.create&result=403', { headers: admin });
      return res.json?.items?.length ? res.json.items : undefined;
    });
    assert.equal(audited[0].result, 403);
  });

  it('refuses metadata in the create body, so a user cannot state their own groups', async () => {
    const res = await p.request('POST', '/api/v1/sessions', {
      headers: as('una', ''), body: { template: 'desktop', metadata: { annotations: { [USER_GROUPS_ANNOTATION]: 'staff' } } },
    });
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.message, /metadata/);
    assert.deepEqual(await p.sessionsOf('una'), []);
  });

  it('drops groups a user writes on a Session through Kubernetes as themselves', async () => {
    // The user "vic" talks to the cluster directly (impersonated: no groups) and claims "staff".
    const res = await rawRequest(p.cluster.cp, 'POST', `/apis/${GROUP_VERSION}/namespaces/${NAMESPACE}/sessions`, {
      apiVersion: GROUP_VERSION, kind: 'Session',
      metadata: { name: 'vic-forged', namespace: NAMESPACE, annotations: { [USER_GROUPS_ANNOTATION]: 'staff' } },
      spec: { user: 'vic', template: 'desktop' },
    }, { 'impersonate-user': 'vic' });
    assert.equal(res.status, 201, JSON.stringify(res.json));
    assert.equal(res.json.metadata.annotations?.[USER_GROUPS_ANNOTATION], 'system:authenticated', 'the groups the API server authenticated vic with replace his claim');
  });
});
