/**
 * Issue 18, item 10: `spec.repository` is validated by the API and at admission, so a path
 * escape in the owner, a file:// or metadata-service clone URL, or a ref that Git would read as an
 * option never reaches the clone containers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { templateSpec } from '../controllers/support.ts';
import { rawRequest } from '../support/control-plane.ts';
import { GROUP_VERSION, NAMESPACE } from '../api/harness.ts';
import { startPlatform, type Platform } from './platform.ts';

const ATTACKS: [string, Record<string, string>, string, RegExp][] = [
  ['an owner escaping its folder', { owner: '../../etc', name: 'x' }, 'repository.owner', /letters, digits/],
  ['a name starting with a dash', { owner: 'alice', name: '-x' }, 'repository.name', /not start with "-"/],
  ['a file:// clone URL', { owner: 'alice', name: 'x', cloneURL: 'file:///etc/passwd' }, 'repository.cloneURL', /http\(s\) URL/],
  ['the metadata service', { owner: 'alice', name: 'x', cloneURL: 'http://169.254.169.254/latest/meta-data/' }, 'repository.cloneURL', /link-local or metadata/],
  ['credentials in the URL', { owner: 'alice', name: 'x', cloneURL: 'https://user:pw@git.example.com/a/x.git' }, 'repository.cloneURL', /credentials/],
  ['an ext:: transport', { owner: 'alice', name: 'x', cloneURL: 'ext::sh -c touch% /tmp/pwned' }, 'repository.cloneURL', /http\(s\)/],
  ['a ref read as an option', { owner: 'alice', name: 'x', ref: '--upload-pack=touch /tmp/pwned' }, 'repository.ref', /branch, tag or commit/],
  ['a ref with ..', { owner: 'alice', name: 'x', ref: 'main/../../x' }, 'repository.ref', /branch, tag or commit/],
];

describe('spec.repository validation', () => {
  let p: Platform;
  let rae: string;
  before(async () => {
    p = await startPlatform();
    await p.createTemplate('desktop', p.admin, templateSpec());
    rae = await p.userToken('rae');
  });
  after(async () => { await p?.stop(); });

  for (const [label, repository, field, message] of ATTACKS) {
    it(`refuses ${label}: 400 from the API, 422 from admission, nothing written`, async () => {
      const res = await p.request('POST', '/api/v1/sessions', { token: rae, body: { template: 'desktop', repository } });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.field, `body.${field}`);
      assert.match(res.json.message, message);
      const direct = await rawRequest(p.cluster.cp, 'POST', `/apis/${GROUP_VERSION}/namespaces/${NAMESPACE}/sessions`, {
        apiVersion: GROUP_VERSION, kind: 'Session', metadata: { name: 'repo-attack', namespace: NAMESPACE }, spec: { user: 'rae', template: 'desktop', repository },
      });
      assert.equal(direct.status, 422, JSON.stringify(direct.json));
      assert.match(direct.json.message, message);
      assert.deepEqual(await p.sessionsOf('rae'), []);
    });
  }

  it('accepts an ordinary repository', async () => {
    const res = await p.request('POST', '/api/v1/sessions', {
      token: rae, body: { template: 'desktop', repository: { owner: 'alice', name: 'project.v2', cloneURL: 'https://git.example.com/alice/project.v2.git', ref: 'release/1.2' } },
    });
    assert.equal(res.status, 202, res.text);
  });
});
