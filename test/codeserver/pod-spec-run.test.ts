/**
 * The generated pod spec, taken at its word: the Session controller's Deployment for a
 * code-server session (desiredDeployment, with the repository init containers added as the
 * controller adds them), its init containers then run here the way a kubelet would (their
 * command and args, their env with secretKeyRefs resolved from the credential Secret, their
 * mount paths mapped to folders). Hostile owners, names and URLs (as kubectl could write them,
 * past the API's validation) reach the script only as environment values, where it refuses
 * them; a benign one clones from a real Git server with the token from the Secret.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import type { Template } from '../../src/apis/stream/v1alpha1/template.ts';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { desiredDeployment, HOME_VOLUME, SESSION_CONTAINER } from '../../src/controllers/session/deployment.ts';
import { defaultSettings } from '../../src/controllers/settings.ts';
import { CLONE_SCRIPT, parseCloneReport } from '../../src/controllers/session/repository-clone/clone-script.ts';
import { repositoryCredentialSecret } from '../../src/codeserver/credential-secret.ts';
import { withRepositoryClone } from '../../src/controllers/session/repository-clone/init-container.ts';
import { startGitHttpServer, type GitHttpServer } from './git-http-server.ts';

const TEMPLATE = load(fs.readFileSync(new URL('../../deploy/templates/code-server.yaml', import.meta.url), 'utf8')) as Template;
const TOKEN = 'pod-spec-token-77aa';

let tmp: string;
let server: GitHttpServer;

function session(repository: NonNullable<Session['spec']['repository']>): Session {
  return {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session',
    metadata: { name: 'code-server-alice-x-0123456789', namespace: 'devs', uid: 'uid-9' },
    spec: { user: 'alice', template: 'code-server', repository },
  };
}

/** The Deployment's pod spec, as the wired controller builds it. */
function podSpecOf(s: Session, gitServerUrl?: string): any {
  const settings = { ...defaultSettings(), gitServerUrl };
  const deployment = desiredDeployment({ session: s, template: { ...TEMPLATE, metadata: { ...TEMPLATE.metadata, namespace: 'devs' } }, settings }, 1);
  const spec = deployment.spec.template.spec;
  const homeMountPath = TEMPLATE.spec.homeMountPath!;
  return withRepositoryClone(spec, s, { homeVolume: HOME_VOLUME, homeMountPath, sessionContainer: SESSION_CONTAINER, gitServerUrl });
}

/** The value of an env entry, resolving secretKeyRef from `secret`. */
function envValue(entry: any, secret: KubeObject): string {
  if (entry.value !== undefined) return entry.value;
  const ref = entry.valueFrom.secretKeyRef;
  assert.equal(ref.name, secret.metadata.name);
  return Buffer.from(secret.data[ref.key], 'base64').toString();
}

/** Runs an init container locally: its command, args and env; mount paths moved under `root`. */
async function runInit(container: any, secret: KubeObject, root: string): Promise<{ status: number | null; stderr: string; log: string }> {
  const mounts: string[] = (container.volumeMounts ?? []).map((m: any) => m.mountPath);
  const remap = (value: string) => mounts.reduce((v, m) => (v === m || v.startsWith(`${m}/`) ? path.join(root, v) : v), value);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const entry of container.env) env[entry.name] = remap(envValue(entry, secret));
  env.HOME = root;
  env.TERMINATION_LOG = path.join(root, 'termination-log');
  for (const m of mounts) fs.mkdirSync(path.join(root, m), { recursive: true });
  const child = spawn(container.command[0], [...container.command.slice(1), ...container.args], { env });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const [status] = await once(child, 'close') as [number | null];
  const log = fs.existsSync(env.TERMINATION_LOG) ? fs.readFileSync(env.TERMINATION_LOG, 'utf8') : '';
  return { status, stderr, log };
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pod-spec-run-'));
  const served = path.join(tmp, 'served', 'alice');
  fs.mkdirSync(served, { recursive: true });
  const work = path.join(tmp, 'work');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: tmp, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });
  fs.mkdirSync(work);
  git(work, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(work, 'hello.txt'), 'hello\n');
  git(work, 'add', '.');
  git(work, 'commit', '-q', '-m', 'init');
  git(tmp, 'clone', '-q', '--bare', work, path.join(served, 'project.git'));
  server = await startGitHttpServer({ projectRoot: path.join(tmp, 'served'), token: TOKEN });
});

after(async () => {
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a benign session: both init containers run as specified and clone with the Secret\'s token', async () => {
  const s = session({ owner: 'alice', name: 'project', cloneURL: `${server.url}/alice/project.git` });
  // The configured Git server is the one cloned from: its credential may go there.
  const spec = podSpecOf(s, server.url);
  const secret = repositoryCredentialSecret(s, TOKEN);
  const root = fs.mkdtempSync(path.join(tmp, 'pod-'));
  const [fetch, checkout] = spec.initContainers;
  assert.equal((await runInit(fetch, secret, root)).status, 0);
  const done = await runInit(checkout, secret, root);
  assert.equal(done.status, 0, done.stderr);
  assert.equal(parseCloneReport(done.log)?.action, 'cloned');
  const checkoutDir = path.join(root, '/home/coder/workspace/alice/project');
  assert.equal(fs.readFileSync(path.join(checkoutDir, 'hello.txt'), 'utf8'), 'hello\n');
  assert.equal(fs.readFileSync(path.join(checkoutDir, '.git', 'config'), 'utf8').includes(TOKEN), false);
  assert.ok(spec.containers[0].volumeMounts.some((m: any) => m.name === HOME_VOLUME && m.mountPath === '/home/coder'), 'the editor sees the same home');
});

describe('hostile repository values are passed as env values and refused by the script', () => {
  const marker = () => path.join(tmp, 'pwned');
  const cases: [string, Partial<NonNullable<Session['spec']['repository']>>][] = [
    ['; in the name', { name: 'x;touch MARK' }],
    ['$(...) in the owner', { owner: '$(touch MARK)' }],
    ['backticks in the name', { name: '`touch MARK`' }],
    ['spaces in the name', { name: 'a b' }],
    ['.. as the name', { name: '..' }],
    ['a file:// clone URL', { cloneURL: 'file:///etc' }],
    ['an ext:: clone URL', { cloneURL: 'ext::sh -c touch% MARK' }],
    ['$(...) in the clone URL', { cloneURL: 'http://127.0.0.1/$(touch MARK).git' }],
    ['an option as the ref', { ref: '--upload-pack=touch MARK' }],
  ];
  for (const [what, hostile] of cases) {
    test(what, async () => {
      const repository = { owner: 'alice', name: 'project', cloneURL: `${server.url}/alice/project.git`, ...hostile };
      for (const key of Object.keys(hostile) as (keyof typeof repository)[]) repository[key] = repository[key]!.replaceAll('MARK', marker());
      const s = session(repository);
      const spec = podSpecOf(s);
      const secret = repositoryCredentialSecret(s, TOKEN);
      const root = fs.mkdtempSync(path.join(tmp, 'hostile-'));
      for (const container of spec.initContainers) {
        // The pod spec: the constant script and step as command and args; the hostile text only as an env value, verbatim.
        assert.deepEqual(container.command, ['/bin/sh', '-c', CLONE_SCRIPT, 'clone-repository']);
        assert.ok(container.args.length === 1 && ['fetch', 'checkout'].includes(container.args[0]));
        for (const value of Object.values(hostile)) {
          const text = value!.replaceAll('MARK', marker());
          assert.ok(container.env.some((e: any) => e.value === text), `${container.name} carries it as an env value`);
        }
        const run = await runInit(container, secret, root);
        assert.equal(run.status, 2, `${container.name}: ${run.stderr}`);
      }
      assert.equal(fs.existsSync(marker()), false);
    });
  }
});
