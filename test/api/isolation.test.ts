/**
 * The isolation matrix: every route, called by the owner of a session, another user, an admin
 * and an anonymous caller, answers the expected status; every refusal is 401 (no identity) or
 * 403 with a reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_PASSWORD, startApiHarness, type ApiHarness } from './harness.ts';
import { checkRow, type Caller, type Row } from './access-matrix.ts';


describe('isolation matrix', () => {
  let h: ApiHarness;
  const tokens: Partial<Record<Caller, string>> = {};
  let session: string;
  let templateCount = 0;
  before(async () => {
    h = await startApiHarness();
    tokens.admin = await h.login('admin', ADMIN_PASSWORD);
    tokens.owner = await h.userToken('olive');
    tokens.other = await h.userToken('otto');
    await h.createTemplate('firefox', tokens.admin);
    session = await newSession();
  });
  after(() => h?.stop());

  async function newSession(): Promise<string> {
    const res = await h.request('POST', '/api/v1/sessions', { token: tokens.owner, body: { template: 'firefox' } });
    assert.equal(res.status, 202, res.text);
    return res.json.metadata.name;
  }

  async function newTemplate(): Promise<string> {
    const name = `tpl-${++templateCount}`;
    await h.createTemplate(name, tokens.admin!);
    return name;
  }

  const spec = { baseImage: 'codercom/code-server:4', webapp: { enabled: true, port: 8080 } };
  const rows: Row[] = [
    { name: 'list sessions', request: async () => ({ method: 'GET', path: '/api/v1/sessions' }), expect: [200, 200, 200, 401] },
    { name: 'create session', request: async () => ({ method: 'POST', path: '/api/v1/sessions', body: { template: 'firefox' } }), expect: [202, 202, 202, 401] },
    { name: 'read session', request: async () => ({ method: 'GET', path: `/api/v1/sessions/${session}` }), expect: [200, 403, 200, 401] },
    { name: 'change state', request: async () => ({ method: 'PATCH', path: `/api/v1/sessions/${session}`, body: { state: 'running' } }), expect: [202, 403, 202, 401] },
    { name: 'session events', request: async () => ({ method: 'GET', path: `/api/v1/sessions/${session}/events` }), expect: [200, 403, 200, 401] },
    { name: 'heartbeat', request: async () => ({ method: 'POST', path: `/api/v1/sessions/${session}/heartbeat` }), expect: [202, 403, 202, 401] },
    { name: 'connect', request: async () => ({ method: 'POST', path: `/api/v1/sessions/${session}/connections`, body: {} }), expect: [201, 403, 201, 401] },
    { name: 'list connections', request: async () => ({ method: 'GET', path: `/api/v1/sessions/${session}/connections` }), expect: [200, 403, 200, 401] },
    { name: 'delete session', request: async () => ({ method: 'DELETE', path: `/api/v1/sessions/${await newSession()}` }), expect: [202, 403, 202, 401] },
    { name: 'template catalog', request: async () => ({ method: 'GET', path: '/api/v1/templates' }), expect: [200, 200, 200, 401] },
    { name: 'read template', request: async () => ({ method: 'GET', path: '/api/v1/templates/firefox' }), expect: [200, 200, 200, 401] },
    { name: 'create template', request: async () => ({ method: 'POST', path: '/api/v1/templates', body: { name: `new-${++templateCount}`, spec } }), expect: [403, 403, 201, 401] },
    { name: 'replace template', request: async () => ({ method: 'PUT', path: '/api/v1/templates/firefox', body: { spec: { ...spec, displayName: 'Firefox' } } }), expect: [403, 403, 200, 401] },
    { name: 'delete template', request: async () => ({ method: 'DELETE', path: `/api/v1/templates/${await newTemplate()}` }), expect: [403, 403, 204, 401] },
    { name: 'list accounts', request: async () => ({ method: 'GET', path: '/api/v1/users' }), expect: [403, 403, 200, 401] },
    { name: 'create account', request: async (c) => ({ method: 'POST', path: '/api/v1/users', body: { username: `u-${c}`, password: 'password-1' } }), expect: [403, 403, 201, 401] },
    { name: 'read account', request: async () => ({ method: 'GET', path: '/api/v1/users/olive' }), expect: [403, 403, 200, 401] },
    { name: 'audit log', request: async () => ({ method: 'GET', path: '/api/v1/audit' }), expect: [403, 403, 200, 401] },
    { name: 'list API keys', request: async () => ({ method: 'GET', path: '/api/v1/api-keys' }), expect: [200, 200, 200, 401] },
    { name: 'list every API key', request: async () => ({ method: 'GET', path: '/api/v1/api-keys?all=true' }), expect: [403, 403, 200, 401] },
    { name: 'create API key', request: async () => ({ method: 'POST', path: '/api/v1/api-keys', body: { name: 'k' } }), expect: [201, 201, 201, 401] },
    { name: 'who am I', request: async () => ({ method: 'GET', path: '/api/v1/auth/me' }), expect: [200, 200, 200, 401] },
  ];

  for (const row of rows) {
    it(row.name, async () => {
      await checkRow(h, tokens, row, (message) => assert.ok(message.length > 10, 'a refusal says why'));
    });
  }

  it('audits refused mutating calls too', async () => {
    const log = await h.request('GET', '/api/v1/audit?action=session.delete&result=403', { token: tokens.admin });
    assert.equal(log.json.items[0]?.actor, 'otto');
    const anonymous = await h.request('GET', '/api/v1/audit?action=session.update&result=401&actor=anonymous', { token: tokens.admin });
    assert.equal(anonymous.json.items.length, 1);
  });
});
