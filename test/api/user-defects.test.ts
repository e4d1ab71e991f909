/**
 * Defects a user met through the API (issue 24), each reproduced over real HTTP against the
 * embedded control plane: the audit log's order, viewers connecting to terminated sessions,
 * empty JSON bodies, unknown phases, sessions created terminated, and the role an API key of a
 * demoted admin reports; and that accounts and sessions from before account ids keep working.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { hashPassword } from '../../src/api/auth/password-hash.ts';
import { MIGRATIONS, migrate } from '../../src/api/db/migrations.ts';
import { PGliteDriver } from '../../src/api/db/pglite-driver.ts';
import { SESSION } from '../../src/api/kube/kinds.ts';
import { homeClaimName } from '../../src/apis/stream/v1alpha1/naming.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import { eventually } from '../support/control-plane.ts';
import { ADMIN_PASSWORD, GROUP_VERSION, NAMESPACE, startApiHarness, TEST_SCRYPT, type ApiHarness } from './harness.ts';

describe('user-found API defects', () => {
  let h: ApiHarness;
  let admin: string;
  let ann: string;
  before(async () => {
    h = await startApiHarness();
    admin = await h.login('admin', ADMIN_PASSWORD);
    ann = await h.userToken('ann');
    await h.createTemplate('firefox', admin);
  });
  after(() => h?.stop());

  const create = async (token: string, body: Record<string, unknown> = {}): Promise<string> => {
    const res = await h.request('POST', '/api/v1/sessions', { token, body: { template: 'firefox', ...body } });
    assert.equal(res.status, 202, res.text);
    return res.json.metadata.name as string;
  };

  it('pages the audit log newest first by number: every entry once, past ids 9 and 99', async () => {
    for (let i = 0; i < 12; i++) await h.request('POST', '/api/v1/auth/login', { body: { username: 'paging', password: `wrong-${i}` } });
    const entries = async (path: string): Promise<{ items: { id: string }[]; nextCursor?: string }> => (await h.request('GET', path, { token: admin })).json;
    // Entries are written once the call is answered: wait for the last one before reading.
    await eventually('the 12 logins audited', async () => (await entries('/api/v1/audit?actor=paging&limit=500')).items.length === 12);
    const whole = (await entries('/api/v1/audit?limit=500')).items.map((e) => Number(e.id));
    assert.ok(whole.length >= 13, `at least 13 entries, got ${whole.length}`);
    assert.deepEqual(whole, [...whole].sort((a, b) => b - a), 'newest (highest id) first');
    const top = await entries('/api/v1/audit?limit=3');
    assert.deepEqual(top.items.map((e) => Number(e.id)), whole.slice(0, 3));
    const paged: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await entries(`/api/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...page.items.map((e) => Number(e.id)));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(paged, whole);
  });

  it('refuses a viewer on a terminated session with 409 naming the state, and records no connection', async () => {
    const name = await create(ann);
    const terminate = await h.request('PATCH', `/api/v1/sessions/${name}`, { token: ann, body: { state: 'terminated' } });
    assert.equal(terminate.status, 202, terminate.text);
    await eventually('terminated in the cache', async () => (await h.request('GET', `/api/v1/sessions/${name}`, { token: ann })).json.spec.state === 'terminated');
    for (const path of [`/api/v1/sessions/${name}/connections`, `/api/v1/sessions/${name}/connections?wait=true&timeoutSeconds=60`]) {
      const res = await h.request('POST', path, { token: ann, body: {} });
      assert.equal(res.status, 409, res.text);
      assert.equal(res.json.error, 'SS_ERR_CONFLICT');
      assert.match(res.json.message, /terminated/);
    }
    // Also once only the controller's phase says so.
    const other = await create(ann);
    const live = await h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name: other });
    await h.kube.patchStatus(live, mergePatch({ status: { phase: 'Terminated' } }));
    await eventually('phase in the cache', async () => (await h.request('GET', `/api/v1/sessions/${other}`, { token: ann })).json.status?.phase === 'Terminated');
    const res = await h.request('POST', `/api/v1/sessions/${other}/connections`, { token: ann });
    assert.equal(res.status, 409, res.text);
    assert.match(res.json.message, /phase Terminated/);
    assert.deepEqual((await h.request('GET', `/api/v1/sessions/${name}/connections`, { token: ann })).json.items, []);
    assert.equal((await h.kube.get<Session>(SESSION, { namespace: NAMESPACE, name })).spec.state, 'terminated', 'not woken');
  });

  it('accepts content-type application/json with an empty body where no body is needed', async () => {
    const name = await create(ann);
    const json = { 'content-type': 'application/json' };
    const connect = await h.request('POST', `/api/v1/sessions/${name}/connections`, { token: ann, headers: json });
    assert.equal(connect.status, 201, connect.text);
    const id = connect.json.connection.id as string;
    const disconnect = await h.request('DELETE', `/api/v1/connections/${id}`, { token: ann, headers: json });
    assert.equal(disconnect.status, 204, disconnect.text);
    const del = await h.request('DELETE', `/api/v1/sessions/${name}`, { token: ann, headers: json });
    assert.equal(del.status, 202, del.text);
    // A route that needs a body still says which field is missing.
    const noBody = await h.request('POST', '/api/v1/sessions', { token: ann, headers: json });
    assert.equal(noBody.status, 400, noBody.text);
    assert.equal(noBody.json.error, 'SS_ERR_INVALID_INPUT');
    // And a body that is not JSON is still refused as such.
    const bad = await h.request('POST', `/api/v1/sessions/${name}/connections`, { token: ann, body: '{nope' });
    assert.equal(bad.json.error, 'SS_ERR_INVALID_JSON');
  });

  it('refuses an unknown phase filter as it refuses an unknown state', async () => {
    for (const [query, field] of [['phase=bogus', 'query.phase'], ['state=bogus', 'query.state']]) {
      const res = await h.request('GET', `/api/v1/sessions?${query}`, { token: ann });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.field, field);
    }
    const ok = await h.request('GET', '/api/v1/sessions?phase=Running', { token: ann });
    assert.equal(ok.status, 200, ok.text);
  });

  it('refuses to create a session already terminated, and creates nothing', async () => {
    const before = (await h.request('GET', '/api/v1/sessions', { token: ann })).json.items.length;
    const res = await h.request('POST', '/api/v1/sessions', { token: ann, body: { template: 'firefox', state: 'terminated' } });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.field, 'body.state');
    assert.match(res.json.message, /running, hibernated/);
    assert.equal((await h.request('GET', '/api/v1/sessions', { token: ann })).json.items.length, before);
    const hibernated = await h.request('POST', '/api/v1/sessions', { token: ann, body: { template: 'firefox', state: 'hibernated' } });
    assert.equal(hibernated.status, 202, hibernated.text);
  });

  it('reports the role an API key of a since-demoted admin acts with', async () => {
    const carol = await h.userToken('carol', 'admin');
    const minted = await h.request('POST', '/api/v1/api-keys', { token: carol, body: { name: 'automation' } });
    assert.equal(minted.status, 201, minted.text);
    assert.equal(minted.json.role, 'admin');
    const key = minted.json.key as string;
    const demote = await h.request('PATCH', '/api/v1/users/carol', { token: admin, body: { role: 'user' } });
    assert.equal(demote.status, 200, demote.text);
    const me = await h.request('GET', '/api/v1/auth/me', { headers: { 'x-api-key': key } });
    assert.equal(me.json.role, 'user');
    const own = await h.request('GET', '/api/v1/api-keys', { headers: { 'x-api-key': key } });
    assert.deepEqual(own.json.items.map((k: { id: string; role: string }) => [k.id, k.role]), [[minted.json.id, 'user']]);
    const all = await h.request('GET', '/api/v1/api-keys?all=true', { token: admin });
    assert.equal(all.json.items.find((k: { id: string }) => k.id === minted.json.id).role, 'user');
    assert.equal((await h.request('GET', '/api/v1/audit', { headers: { 'x-api-key': key } })).status, 403, 'and it acts as a user');
  });
});

describe('accounts and sessions from before account ids (upgrade)', () => {
  let h: ApiHarness;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-upgrade-'));
  before(async () => {
    h = await startApiHarness();
    // The database as the previous version left it: schema version 1, accounts without ids.
    const driver = await PGliteDriver.open(path.join(dataDir, 'db'));
    await migrate(driver, MIGRATIONS.filter((m) => m.version === 1));
    for (const [username, password, role] of [['admin', ADMIN_PASSWORD, 'admin'], ['legacy', 'legacy-password', 'user']]) {
      await driver.query('INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3)', [username, await hashPassword(password, TEST_SCRYPT), role]);
    }
    await driver.close();
    const admin = await h.login('admin', ADMIN_PASSWORD);
    await h.createTemplate('firefox', admin);
    // A session the previous version created: no spec.userId.
    await h.kube.create({ apiVersion: GROUP_VERSION, kind: 'Session', metadata: { name: 'legacy-old', namespace: NAMESPACE }, spec: { user: 'legacy', template: 'firefox' } } as Session);
    await h.restartApi({ dataDir });
  });
  after(async () => {
    await h?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps an upgraded account\'s sessions and name-keyed home volume working', async () => {
    const legacy = await h.login('legacy', 'legacy-password');
    const admin = await h.login('admin', ADMIN_PASSWORD);
    assert.equal((await h.request('GET', '/api/v1/users/legacy', { token: admin })).json.uid, undefined, 'no id invented for an existing account');
    await eventually('the old session in the cache', async () => (await h.request('GET', '/api/v1/sessions/legacy-old', { token: legacy })).status === 200);
    assert.deepEqual((await h.request('GET', '/api/v1/sessions', { token: legacy })).json.items.map((s: Session) => s.metadata.name), ['legacy-old']);
    const hibernate = await h.request('PATCH', '/api/v1/sessions/legacy-old', { token: legacy, body: { state: 'hibernated' } });
    assert.equal(hibernate.status, 202, hibernate.text);
    const created = await h.request('POST', '/api/v1/sessions', { token: legacy, body: { template: 'firefox' } });
    assert.equal(created.status, 202, created.text);
    assert.equal(created.json.spec.userId, undefined, 'new sessions of the account keep mounting the home they always had');
    assert.equal(homeClaimName(created.json.spec.user, created.json.spec.userId), homeClaimName('legacy'));
    // An account created after the upgrade gets an id, and does not see the other's sessions.
    const newcomer = await h.userToken('newcomer');
    assert.match((await h.request('GET', '/api/v1/users/newcomer', { token: admin })).json.uid, /^[0-9a-f-]{36}$/);
    assert.equal((await h.request('GET', '/api/v1/sessions/legacy-old', { token: newcomer })).status, 403);
  });
});
