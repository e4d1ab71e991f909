/**
 * Durability: every write the control plane acknowledged survives SIGKILL of its process.
 * The control plane runs as a real `streamspace cluster` process on a data folder; the test writes
 * ConfigMaps as fast as it can, kills the process with SIGKILL while writes are in flight, starts
 * it again on the same folder and reads back every acknowledged object.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually } from '../support/control-plane.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/streamspace.js');

function startCluster(dataDir: string, kubeconfig: string): ChildProcess {
  fs.rmSync(kubeconfig, { force: true });
  return spawn(process.execPath, [BIN, 'cluster', '--data-dir', dataDir, '--port', '0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function clientFor(kubeconfig: string): Promise<k8s.CoreV1Api> {
  await eventually('kubeconfig written', () => fs.existsSync(kubeconfig) && fs.readFileSync(kubeconfig, 'utf8').includes('server:'), 20_000);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc.makeApiClient(k8s.CoreV1Api);
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

void describe('durability of the embedded control plane', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-durability-'));
  const dataDir = path.join(dir, 'data');
  const kubeconfig = path.join(dir, 'kubeconfig');
  let child: ChildProcess | undefined;
  after(async () => {
    child?.kill('SIGKILL');
    if (child) await exited(child);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  void it('keeps every acknowledged object through SIGKILL mid-write', async () => {
    child = startCluster(dataDir, kubeconfig);
    const core = await clientFor(kubeconfig);
    const acknowledged: string[] = [];
    let failures = 0;
    let stop = false;
    const writer = async (worker: number) => {
      for (let i = 0; !stop; i++) {
        const name = `cm-${worker}-${i}`;
        try {
          await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name }, data: { worker: String(worker), i: String(i) } } });
          acknowledged.push(name);
        } catch {
          failures++;
          return; // the server is gone
        }
      }
    };
    const writers = [0, 1, 2, 3].map((w) => writer(w));
    await eventually('some writes acknowledged', () => acknowledged.length >= 300, 30_000);
    child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await exited(child);
    assert.equal(child.signalCode, 'SIGKILL');

    child = startCluster(dataDir, kubeconfig);
    const after = await clientFor(kubeconfig);
    const list = await after.listNamespacedConfigMap({ namespace: 'default' });
    const present = new Set(list.items.map((c) => c.metadata!.name!));
    const missing = acknowledged.filter((n) => !present.has(n));
    assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged objects lost`);
    const one = await after.readNamespacedConfigMap({ namespace: 'default', name: acknowledged[acknowledged.length - 1] });
    assert.ok(one.data?.worker, 'object content survives too');
    // The revision counter continues: a new write gets a higher resourceVersion than anything before.
    const fresh = await after.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'after-restart' } } });
    const maxBefore = Math.max(...list.items.map((c) => Number(c.metadata!.resourceVersion)));
    assert.ok(Number(fresh.metadata!.resourceVersion) > maxBefore);
    assert.ok(failures <= 4);
  });
});
