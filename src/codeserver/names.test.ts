import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertCloneUrl, assertRepositoryNames, cloneUrlProblem, InvalidRepositoryError, ownerNameProblem, refProblem, repositoryNameProblem } from './names.ts';

test('Gitea names: letters, digits, _ . - only; not . or ..; no leading -', () => {
  for (const ok of ['alice', 'my-org', 'repo_1', 'v1.2', 'A.b-C_d', '.hidden']) {
    assert.equal(repositoryNameProblem(ok), undefined, ok);
    assert.equal(ownerNameProblem(ok), undefined, ok);
  }
  const bad = ['', '.', '..', '-rf', 'a b', 'a;b', '$(id)', '`id`', 'a/b', '../x', 'a\nb', 'ünïcode', 'x|y', 'a&b', "o'neil"];
  for (const name of bad) {
    assert.ok(repositoryNameProblem(name), `repo ${JSON.stringify(name)}`);
    assert.ok(ownerNameProblem(name), `owner ${JSON.stringify(name)}`);
  }
  assert.match(repositoryNameProblem('thing.git')!, /\.git/);
  assert.match(ownerNameProblem('x'.repeat(41))!, /at most 40/);
  assert.match(repositoryNameProblem('x'.repeat(101))!, /at most 100/);
});

test('assertRepositoryNames names the bad field', () => {
  assert.throws(() => assertRepositoryNames('a;b', 'ok'), (err: unknown) => err instanceof InvalidRepositoryError && err.field === 'repoOwner' && /invalid repository owner "a;b"/.test(err.message));
  assert.throws(() => assertRepositoryNames('ok', '..'), (err: unknown) => err instanceof InvalidRepositoryError && err.field === 'repoName');
  assert.doesNotThrow(() => assertRepositoryNames('alice', 'project'));
});

test('refs: branch, tag and commit forms pass; option-like and parent-walking forms do not', () => {
  for (const ok of ['main', 'feature/x', 'v1.0.0', '0123abcd', 'release-2024_01']) assert.equal(refProblem(ok), undefined, ok);
  for (const bad of ['', '-b', '--orphan', '/abs', 'a/', 'a/../b', 'a//b', 'a b', 'a;b', '$(x)', 'a:b']) assert.ok(refProblem(bad), bad);
});

test('clone URLs: http(s) only, no credentials, no whitespace or control characters', () => {
  assert.equal(cloneUrlProblem('https://gitea.example.com/alice/project.git'), undefined);
  assert.equal(cloneUrlProblem('http://gitea:3000/alice/project.git'), undefined);
  assert.match(cloneUrlProblem('file:///etc/passwd')!, /http or https, not file/);
  assert.match(cloneUrlProblem('ext::sh -c id')!, /spaces/);
  assert.match(cloneUrlProblem('ssh://git@host/a/b.git')!, /not ssh/);
  assert.match(cloneUrlProblem('git://host/a/b.git')!, /not git/);
  assert.match(cloneUrlProblem('https://user:pw@host/a.git')!, /credentials/);
  assert.match(cloneUrlProblem('https://token@host/a.git')!, /credentials/);
  assert.match(cloneUrlProblem('https://host/a\tb.git')!, /control/);
  assert.match(cloneUrlProblem('https://host/a\x00.git')!, /control/);
  assert.match(cloneUrlProblem('not a url')!, /spaces/);
  assert.match(cloneUrlProblem('nope')!, /not a URL/);
  assert.throws(() => assertCloneUrl('file:///x'), /invalid clone URL/);
});
