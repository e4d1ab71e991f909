/**
 * Deleting a built-in account, with the controllers and webhooks running (issue 24, item 4):
 * the account's sessions are terminated, its home volume is kept, and a new account that reuses
 * the name starts afresh: it neither sees nor controls the old sessions and mounts another home
 * volume, while the old account's credentials stay dead.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { homeClaimName } from '../../src/apis/stream/v1alpha1/naming.ts';
import { SESSION } from '../../src/api/kube/kinds.ts';
import { eventually } from '../support/control-plane.ts';
import { templateSpec } from '../controllers/support.ts';
import { runControllers } from './controllers.ts';
import { ADMIN_PASSWORD, NAMESPACE, startApiHarness, type ApiHarness } from './harness.ts';

const CLAIM = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' };
const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment' };

describe('deleting an account', () => {
  let h: ApiHarness;
  let admin: string;
  let stopControllers = async (): Promise<void> => undefined;
  before(async () => {
    h = await startApiHarness();
    stopControllers = await runControllers(h);
    admin = await h.login('admin', ADMIN_PASSWORD);
    await h.createTemplate('desktop', admin, { ...templateSpec() });
  });
  after(async () => {
    await stopControllers();
    await h?.stop();
  });

  const phase = (token: string, name: string, want: string): Promise<Session> => eventually(`session ${name} ${want}`, async () => {
    const res = await h.request('GET', `/api/v1/sessions/${name}`, { token });
    return res.json?.status?.phase === want ? res.json as Session : undefined;
  }, 15_000);
  const claimOf = async (session: string): Promise<string> => {
    const deployment = await eventually(`deployment of ${session}`, async () => (await h.kube.list(DEPLOYMENT, { namespace: NAMESPACE })).items
      .find((d) => d.metadata.annotations?.['stream.streamspace.io/session'] === session || d.metadata.name === `ss-${session}`), 15_000);
    const volumes = (deployment as any).spec.template.spec.volumes as { persistentVolumeClaim?: { claimName: string } }[];
    return volumes.find((v) => v.persistentVolumeClaim)!.persistentVolumeClaim!.claimName;
  };
  const claimExists = async (name: string): Promise<boolean> => (await h.kube.list(CLAIM, { namespace: NAMESPACE })).items
    .some((c) => c.metadata.name === name && !c.metadata.deletionTimestamp);

  it('terminates the account\'s sessions, keeps its home volume, and gives a new account of the same name a fresh start', async () => {
    const oldToken = await h.userToken('u2');
    const oldAccount = (await h.request('GET', '/api/v1/users/u2', { token: admin })).json;
    assert.match(oldAccount.uid, /^[0-9a-f-]{36}$/, 'accounts have an immutable id');
    const key = (await h.request('POST', '/api/v1/api-keys', { token: oldToken, body: { name: 'old' } })).json.key as string;
    const created = await h.request('POST', '/api/v1/sessions', { token: oldToken, body: { template: 'desktop' } });
    assert.equal(created.status, 202, created.text);
    const old = created.json.metadata.name as string;
    assert.equal(created.json.spec.userId, oldAccount.uid, 'the session is bound to the account id');
    await phase(oldToken, old, 'Running');
    const oldClaim = await claimOf(old);
    assert.equal(oldClaim, homeClaimName('u2', oldAccount.uid));
    assert.ok(await claimExists(oldClaim));

    // A session of the name without an account id (as code-server instances and sessions from before ids are).
    const unbound = 'u2-unbound';
    await h.kube.create({ apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: unbound, namespace: NAMESPACE }, spec: { user: 'u2', template: 'desktop' } } as Session);
    const bystander = await h.userToken('u3');
    const kept = (await h.request('POST', '/api/v1/sessions', { token: bystander, body: { template: 'desktop' } })).json.metadata.name as string;

    const del = await h.request('DELETE', '/api/v1/users/u2', { token: admin });
    assert.equal(del.status, 204, del.text);
    for (const name of [old, unbound]) {
      assert.equal((await h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name })).spec.state, 'terminated', `${name} terminated before the answer`);
    }
    assert.equal((await h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name: kept })).spec.state ?? 'running', 'running', 'another account\'s session runs on');
    await phase(admin, old, 'Terminated');
    assert.ok(await claimExists(oldClaim), 'the home volume is kept for an admin to decide');

    // An admin creates a new u2 with another password.
    const created2 = await h.request('POST', '/api/v1/users', { token: admin, body: { username: 'u2', password: 'another-password' } });
    assert.equal(created2.status, 201, created2.text);
    assert.notEqual(created2.json.uid, oldAccount.uid);
    const newToken = await h.login('u2', 'another-password');

    const listed = await h.request('GET', '/api/v1/sessions', { token: newToken });
    assert.deepEqual(listed.json.items, [], 'the old sessions are not listed');
    for (const [method, path, body] of [
      ['GET', `/api/v1/sessions/${old}`, undefined], ['PATCH', `/api/v1/sessions/${old}`, { state: 'running' }],
      ['DELETE', `/api/v1/sessions/${old}`, undefined], ['POST', `/api/v1/sessions/${old}/heartbeat`, undefined],
      ['GET', `/api/v1/sessions/${old}/connections`, undefined], ['GET', `/api/v1/sessions/${old}/events`, undefined],
    ] as const) {
      const res = await h.request(method, path, { token: newToken, body });
      assert.equal(res.status, 403, `${method} ${path}: ${res.text}`);
    }
    assert.equal((await h.request('GET', '/api/v1/sessions', { headers: { 'x-api-key': key } })).status, 401, 'the old API key is dead');

    const fresh = await h.request('POST', '/api/v1/sessions', { token: newToken, body: { template: 'desktop' } });
    assert.equal(fresh.status, 202, fresh.text);
    const freshName = fresh.json.metadata.name as string;
    await phase(newToken, freshName, 'Running');
    const freshClaim = await claimOf(freshName);
    assert.notEqual(freshClaim, oldClaim, 'the new account does not get the old home volume');
    assert.equal(freshClaim, homeClaimName('u2', created2.json.uid));
    assert.ok(await claimExists(oldClaim), 'the old home volume is still kept');
    assert.deepEqual((await h.request('GET', '/api/v1/sessions', { token: newToken })).json.items.map((s: Session) => s.metadata.name), [freshName]);
    // The old account's access token (still within its lifetime) is refused outright: it was issued
    // to an account that no longer exists, not to the new account of the same name.
    assert.equal((await h.request('GET', `/api/v1/sessions/${freshName}`, { token: oldToken })).status, 401);
    assert.equal((await h.request('GET', '/api/v1/sessions', { token: oldToken })).status, 401);
    // Admins still see both, by user name.
    const byName = (await h.request('GET', '/api/v1/sessions?user=u2', { token: admin })).json.items.map((s: Session) => s.metadata.name).sort();
    assert.deepEqual(byName, [old, freshName, unbound].sort());
  });
});
