/**
 * The Gitea client and the access check against the fake Gitea: the caller's token forwarded,
 * the service token asking for a user's permission, allowed and denied answers, and a Gitea that
 * is down, hangs or is not there at all, each a clear error of its own kind.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRepositoryAccess } from '../../src/codeserver/gitea/access.ts';
import { GiteaClient, GiteaError } from '../../src/codeserver/gitea/client.ts';
import { startFakeGitea, type FakeGitea } from './fake-gitea.ts';

let fake: FakeGitea;
let gitea: GiteaClient;

before(async () => {
  fake = await startFakeGitea();
  fake.tokens.set('alice-token', 'alice').set('bob-token', 'bob').set('carol-token', 'carol').set('service-token', 'gitea-admin');
  fake.admins.add('gitea-admin');
  fake.repositories.push(
    { owner: 'alice', name: 'project', private: true, collaborators: { bob: 'read' } },
    { owner: 'alice', name: 'diary', private: true },
    { owner: 'bob', name: 'tools', private: false },
  );
  gitea = new GiteaClient({ baseUrl: fake.url, timeoutMs: 300 });
});

after(() => fake.stop());

beforeEach(() => {
  fake.mode = 'up';
  fake.requests.length = 0;
});

function kindOf(err: unknown): string | undefined {
  return err instanceof GiteaError ? err.kind : undefined;
}

describe('caller-token mode: the caller\'s token is forwarded', () => {
  const check = (token: string | undefined, user: string, owner: string, name: string) =>
    checkRepositoryAccess({ gitea, mode: 'caller-token' }, { username: user, token }, owner, name);

  test('allowed: the owner and a collaborator get the repository and its clone URL', async () => {
    const repo = await check('alice-token', 'alice', 'alice', 'project');
    assert.deepEqual([repo.fullName, repo.cloneUrl, repo.private, repo.permissions], ['alice/project', `${fake.url}/alice/project.git`, true, { admin: true, push: true, pull: true }]);
    assert.deepEqual(fake.requests.map((r) => [r.path, r.authorization]), [['/api/v1/repos/alice/project', 'token alice-token']]);
    const asBob = await check('bob-token', 'bob', 'alice', 'project');
    assert.deepEqual(asBob.permissions, { admin: false, push: false, pull: true });
  });

  test('denied: a private repository of someone else, a missing one, an unknown token, no token', async () => {
    await assert.rejects(check('carol-token', 'carol', 'alice', 'project'), (err) => kindOf(err) === 'denied' && (err as GiteaError).status === 404);
    await assert.rejects(check('alice-token', 'alice', 'alice', 'nope'), (err) => kindOf(err) === 'denied');
    await assert.rejects(check('forged', 'alice', 'alice', 'project'), (err) => kindOf(err) === 'denied' && (err as GiteaError).status === 401);
    const before = fake.requests.length;
    await assert.rejects(check(undefined, 'alice', 'alice', 'project'), (err) => kindOf(err) === 'denied' && /no token to forward/.test((err as Error).message));
    assert.equal(fake.requests.length, before, 'nothing is asked without a token to forward');
  });

  test('names are sent as one URL path segment each', async () => {
    await assert.rejects(check('alice-token', 'alice', '../../admin', 'x?y'));
    assert.equal(fake.requests.at(-1)?.path, '/api/v1/repos/..%2F..%2Fadmin/x%3Fy');
  });
});

describe('service-token mode: the service token asks for the user\'s permission', () => {
  const check = (user: string, owner: string, name: string, token = 'user-token-not-forwarded') =>
    checkRepositoryAccess({ gitea, mode: 'service-token', serviceToken: 'service-token' }, { username: user, token }, owner, name);

  test('a collaborator and a reader of a public repository are allowed; only the service token is sent', async () => {
    assert.equal((await check('bob', 'alice', 'project')).name, 'project');
    assert.equal((await check('carol', 'bob', 'tools')).name, 'tools');
    assert.ok(fake.requests.some((r) => r.path === '/api/v1/repos/alice/project/collaborators/bob/permission'));
    assert.ok(fake.requests.every((r) => r.authorization === 'token service-token'));
  });

  test('a user without access is denied, though the service token can see the repository', async () => {
    await assert.rejects(check('carol', 'alice', 'diary'), (err) => kindOf(err) === 'denied' && /carol has no access/.test((err as Error).message));
  });

  test('without a service token nothing is asked', async () => {
    await assert.rejects(checkRepositoryAccess({ gitea, mode: 'service-token' }, { username: 'bob' }, 'alice', 'project'), (err) => kindOf(err) === 'denied');
    assert.equal(fake.requests.length, 0);
  });
});

describe('Gitea trouble is told apart from a refusal', () => {
  test('down (503) is unavailable', async () => {
    fake.mode = 'down';
    await assert.rejects(gitea.getRepository('alice', 'project', 'alice-token'), (err) => kindOf(err) === 'unavailable' && /HTTP 503/.test((err as Error).message));
  });

  test('a hanging Gitea times out', async () => {
    fake.mode = 'hang';
    const started = Date.now();
    await assert.rejects(gitea.getRepository('alice', 'project', 'alice-token'), (err) => kindOf(err) === 'unavailable' && /did not answer within 300 ms/.test((err as Error).message));
    assert.ok(Date.now() - started < 3000);
  });

  test('nothing listening is unavailable', async () => {
    const gone = await startFakeGitea();
    await gone.stop();
    await assert.rejects(new GiteaClient({ baseUrl: gone.url, timeoutMs: 1000 }).getRepository('a', 'b', undefined), (err) => kindOf(err) === 'unavailable' && /could not be reached/.test((err as Error).message));
  });

  test('a permission Gitea does not know is a bad response', async () => {
    const weird = new GiteaClient({ baseUrl: 'http://gitea.invalid', fetch: async () => new Response(JSON.stringify({ permission: 'superuser' }), { status: 200 }) });
    await assert.rejects(weird.collaboratorPermission('a', 'b', 'c', 't'), (err) => kindOf(err) === 'bad-response');
  });
});

test('listUserRepositories: what the token\'s user owns or collaborates on', async () => {
  const repos = await gitea.listUserRepositories('bob-token');
  assert.deepEqual(repos.map((r) => r.fullName).sort(), ['alice/project', 'bob/tools']);
  assert.ok(fake.requests.every((r) => r.authorization === 'token bob-token'));
});
