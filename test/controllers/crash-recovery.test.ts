/**
 * A controller killed in the middle of reconciling converges after a restart, with exactly one
 * Deployment, Service and Ingress per session: the `streamspace controller` command runs as a
 * child process, Deployment writes are slowed down by an injected fault so the kill lands after
 * the finalizer and home claim but before the Deployment, the process gets SIGKILL, and a fresh
 * controller takes over. Children have names derived from the session and are written with
 * server-side apply, so a write that was in flight when the process died cannot produce a twin.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { ClaimKind, DeploymentKind, IngressKind, ServiceKind, SessionKind } from '../../src/controllers/kinds.ts';
import { homeClaimName, LABELS, SESSION_FINALIZER } from '../../src/apis/stream/v1alpha1/naming.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import {
  createSession, createTemplate, listOf, read, startControllerCluster, startControllers, waitForPhase,
  type ControllerTestCluster, type RunningControllers,
} from './support.ts';

const NS = 'team';
const SESSIONS = ['crash-a', 'crash-b', 'crash-c'];
const BIN = path.resolve(import.meta.dirname, '../../bin/streamspace.js');

let cluster: ControllerTestCluster;
let restarted: RunningControllers | undefined;
let child: ChildProcess | undefined;

before(async () => {
  cluster = await startControllerCluster([NS]);
  await createTemplate(cluster.api, NS, 'firefox');
});

after(async () => {
  child?.kill('SIGKILL');
  await restarted?.stop();
  await cluster.stop();
});

/** Starts `streamspace controller` against the test cluster; resolves with its endpoint URL. */
async function startControllerProcess(): Promise<{ process: ChildProcess; url: string }> {
  const args = [BIN, 'controller', '--kubeconfig', cluster.kubeconfigPath, '--metrics-port', '0', '--metrics-bind-address', '127.0.0.1', '--no-leader-elect'];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  proc.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const url = await eventually('the controller to serve its endpoint', () => /\/metrics at (http:\/\/\S+);/.exec(output)?.[1], 20_000)
    .catch((err: unknown) => { throw new Error(`${String(err)}\n${output}`); });
  return { process: proc, url };
}

async function httpStatus(url: string): Promise<number> {
  return (await fetch(url)).status;
}

test('a controller killed mid-reconcile converges after restart with no duplicate children', async () => {
  const started = await startControllerProcess();
  child = started.process;
  assert.equal(await httpStatus(`${started.url}/healthz`), 200);
  await eventually('/readyz once the caches synced', async () => (await httpStatus(`${started.url}/readyz`)) === 200);
  assert.match(await (await fetch(`${started.url}/metrics`)).text(), /^process_resident_memory_bytes \d+/m);

  await rawRequest(cluster.cp, 'PUT', '/debug/faults', { rules: [{ verb: 'patch', resource: 'deployments', latencyMs: 1500 }] });
  for (const [i, name] of SESSIONS.entries()) await createSession(cluster.api, NS, name, { user: `crash-user-${i}`, template: 'firefox' });
  await eventually('every session mid-reconcile: finalizer and home claim written', async () => {
    for (const [i, name] of SESSIONS.entries()) {
      const s = await read<Session>(cluster.api, SessionKind, NS, name);
      if (!s?.metadata.finalizers?.includes(SESSION_FINALIZER)) return false;
      if (!(await read(cluster.api, ClaimKind, NS, homeClaimName(`crash-user-${i}`)))) return false;
    }
    return true;
  });
  assert.equal((await listOf(cluster.api, DeploymentKind, NS)).length, 0, 'killed before any Deployment write completed');
  child.kill('SIGKILL');
  await new Promise((resolve) => child!.once('exit', resolve));
  await rawRequest(cluster.cp, 'PUT', '/debug/faults', { rules: [] });

  restarted = startControllers(cluster);
  for (const name of SESSIONS) await waitForPhase(cluster.api, NS, name, 'Running');
  for (const name of SESSIONS) {
    for (const kind of [DeploymentKind, ServiceKind, IngressKind]) {
      const owned = await listOf(cluster.api, kind, NS, `${LABELS.session}=${name}`);
      assert.deepEqual(owned.map((o) => o.metadata.name), [`ss-${name}`], `exactly one ${kind.kind} for ${name}`);
    }
  }
  assert.equal((await listOf(cluster.api, ClaimKind, NS)).length, SESSIONS.length, 'one home claim per user');
});
