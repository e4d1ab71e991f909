/**
 * The simulated cluster across a restart on the same data folder: nodes, pods and their status
 * are taken over as they were (no new pods, no duplicate nodes), controllers carry on from there,
 * and a running container's log is still served.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { eventually, rawRequest, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { conditionOf, deployment, MERGE_PATCH, podsOf } from './cluster-fixtures.ts';

describe('simulated cluster restart', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-sim-restart-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const readyCount = async (c: TestCluster) => (await podsOf(c, 'default', 'keep')).filter((p) => conditionOf(p, 'Ready')?.status === 'True').length;

  it('picks up the state it left', async () => {
    const first = await startTestCluster({ dataDir });
    let before: string[];
    try {
      await first.apps.createNamespacedDeployment({ namespace: 'default', body: deployment('keep', 2) });
      await eventually('two ready', async () => (await readyCount(first)) === 2);
      before = (await podsOf(first, 'default', 'keep')).map((p) => p.metadata!.uid!).sort();
    } finally {
      await first.stop();
    }

    const second = await startTestCluster({ dataDir });
    try {
      assert.deepEqual((await second.core.listNode()).items.map((n) => n.metadata?.name), ['node-1', 'node-2', 'node-3']);
      const pods = await podsOf(second, 'default', 'keep');
      assert.deepEqual(pods.map((p) => p.metadata!.uid!).sort(), before);
      assert.equal(await readyCount(second), 2);
      const log = await rawRequest(second.cp, 'GET', `/api/v1/namespaces/default/pods/${pods[0].metadata!.name}/log`);
      assert.equal(log.status, 200);
      assert.match(log.text, /Started container main/);

      await second.apps.patchNamespacedDeploymentScale({ namespace: 'default', name: 'keep', body: { spec: { replicas: 3 } } }, MERGE_PATCH);
      await eventually('three ready after restart', async () => (await readyCount(second)) === 3);
      const uids = (await podsOf(second, 'default', 'keep')).map((p) => p.metadata!.uid!);
      assert.ok(before.every((u) => uids.includes(u)), 'the old pods stay');
    } finally {
      await second.stop();
    }
  });
});
