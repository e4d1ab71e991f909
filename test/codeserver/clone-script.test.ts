/**
 * The clone script the repository init containers run, run here the same way (`sh -c <script>
 * clone-repository <step>`) against a real Git server: a repository made by the test, served by
 * `git http-backend` with Basic/token authentication. Proves the first clone, the fast-forward
 * on the next start, that local work is never overwritten, that the credential ends up in no
 * file, and that hostile names and URLs are refused before Git runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLONE_SCRIPT, parseCloneReport, type CloneReport, type CloneStep } from '../../src/controllers/session/repository-clone/clone-script.ts';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.ts';

const TOKEN = 'gitea-token-5f2b9c1e';

let tmp: string;
let upstream: string;
let server: GitHttpServer;
let cloneUrl: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd, encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' },
  }).trim();
}

/** Commits `file` with `content` upstream and pushes it to the served bare repository. */
function commitUpstream(file: string, content: string): string {
  fs.writeFileSync(path.join(upstream, file), content);
  git(upstream, 'add', file);
  git(upstream, 'commit', '-q', '-m', `add ${file}`);
  git(upstream, 'push', '-q', 'origin', 'main');
  return git(upstream, 'rev-parse', 'HEAD');
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  report?: CloneReport;
}

/** A pod's worth of folders: scratch (emptyDir), home (the PVC) and the termination log. */
interface Pod {
  scratch: string;
  home: string;
  log: string;
}

function newPod(name: string): Pod {
  const root = fs.mkdtempSync(path.join(tmp, `${name}-`));
  const pod = { scratch: path.join(root, 'scratch'), home: path.join(root, 'home'), log: path.join(root, 'termination-log') };
  fs.mkdirSync(pod.scratch);
  fs.mkdirSync(pod.home);
  return pod;
}

/**
 * Runs one step of the script exactly as the init container does, with only `env` set. Async:
 * the Git server answering it lives in this process.
 */
async function runStep(step: CloneStep, env: Record<string, string>): Promise<Run> {
  if (env.TERMINATION_LOG) fs.rmSync(env.TERMINATION_LOG, { force: true });
  const child = spawn('sh', ['-c', CLONE_SCRIPT, 'clone-repository', step], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [status] = await once(child, 'close') as [number | null];
  const report = env.TERMINATION_LOG && fs.existsSync(env.TERMINATION_LOG) ? parseCloneReport(fs.readFileSync(env.TERMINATION_LOG, 'utf8')) : undefined;
  return { status, stdout, stderr, report };
}

function repoEnv(pod: Pod, overrides: Record<string, string> = {}): Record<string, string> {
  return { REPO_OWNER: 'alice', REPO_NAME: 'project', CLONE_URL: cloneUrl, SCRATCH_DIR: pod.scratch, ...overrides };
}

/** Both steps, as the two init containers run them: only fetch gets the token. */
async function startPod(pod: Pod, overrides: Record<string, string> = {}): Promise<Run> {
  const fetch = await runStep('fetch', { ...repoEnv(pod, overrides), GIT_TOKEN: TOKEN, GIT_USERNAME: 'oauth2', GIT_CREDENTIAL_URL: server.url, ...overrides });
  assert.equal(fetch.status, 0, `fetch failed: ${fetch.stderr}`);
  const checkout = await runStep('checkout', { ...repoEnv(pod, overrides), WORKSPACE_ROOT: path.join(pod.home, 'workspace'), HOME_DIR: pod.home, TERMINATION_LOG: pod.log });
  fs.rmSync(pod.scratch, { recursive: true, force: true });
  fs.mkdirSync(pod.scratch);
  return checkout;
}

function checkoutOf(pod: Pod): string {
  return path.join(pod.home, 'workspace', 'alice', 'project');
}

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (fs.readFileSync(file).includes(needle)) hits.push(file);
  }
  return hits;
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clone-script-'));
  const served = path.join(tmp, 'served');
  fs.mkdirSync(path.join(served, 'alice'), { recursive: true });
  const bare = path.join(served, 'alice', 'project.git');
  git(tmp, 'init', '-q', '--bare', '-b', 'main', bare);
  upstream = path.join(tmp, 'upstream');
  git(tmp, 'clone', '-q', bare, upstream);
  git(upstream, 'checkout', '-q', '-b', 'main');
  commitUpstream('README.md', '# project\n');
  git(upstream, 'tag', 'v1');
  git(upstream, 'push', '-q', 'origin', 'v1');
  server = await startGitHttpServer({ projectRoot: served, token: TOKEN });
  cloneUrl = `${server.url}/alice/project.git`;
});

after(async () => {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('first start: clone', () => {
  test('clones into workspace/<owner>/<name>, reports the commit and home size, sends the token only when challenged', async () => {
    const pod = newPod('first');
    const seen = server.authorizations.length;
    const run = await startPod(pod);
    assert.equal(run.status, 0, run.stderr);
    const checkout = checkoutOf(pod);
    assert.equal(fs.readFileSync(path.join(checkout, 'README.md'), 'utf8'), '# project\n');
    assert.equal(run.report?.action, 'cloned');
    assert.equal(run.report?.commit, git(upstream, 'rev-parse', 'HEAD'));
    assert.ok((run.report?.usedBytes ?? 0) > 0, 'the home volume size is measured');
    assert.equal(git(checkout, 'rev-parse', '--abbrev-ref', '@{upstream}'), 'origin/main', 'main tracks origin/main, so the next start can fast-forward');

    const auth = server.authorizations.slice(seen);
    assert.equal(auth[0], undefined, 'the first request carries no credential');
    const expected = `Basic ${Buffer.from(`oauth2:${TOKEN}`).toString('base64')}`;
    assert.ok(auth.includes(expected), 'after the 401 challenge the token is sent as the Basic password');
  });

  test('the credential goes to the configured Git server only: not to another host a clone URL names', async () => {
    const pod = newPod('other-host');
    const seen = server.authorizations.length;
    // The clone URL is this server but the configured Git server is another host: no credential.
    const fetch = await runStep('fetch', { ...repoEnv(pod), GIT_TOKEN: TOKEN, GIT_USERNAME: 'oauth2', GIT_CREDENTIAL_URL: 'https://gitea.example.com' });
    assert.equal(fetch.status, 0, 'a failed fetch leaves a marker, it does not fail the pod');
    const auth = server.authorizations.slice(seen);
    assert.ok(!auth.some((a) => a?.includes(Buffer.from(`oauth2:${TOKEN}`).toString('base64'))), `the token was never sent: ${auth.join(',')}`);
    assert.ok(auth.length > 0, 'the server was asked and challenged');
  });

  test('the credential is in no file of the checkout (.git/config holds the plain clone URL)', async () => {
    const pod = newPod('secretless');
    assert.equal((await startPod(pod)).status, 0);
    const checkout = checkoutOf(pod);
    assert.equal(git(checkout, 'config', '--get', 'remote.origin.url'), cloneUrl);
    assert.deepEqual(filesContaining(path.join(checkout, '.git'), TOKEN), []);
    assert.deepEqual(filesContaining(pod.home, TOKEN), []);
    assert.doesNotMatch(fs.readFileSync(path.join(checkout, '.git', 'config'), 'utf8'), /credential|extraheader|oauth2/i);
  });

  test('GIT_REF checks out a tag on the first clone', async () => {
    const pod = newPod('ref');
    const tagged = git(upstream, 'rev-parse', 'v1');
    const run = await startPod(pod, { GIT_REF: 'v1' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(git(checkoutOf(pod), 'rev-parse', 'HEAD'), tagged);
  });

  test('a wrong token: the fetch leaves only a marker, and the first checkout fails saying so', async () => {
    const pod = newPod('denied');
    const fetch = await runStep('fetch', { ...repoEnv(pod), GIT_TOKEN: 'wrong-token' });
    assert.equal(fetch.status, 0, 'the fetch step leaves the decision to the checkout step');
    assert.match(fetch.stderr, /could not fetch/);
    assert.deepEqual(fs.readdirSync(pod.scratch), ['fetch-failed']);
    const checkout = await runStep('checkout', { ...repoEnv(pod), WORKSPACE_ROOT: path.join(pod.home, 'workspace'), TERMINATION_LOG: pod.log });
    assert.equal(checkout.status, 2);
    assert.match(checkout.stderr, /could not be fetched/);
  });

  test('the checkout step refuses to run without a fetched copy', async () => {
    const pod = newPod('nofetch');
    const run = await runStep('checkout', { ...repoEnv(pod), WORKSPACE_ROOT: path.join(pod.home, 'workspace') });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /nothing was fetched/);
  });

  test('a non-empty folder in the way is not overwritten', async () => {
    const pod = newPod('occupied');
    fs.mkdirSync(checkoutOf(pod), { recursive: true });
    fs.writeFileSync(path.join(checkoutOf(pod), 'notes.txt'), 'mine');
    const run = await startPod(pod);
    assert.equal(run.status, 2);
    assert.equal(fs.readFileSync(path.join(checkoutOf(pod), 'notes.txt'), 'utf8'), 'mine');
  });
});

describe('next start: pull', () => {
  test('fast-forwards to the new upstream commit, then reports up-to-date', async () => {
    const pod = newPod('pull');
    assert.equal((await startPod(pod)).status, 0);
    const head = commitUpstream('CHANGES.md', 'new upstream work\n');
    const pulled = await startPod(pod);
    assert.equal(pulled.status, 0, pulled.stderr);
    assert.equal(pulled.report?.action, 'pulled');
    assert.equal(pulled.report?.commit, head);
    assert.equal(fs.readFileSync(path.join(checkoutOf(pod), 'CHANGES.md'), 'utf8'), 'new upstream work\n');
    assert.deepEqual(filesContaining(pod.home, TOKEN), [], 'still no credential after a pull');
    const again = await startPod(pod);
    assert.equal(again.report?.action, 'up-to-date');
  });

  test('local commits are kept: the pull is reported failed and the pod still starts', async () => {
    const pod = newPod('diverged');
    assert.equal((await startPod(pod)).status, 0);
    const checkout = checkoutOf(pod);
    fs.writeFileSync(path.join(checkout, 'local.txt'), 'local work');
    git(checkout, 'add', 'local.txt');
    git(checkout, 'commit', '-q', '-m', 'local');
    const local = git(checkout, 'rev-parse', 'HEAD');
    commitUpstream('diverge.md', 'upstream moves on\n');
    const run = await startPod(pod);
    assert.equal(run.status, 0, 'a failed pull must not keep the workspace from starting');
    assert.equal(run.report?.action, 'failed');
    assert.match(run.report?.message ?? '', /cannot fast-forward/);
    assert.equal(git(checkout, 'rev-parse', 'HEAD'), local);
  });

  test('a fetch that fails (Gitea down, expired token) does not keep an existing workspace from starting', async () => {
    const pod = newPod('offline');
    assert.equal((await startPod(pod)).status, 0);
    const head = git(checkoutOf(pod), 'rev-parse', 'HEAD');
    const offline = { ...repoEnv(pod), CLONE_URL: `${server.url}/alice/gone.git` };
    assert.equal((await runStep('fetch', { ...offline, GIT_TOKEN: TOKEN })).status, 0);
    const run = await runStep('checkout', { ...repoEnv(pod), WORKSPACE_ROOT: path.join(pod.home, 'workspace'), TERMINATION_LOG: pod.log });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual([run.report?.action, run.report?.message], ['failed', 'could not fetch; the checkout was left as is']);
    assert.equal(git(checkoutOf(pod), 'rev-parse', 'HEAD'), head);
  });

  test('hooks planted in the checkout do not run during the pull', async () => {
    const pod = newPod('hooks');
    assert.equal((await startPod(pod)).status, 0);
    const checkout = checkoutOf(pod);
    const marker = path.join(tmp, 'hook-ran');
    fs.writeFileSync(path.join(checkout, '.git', 'hooks', 'post-merge'), `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
    commitUpstream('hooked.md', 'x\n');
    const run = await startPod(pod);
    assert.equal(run.report?.action, 'pulled');
    assert.equal(fs.existsSync(marker), false);
  });

  test('an origin pointing elsewhere is left alone', async () => {
    const pod = newPod('fork');
    assert.equal((await startPod(pod)).status, 0);
    git(checkoutOf(pod), 'remote', 'set-url', 'origin', 'https://example.invalid/fork.git');
    const run = await startPod(pod);
    assert.equal(run.report?.action, 'skipped');
    assert.equal(git(checkoutOf(pod), 'config', '--get', 'remote.origin.url'), 'https://example.invalid/fork.git');
  });
});

describe('hostile input is refused before Git runs', () => {
  const marker = () => path.join(tmp, 'pwned');
  const cases: [string, Record<string, string>][] = [
    ['owner with $(...)', { REPO_OWNER: '$(touch MARK)' }],
    ['name with backticks', { REPO_NAME: '`touch MARK`' }],
    ['name with ;', { REPO_NAME: 'x;touch MARK' }],
    ['name with a space', { REPO_NAME: 'my project' }],
    ['name ..', { REPO_NAME: '..' }],
    ['owner with a slash', { REPO_OWNER: '../../etc' }],
    ['name starting with -', { REPO_NAME: '--upload-pack=touch MARK' }],
    ['file:// URL', { CLONE_URL: 'file:///etc' }],
    ['ext:: URL', { CLONE_URL: 'ext::sh -c touch% MARK' }],
    ['ssh URL', { CLONE_URL: 'ssh://git@example.com/a/b.git' }],
    ['URL with credentials', { CLONE_URL: 'http://user:secret@127.0.0.1/a/b.git' }],
    ['URL with a space', { CLONE_URL: 'http://127.0.0.1/a b.git' }],
    ['URL with $(...)', { CLONE_URL: 'http://127.0.0.1/$(touch MARK)' }],
    ['ref starting with -', { GIT_REF: '--orphan=x' }],
    ['ref with ..', { GIT_REF: 'main/../../x' }],
  ];
  for (const [what, overrides] of cases) {
    test(what, async () => {
      const pod = newPod('hostile');
      const env = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, v.replaceAll('MARK', marker())]));
      for (const step of ['fetch', 'checkout'] as const) {
        const run = await runStep(step, { ...repoEnv(pod, env), GIT_TOKEN: TOKEN, WORKSPACE_ROOT: path.join(pod.home, 'workspace') });
        assert.equal(run.status, 2, `${step}: ${run.stderr}`);
        assert.match(run.stderr, /REPO_OWNER|REPO_NAME|CLONE_URL|GIT_REF/);
      }
      assert.equal(fs.existsSync(marker()), false);
      assert.deepEqual(fs.readdirSync(pod.scratch), []);
    });
  }
});
