/**
 * Issue 18, item 9: input hygiene. NUL characters, bodies nested thousands deep, unknown nested
 * fields and values of the wrong type are refused with 400 naming the field (never 500, never
 * coerced), nothing is written, and the refused change is still audited.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApiHarness, type ApiHarness } from '../api/harness.ts';
import { GROUP_VERSION, NAMESPACE } from '../api/harness.ts';

describe('input hygiene', () => {
  let h: ApiHarness;
  let admin: string;
  let user: string;
  before(async () => {
    h = await startApiHarness();
    user = await h.userToken('nia');
    admin = await h.login('admin', 'admin-password-for-tests');
    await h.createTemplate('firefox', admin);
  });
  after(async () => { await h?.stop(); });

  async function sessionsOfNia(): Promise<number> {
    const list = await h.kube.list({ apiVersion: GROUP_VERSION, kind: 'Session' }, { namespace: NAMESPACE });
    return list.items.filter((s: any) => s.spec?.user === 'nia').length;
  }

  const cases: { name: string; method: string; path: string; body: unknown; field?: RegExp; message: RegExp }[] = [
    { name: 'NUL in a body string', method: 'POST', path: '/api/v1/sessions', body: { template: 'fire\u0000fox' }, field: /^body\.template$/, message: /NUL/ },
    { name: 'NUL in a path parameter', method: 'PATCH', path: '/api/v1/sessions/a%00b', body: { state: 'running' }, message: /NUL|params/ },
    { name: 'NUL in a nested key', method: 'POST', path: '/api/v1/sessions', body: { template: 'firefox', resources: { 'x\u0000': 1 } }, message: /NUL/ },
    { name: 'an array for a string (no coercion)', method: 'POST', path: '/api/v1/sessions', body: { template: ['firefox'] }, field: /^body\.template$/, message: /string/ },
    { name: 'a string for a boolean (no coercion)', method: 'PATCH', path: '/api/v1/users/nia', body: { disabled: 'false' }, field: /^body\.disabled$/, message: /boolean/ },
    { name: 'an unknown nested field', method: 'POST', path: '/api/v1/sessions', body: { template: 'firefox', resources: { limits: { cpu: '1' }, extra: true } }, field: /^body\.resources\.extra$/, message: /not a known field/ },
    { name: 'JSON nested 20,000 deep', method: 'POST', path: '/api/v1/sessions', body: `${'['.repeat(20_000)}${']'.repeat(20_000)}`, message: /nests deeper than/ },
    { name: 'JSON nested 2,000 deep in a field', method: 'POST', path: '/api/v1/sessions', body: `{"template":"firefox","x":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`, message: /nests deeper than/ },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} with 400 and writes nothing`, async () => {
      const token = c.path.startsWith('/api/v1/users') ? admin : user;
      const res = await h.request(c.method, c.path, { token, body: c.body });
      assert.equal(res.status, 400, res.text);
      assert.match(res.json.message, c.message);
      if (c.field) assert.match(res.json.field, c.field);
      assert.equal(await sessionsOfNia(), 0);
    });
  }

  it('audits a refused change even when its target holds a NUL', async () => {
    const res = await h.request('DELETE', '/api/v1/sessions/evil%00name', { token: user });
    assert.equal(res.status, 400, res.text);
    const audit = await h.request('GET', '/api/v1/audit?actor=nia&action=session.delete', { token: admin });
    assert.equal(audit.status, 200, audit.text);
    assert.equal(audit.json.items[0]?.result, 400, 'the entry was stored');
  });

  it('keeps the user account unchanged after the refused update', async () => {
    const nia = await h.request('GET', '/api/v1/users/nia', { token: admin });
    assert.equal(nia.json.disabled, false);
  });
});
