/**
 * The production form of the platform: `npm run build` compiles src/ to dist/, and the compiled
 * controller, run as the README says production runs it, reconciles a session to Running
 * against the embedded control plane.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { ensureNamespace, installCrds } from '../../src/controllers/install.ts';
import { SessionKind, streamspaceResources, TemplateKind } from '../../src/controllers/kinds.ts';
import { KubeClient } from '../../src/runtime/client.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DIST = path.join(ROOT, 'dist');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run build', () => {
  let cluster: TestCluster | undefined;
  let controller: ChildProcess | undefined;

  before(() => {
    const build = run(['scripts/build.ts']);
    assert.equal(build.status, 0, build.stderr);
  });

  after(async () => {
    controller?.kill('SIGKILL');
    await cluster?.stop();
  });

  it('emits JavaScript only, importing no TypeScript file', () => {
    const files = fs.readdirSync(DIST, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    assert.ok(files.includes(path.join('cli', 'main.js')));
    const importsTs = files.filter((f) => /from '[^']+\.ts'|import\('[^']+\.ts'\)/.test(fs.readFileSync(path.join(DIST, f), 'utf8')));
    assert.deepEqual(importsTs, []);
    assert.ok(fs.existsSync(path.join(DIST, 'controllers', 'session', 'repository-clone', 'clone-script.sh')), 'run-time assets copied');
  });

  it('prints the same CRDs as the sources', () => {
    const compiled = run(['dist/cli/main.js', 'crds']);
    const source = run(['bin/streamspace.js', 'crds']);
    assert.equal(compiled.status, 0, compiled.stderr);
    assert.equal(compiled.stdout, source.stdout);
  });

  it('runs the controller with the production flags: a session reaches Running', async () => {
    cluster = await startTestCluster();
    const api = new KubeClient({ kubeConfig: cluster.kc, fieldManager: 'build-test', resources: streamspaceResources() });
    await installCrds(api);
    await ensureNamespace(api, 'prod');
    await api.create({ ...TemplateKind, metadata: { name: 'desktop', namespace: 'prod' }, spec: { baseImage: 'lscr.io/linuxserver/webtop:latest', vnc: { enabled: true, port: 3000 } } });
    const args = ['--max-semi-space-size=4', 'dist/cli/main.js', 'controller', '--kubeconfig', cluster.kubeconfigPath,
      '--metrics-port', '0', '--metrics-bind-address', '127.0.0.1', '--no-leader-elect'];
    controller = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, STREAMSPACE_WEBHOOKS: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    controller.stdout!.on('data', (d) => (out += String(d)));
    const url = await eventually('the controller serving /metrics', () => /\/metrics at (http:\/\/\S+);/.exec(out)?.[1], 30_000);
    await api.create({ ...SessionKind, metadata: { name: 's1', namespace: 'prod' }, spec: { user: 'alice', template: 'desktop' } });
    await eventually('the session Running', async () => (await api.get<Session>(SessionKind, { namespace: 'prod', name: 's1' })).status?.phase === 'Running', 30_000);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
  });
});
