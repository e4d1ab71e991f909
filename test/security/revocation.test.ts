/**
 * Issue 18, item 2: revocation. An access token is only as good as its account is now: deleting,
 * disabling or demoting an account takes effect on the next request (a deleted admin cannot use
 * the token's remaining minutes to create another admin), a name deleted and re-created does not
 * accept the old holder's token, and open WebSockets close when their token expires or their
 * credentials are revoked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { ADMIN_PASSWORD, startApiHarness, TEST_SCRYPT, type ApiHarness } from '../api/harness.ts';

/** Opens a live-updates socket with `token` and resolves once the snapshot arrived. */
async function openSocket(h: ApiHarness, token: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${h.api.url.replace('http', 'ws')}/api/v1/ws?access_token=${encodeURIComponent(token)}`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise((resolve, reject) => { ws.once('message', resolve); ws.once('error', reject); });
  return { ws, closed };
}

describe('revocation of access tokens and sockets', () => {
  let h: ApiHarness;
  let root: string;
  before(async () => {
    h = await startApiHarness();
    root = await h.login('admin', ADMIN_PASSWORD);
  });
  after(async () => { await h?.stop(); });

  async function auditOf(action: string, result: number): Promise<{ result: number }[]> {
    const res = await h.request('GET', `/api/v1/audit?action=${action}&result=${result}`, { token: root });
    return res.json.items;
  }

  it('refuses a deleted admin\'s token at once: no new admin is created, the attempt is audited', async () => {
    const mallory = await h.userToken('mallory', 'admin');
    const { closed } = await openSocket(h, mallory);
    assert.equal((await h.request('DELETE', '/api/v1/users/mallory', { token: root })).status, 204);
    const res = await h.request('POST', '/api/v1/users', { token: mallory, body: { username: 'mallory2', password: 'mallory2-password', role: 'admin' } });
    assert.equal(res.status, 401, res.text);
    assert.match(res.json.message, /account no longer exists/);
    assert.equal((await h.request('GET', '/api/v1/users/mallory2', { token: root })).status, 404, 'nothing was written');
    assert.equal((await auditOf('user.create', 401)).length, 1, 'the refused attempt is audited');
    const { code, reason } = await closed;
    assert.equal(code, 1008);
    assert.match(reason, /account no longer exists/);
  });

  it('treats a demoted admin as a user on the next request and closes their socket', async () => {
    const dora = await h.userToken('dora', 'admin');
    const { closed } = await openSocket(h, dora);
    assert.equal((await h.request('PATCH', '/api/v1/users/dora', { token: root, body: { role: 'user' } })).status, 200);
    const res = await h.request('POST', '/api/v1/users', { token: dora, body: { username: 'dora2', password: 'dora2-password', role: 'admin' } });
    assert.equal(res.status, 403, res.text);
    assert.match(res.json.message, /admins only/);
    assert.equal((await h.request('GET', '/api/v1/auth/me', { token: dora })).json.role, 'user');
    assert.equal((await h.request('GET', '/api/v1/users/dora2', { token: root })).status, 404);
    assert.match((await closed).reason, /role changed/);
  });

  it('refuses a disabled account\'s token', async () => {
    const dan = await h.userToken('dan');
    assert.equal((await h.request('PATCH', '/api/v1/users/dan', { token: root, body: { disabled: true } })).status, 200);
    const res = await h.request('POST', '/api/v1/api-keys', { token: dan, body: { name: 'late' } });
    assert.equal(res.status, 401, res.text);
    assert.match(res.json.message, /disabled/);
    assert.equal((await auditOf('apikey.create', 401)).length, 1, 'the refused attempt is audited');
    assert.deepEqual((await h.request('GET', '/api/v1/api-keys', { token: root })).json.items.filter((k: { username: string }) => k.username === 'dan'), []);
  });

  it('does not let a token outlive its account into a re-created one of the same name', async () => {
    const old = await h.userToken('reuse');
    assert.equal((await h.request('DELETE', '/api/v1/users/reuse', { token: root })).status, 204);
    // The next second at the earliest, so the new account is created after the old token was issued.
    // Token times have whole seconds: the re-created account must be from a later second (a clock wait, not a race).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const created = await h.request('POST', '/api/v1/users', { token: root, body: { username: 'reuse', password: 'another-password', role: 'user' } });
    assert.equal(created.status, 201, created.text);
    const res = await h.request('GET', '/api/v1/auth/me', { token: old });
    assert.equal(res.status, 401, res.text);
    assert.match(res.json.message, /issued to an earlier account of that name/);
  });

  it('closes a socket opened with an API key when the key is revoked', async () => {
    const kim = await h.userToken('kim');
    const key = await h.request('POST', '/api/v1/api-keys', { token: kim, body: { name: 'socket' } });
    assert.equal(key.status, 201, key.text);
    const { closed } = await openSocket(h, key.json.key);
    assert.equal((await h.request('DELETE', `/api/v1/api-keys/${key.json.id}`, { token: kim })).status, 204);
    const { code, reason } = await closed;
    assert.equal(code, 1008);
    assert.match(reason, /revoked/);
  });

  it('closes a socket when its access token expires', async () => {
    await h.restartApi({ auth: { adminPassword: ADMIN_PASSWORD, scryptCost: TEST_SCRYPT, accessTokenTtlSeconds: 2 } });
    const token = await h.login('admin', ADMIN_PASSWORD);
    const { closed } = await openSocket(h, token);
    const { code, reason } = await closed;
    assert.equal(code, 1008);
    assert.match(reason, /expired/);
  });
});
