import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageReferenceProblem, parseImageReference } from './image-reference.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

void test('parses name, tag and digest', () => {
  assert.deepEqual(parseImageReference('ubuntu'), { name: 'ubuntu' });
  assert.deepEqual(parseImageReference('codercom/code-server:4.96.4'), { name: 'codercom/code-server', tag: '4.96.4' });
  assert.deepEqual(parseImageReference('lscr.io/linuxserver/firefox:latest'), { name: 'lscr.io/linuxserver/firefox', tag: 'latest' });
  assert.deepEqual(parseImageReference('localhost:5000/team/app:v1.2_RC-3'), { name: 'localhost:5000/team/app', tag: 'v1.2_RC-3' });
  assert.deepEqual(parseImageReference(`ghcr.io/org/img@${DIGEST}`), { name: 'ghcr.io/org/img', digest: DIGEST });
  assert.deepEqual(parseImageReference(`img:1.0@${DIGEST}`), { name: 'img', tag: '1.0', digest: DIGEST });
  assert.deepEqual(parseImageReference('[::1]:5000/foo'), { name: '[::1]:5000/foo' });
});

void test('accepts the path separators of the grammar', () => {
  for (const ok of ['a_b', 'a__b', 'a.b', 'a-b', 'a---b', 'Registry.Example.com/ns/a']) {
    assert.equal(imageReferenceProblem(ok), undefined, ok);
  }
});

void test('rejects malformed references with the reason', () => {
  const cases: Array<[string, string]> = [
    ['', 'repository name must have at least one component'],
    ['Ubuntu', 'repository name must be lowercase'],
    ['docker.io/Library/ubuntu:22.04', 'repository name must be lowercase'],
    ['ubuntu:', 'invalid reference format'],
    [':latest', 'invalid reference format'],
    ['-ubuntu', 'invalid reference format'],
    ['a___b', 'invalid reference format'],
    ['foo//bar', 'invalid reference format'],
    ['foo bar', 'invalid reference format'],
    ['ubuntu@sha256:abc', 'invalid reference format'],
    [`ubuntu:${'t'.repeat(129)}`, 'invalid reference format'],
    ['ubuntu:.hidden', 'invalid reference format'],
    [`${'a'.repeat(256)}`, 'repository name must not be more than 255 characters'],
  ];
  for (const [ref, problem] of cases) assert.equal(imageReferenceProblem(ref), problem, ref);
  assert.throws(() => parseImageReference('UPPER'), /must be lowercase/);
});
