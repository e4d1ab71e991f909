/**
 * Issue 18, items 6 and 11 for GraphQL: aliases, depth and cost are limited before anything runs
 * (50 aliased provisionCodeServer made 100 Gitea calls; now 400 and none), and every mutation
 * field (deleteCodeServer can delete a home volume) is written to the audit trail with its outcome.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultCodeServerSettings } from '../../src/codeserver/settings.ts';
import { startFakeGitea, type FakeGitea } from '../codeserver/fake-gitea.ts';
import { ADMIN_PASSWORD, NAMESPACE, startApiHarness, type ApiHarness } from '../api/harness.ts';

describe('GraphQL limits and audit', () => {
  let h: ApiHarness;
  let gitea: FakeGitea;
  let admin: string;
  let user: string;
  before(async () => {
    gitea = await startFakeGitea();
    h = await startApiHarness({
      codeServer: { ...defaultCodeServerSettings(), namespace: NAMESPACE, giteaUrl: gitea.url, giteaServiceUrl: gitea.url, giteaToken: 'service-token', giteaTimeoutMs: 500 },
    });
    admin = await h.login('admin', ADMIN_PASSWORD);
    user = await h.userToken('gwen');
  });
  after(async () => {
    await h?.stop();
    await gitea?.stop();
  });

  function gql(token: string | undefined, query: string, variables?: Record<string, unknown>) {
    return h.request('POST', '/graphql', { token, body: { query, variables } });
  }

  it('refuses 50 aliased provisionCodeServer with 400 before calling Gitea', async () => {
    const before = gitea.requests.length;
    const fields = Array.from({ length: 50 }, (_, i) => `p${i}: provisionCodeServer(repoOwner: "gwen", repoName: "r${i}") { isNew }`).join(' ');
    const res = await gql(user, `mutation { ${fields} }`);
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.errors[0].message, /at most 3 mutation fields/);
    assert.equal(gitea.requests.length, before, 'no Gitea call was made');
  });

  it('refuses 200 aliased myCodeServers, deep nesting and costly queries with 400', async () => {
    const many = await gql(user, `{ ${Array.from({ length: 200 }, (_, i) => `m${i}: myCodeServers { id }`).join(' ')} }`);
    assert.equal(many.status, 400, many.text);
    assert.match(many.json.errors[0].message, /at most 10 top-level fields/);
    const viaFragments = await gql(user, `{ ...A ...A2 } fragment A on Query { ${Array.from({ length: 6 }, (_, i) => `a${i}: health`).join(' ')} } fragment A2 on Query { ${Array.from({ length: 6 }, (_, i) => `b${i}: health`).join(' ')} }`);
    assert.equal(viaFragments.status, 400, 'fragments are expanded before counting');
    const ok = await gql(user, '{ health }');
    assert.equal(ok.status, 200, ok.text);
  });

  it('audits mutations with their outcome, including refused and anonymous ones', async () => {
    const missing = await gql(user, 'mutation($id: String!) { deleteCodeServer(id: $id) }', { id: 'no-such-instance' });
    assert.equal(missing.status, 200, missing.text);
    assert.ok(missing.json.errors?.length, 'the delete failed');
    const anonymous = await gql(undefined, 'mutation { deleteCodeServer(id: "someone-elses") }');
    assert.ok(anonymous.json.errors?.length);
    const entries = (await h.request('GET', '/api/v1/audit?action=graphql.deleteCodeServer', { token: admin })).json.items;
    const gwen = entries.find((e: { actor: string }) => e.actor === 'gwen');
    assert.equal(gwen?.target, 'no-such-instance');
    assert.ok(gwen.result >= 400, `recorded as failed: ${gwen.result}`);
    const anon = entries.find((e: { actor: string }) => e.actor === 'anonymous');
    assert.equal(anon?.result, 401);
    assert.equal(anon.target, 'someone-elses');
  });
});
