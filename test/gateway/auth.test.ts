/**
 * Gateway authentication and authorization, over real HTTP and WebSocket to the API's port:
 * the owner's cookie (set by the login) and bearer token get through, with our credentials
 * removed before the session sees the request; another user's cookie, no cookie, a forged
 * cookie and an expired token are refused on both, with a page a person can read and an
 * audit entry.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { ADMIN_PASSWORD, type ApiHarness } from '../api/harness.ts';
import { loadSigningKey } from '../../src/api/auth/signing-key.ts';
import { SESSION_COOKIE } from '../../src/api/auth/session-cookie.ts';
import { createSession, createTemplates, serveSession, startBackend, startGatewayHarness, type Backend } from './support.ts';

/** The cookie the login set (name=value). */
async function loginCookie(h: ApiHarness, username: string, password: string): Promise<string> {
  const res = await fetch(`${h.api.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  assert.equal(res.status, 200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  assert.match(setCookie, new RegExp(`^${SESSION_COOKIE}=[^;]+; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Lax`));
  return setCookie.split(';', 1)[0];
}

/** Opens a WebSocket; resolves with the HTTP status of a refusal, or 101 once open. */
function wsStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); res.resume(); });
    ws.on('error', reject);
  });
}

describe('gateway authentication', () => {
  let h: ApiHarness & { dataDir: string };
  let backend: Backend;
  let alice: string;
  let bob: string;
  let admin: string;
  let url: string;

  before(async () => {
    h = await startGatewayHarness();
    backend = await startBackend();
    const adminToken = await h.login('admin', ADMIN_PASSWORD);
    await h.userToken('alice');
    await h.userToken('bob');
    await createTemplates(h, adminToken);
    await createSession(h, 'alice-web', 'alice');
    await serveSession(h, 'alice-web', backend.port);
    alice = await loginCookie(h, 'alice', 'alice-password');
    bob = await loginCookie(h, 'bob', 'bob-password');
    admin = await loginCookie(h, 'admin', ADMIN_PASSWORD);
    url = `${h.api.url}/s/alice-web/`;
  });
  after(async () => {
    await backend.close();
    await h.stop();
  });

  it('forwards the owner\'s request without our cookie, with the identity headers the gateway sets', async () => {
    const res = await fetch(`${url}hello?x=1`, { headers: { cookie: `theme=dark; ${alice}; other=1`, 'x-forwarded-user': 'mallory' } });
    assert.equal(res.status, 200);
    const seen = await res.json() as { url: string; headers: Record<string, string> };
    assert.equal(seen.url, '/hello?x=1');
    assert.equal(seen.headers.cookie, 'theme=dark; other=1');
    assert.equal(seen.headers['x-forwarded-user'], 'alice');
    assert.equal(seen.headers['x-forwarded-prefix'], '/s/alice-web');
  });

  it('lets admins in, and accepts a bearer token (then forwards no Authorization unless the session is a web app)', async () => {
    assert.equal((await fetch(url, { headers: { cookie: admin } })).status, 200);
    const token = await h.login('alice', 'alice-password');
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const seen = await res.json() as { headers: Record<string, string> };
    // The web template forwards the caller's token (seed 004); it is the caller's own, re-set by the gateway.
    assert.equal(seen.headers.authorization, `Bearer ${token}`);
  });

  it('refuses another user, no cookie, a forged cookie and an expired token, on HTTP and WebSocket', async () => {
    const key = await loadSigningKey({ file: path.join(h.dataDir, 'signing-key.jwk') });
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ role: 'user' }).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key.kid })
      .setIssuer('streamspace').setAudience('streamspace-api').setSubject('alice').setIssuedAt(now - 3600).setExpirationTime(now - 600).sign(key.privateKey);
    const [name, value] = alice.split('=');
    const forged = `${name}=${value.slice(0, -6)}AAAAAA`;
    const cases: Array<[string, Record<string, string>, number]> = [
      ['another user\'s cookie', { cookie: bob }, 403],
      ['no cookie', {}, 401],
      ['a forged cookie', { cookie: forged }, 401],
      ['an expired token', { cookie: `${SESSION_COOKIE}=${expired}` }, 401],
      ['an expired bearer token', { authorization: `Bearer ${expired}` }, 401],
    ];
    const before = backend.received.length;
    for (const [what, headers, status] of cases) {
      const res = await fetch(url, { headers: { ...headers, accept: 'text/html' } });
      assert.equal(res.status, status, `HTTP with ${what}`);
      const page = await res.text();
      assert.match(page, status === 401 ? /Sign in to StreamSpace/ : /belongs to another user/, `a readable page for ${what}`);
      assert.equal(await wsStatus(`${url.replace('http', 'ws')}socket`, headers), status, `WebSocket with ${what}`);
    }
    assert.equal(backend.received.length, before, 'the session saw none of them');
    const adminToken = await h.login('admin', ADMIN_PASSWORD);
    const audit = await h.request('GET', '/api/v1/audit?action=gateway.refuse', { token: adminToken });
    assert.equal(audit.status, 200);
    const entries = (audit.json.items as Array<{ actor: string; result: number; target: string }>).filter((e) => e.target === 'alice-web');
    assert.ok(entries.length >= cases.length * 2, `every refusal audited (${entries.length})`);
    assert.ok(entries.some((e) => e.actor === 'bob' && e.result === 403));
  });

  it('refuses a new account that reuses a deleted account\'s name, on HTTP and WebSocket', async () => {
    const adminToken = await h.login('admin', ADMIN_PASSWORD);
    await h.userToken('carol');
    await createSession(h, 'carol-web', 'carol');
    await serveSession(h, 'carol-web', backend.port);
    assert.equal((await h.request('DELETE', '/api/v1/users/carol', { token: adminToken })).status, 204);
    const recreated = await h.request('POST', '/api/v1/users', { token: adminToken, body: { username: 'carol', password: 'carol-new-password', role: 'user' } });
    assert.equal(recreated.status, 201, recreated.text);
    const cookie = await loginCookie(h, 'carol', 'carol-new-password');
    const carolUrl = `${h.api.url}/s/carol-web/`;
    const res = await fetch(carolUrl, { headers: { cookie, accept: 'text/html' } });
    assert.equal(res.status, 403, 'the old account\'s workspace belongs to another account');
    assert.match(await res.text(), /belongs to another user/);
    assert.equal(await wsStatus(`${carolUrl.replace('http', 'ws')}socket`, { cookie }), 403);
  });

  it('carries the owner\'s WebSocket through to the session and back', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}socket`, { headers: { cookie: alice } });
    await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
    const echoed = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('ping through the gateway');
    assert.equal(await echoed, 'ping through the gateway');
    ws.close();
    const upgrade = backend.received.findLast((r) => r.method === 'WS')!;
    assert.equal(upgrade.url, '/socket');
    assert.equal(upgrade.headers.cookie, undefined, 'our cookie removed from the handshake');
    // The API's own WebSocket on the same port still reaches the API.
    const token = await h.login('alice', 'alice-password');
    assert.equal(await wsStatus(`${h.api.url.replace('http', 'ws')}/api/v1/ws?access_token=${token}`, {}), 101);
  });
});
