/**
 * Built-in accounts (the default auth mode): first admin, login, rotating refresh tokens with
 * reuse detection, logout, account management by admins, our JWKS, and API keys.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { pino } from 'pino';
import { startApiServer } from '../../src/api/server.ts';
import { eventually } from '../support/control-plane.ts';
import { ADMIN_PASSWORD, NAMESPACE, send, startApiHarness, TEST_SCRYPT, type ApiHarness } from './harness.ts';

describe('built-in accounts', () => {
  let h: ApiHarness;
  let admin: string;
  before(async () => {
    h = await startApiHarness();
    admin = await h.login('admin', ADMIN_PASSWORD);
  });
  after(() => h?.stop());

  it('logs in with the first admin and issues an RS256 at+jwt verifiable with our JWKS', async () => {
    const res = await h.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(res.status, 200);
    assert.equal(res.json.tokenType, 'Bearer');
    assert.equal(res.json.expiresIn, 300);
    assert.match(res.json.refreshToken, /^ssr_/);
    const jwks = (await h.request('GET', '/.well-known/jwks.json')).json;
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].d, undefined, 'no private parts in the JWKS');
    const { payload, protectedHeader } = await jwtVerify(res.json.accessToken, createLocalJWKSet(jwks), { issuer: 'streamspace', audience: 'streamspace-api' });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.equal(payload.sub, 'admin');
    assert.equal(payload.role, 'admin');
    assert.deepEqual((await h.request('GET', '/api/v1/auth/me', { token: res.json.accessToken })).json.role, 'admin');
  });

  it('refuses wrong passwords and unknown users alike with 401, and audits the attempt', async () => {
    for (const body of [{ username: 'admin', password: 'wrong' }, { username: 'nobody', password: 'whatever' }]) {
      const res = await h.request('POST', '/api/v1/auth/login', { body });
      assert.equal(res.status, 401);
      assert.equal(res.json.error, 'SS_ERR_INVALID_CREDENTIALS');
    }
    await eventually('failed login audited', async () => {
      const log = await h.request('GET', '/api/v1/audit?action=auth.login&result=401&actor=nobody', { token: admin });
      return log.json.items.length === 1 && log.json.items[0].target === 'nobody';
    });
  });

  it('rotates refresh tokens, and reuse of a rotated one revokes the whole login', async () => {
    const first = (await h.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).json;
    const second = await h.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    assert.equal(second.status, 200);
    assert.notEqual(second.json.refreshToken, first.refreshToken);
    assert.equal((await h.request('GET', '/api/v1/auth/me', { token: second.json.accessToken })).status, 200);
    const replay = await h.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.refreshToken } });
    assert.equal(replay.status, 401);
    assert.match(replay.json.message, /already used/);
    const afterReplay = await h.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: second.json.refreshToken } });
    assert.equal(afterReplay.status, 401, 'the stolen family is revoked');
  });

  it('logs out by revoking the refresh token', async () => {
    const pair = (await h.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).json;
    assert.equal((await h.request('POST', '/api/v1/auth/logout', { body: { refreshToken: pair.refreshToken } })).status, 204);
    assert.equal((await h.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: pair.refreshToken } })).status, 401);
  });

  it('lets admins manage accounts and nobody else', async () => {
    const created = await h.request('POST', '/api/v1/users', { token: admin, body: { username: 'joe', password: 'joe-password', email: 'joe@example.com' } });
    assert.equal(created.status, 201);
    assert.equal(created.json.role, 'user');
    assert.equal(created.json.passwordHash, undefined);
    assert.equal((await h.request('POST', '/api/v1/users', { token: admin, body: { username: 'joe', password: 'joe-password' } })).status, 409);
    const joe = await h.login('joe', 'joe-password');
    const refused = await h.request('GET', '/api/v1/users', { token: joe });
    assert.equal(refused.status, 403);
    assert.match(refused.json.message, /admins only/);
    const joePair = (await h.request('POST', '/api/v1/auth/login', { body: { username: 'joe', password: 'joe-password' } })).json;
    const disabled = await h.request('PATCH', '/api/v1/users/joe', { token: admin, body: { disabled: true } });
    assert.equal(disabled.json.disabled, true);
    assert.equal((await h.request('POST', '/api/v1/auth/login', { body: { username: 'joe', password: 'joe-password' } })).status, 401, 'disabled accounts cannot log in');
    assert.equal((await h.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: joePair.refreshToken } })).status, 401, 'disabling revokes refresh tokens');
    assert.equal((await h.request('PATCH', '/api/v1/users/joe', { token: admin, body: { password: 'short' } })).json.field, 'body.password');
    assert.equal((await h.request('DELETE', '/api/v1/users/joe', { token: admin })).status, 204);
    assert.equal((await h.request('GET', '/api/v1/users/joe', { token: admin })).status, 404);
  });

  it('issues API keys that work as Bearer and X-API-Key until revoked', async () => {
    const kim = await h.userToken('kim');
    const created = await h.request('POST', '/api/v1/api-keys', { token: kim, body: { name: 'ci' } });
    assert.equal(created.status, 201);
    const key = created.json.key as string;
    assert.match(key, /^ssk_/);
    assert.equal((await h.request('GET', '/api/v1/auth/me', { token: key })).json.username, 'kim');
    const viaHeader = await h.request('GET', '/api/v1/auth/me', { headers: { 'x-api-key': key } });
    assert.deepEqual({ user: viaHeader.json.username, method: viaHeader.json.method, role: viaHeader.json.role }, { user: 'kim', method: 'api-key', role: 'user' });
    const listed = (await h.request('GET', '/api/v1/api-keys', { token: kim })).json.items;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].key, undefined);
    assert.equal(listed[0].keyHash, undefined);
    const lee = await h.userToken('lee');
    assert.equal((await h.request('DELETE', `/api/v1/api-keys/${created.json.id}`, { token: lee })).status, 403, 'not lee\'s key');
    assert.equal((await h.request('GET', '/api/v1/api-keys?all=true', { token: lee })).status, 403);
    assert.equal((await h.request('DELETE', `/api/v1/api-keys/${created.json.id}`, { token: kim })).status, 204);
    const revoked = await h.request('GET', '/api/v1/auth/me', { token: key });
    assert.equal(revoked.status, 401);
    assert.equal((await h.request('GET', '/api/v1/auth/me', { token: 'ssk_made-up' })).status, 401);
  });
});

describe('first admin with a generated password', () => {
  it('stores the generated password 0600 in the data folder and keeps the signing key across restarts', async () => {
    const h = await startApiHarness();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-api-data-'));
    try {
      const opts = { kubeconfig: h.cluster.kubeconfigPath, namespace: NAMESPACE, dataDir, logger: pino({ level: 'silent' }), auth: { scryptCost: TEST_SCRYPT } };
      const api = await startApiServer(opts);
      assert.equal(api.bootstrap.created, true);
      const file = path.join(dataDir, 'admin-password');
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.equal(fs.readFileSync(file, 'utf8').trim(), api.bootstrap.generatedPassword);
      const login = await send(api.url, 'POST', '/api/v1/auth/login', { body: { username: 'admin', password: api.bootstrap.generatedPassword } });
      assert.equal(login.status, 200);
      await api.stop();
      const again = await startApiServer(opts);
      assert.equal(again.bootstrap.created, false, 'not re-created');
      assert.equal((await send(again.url, 'GET', '/api/v1/auth/me', { token: login.json.accessToken })).status, 200, 'same signing key after restart');
      await again.stop();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await h.stop();
    }
  });
});
