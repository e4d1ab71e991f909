/**
 * A write is acknowledged only once it is on disk: a control plane on a data folder, observed at
 * its file-system boundary (a wrapper of node:fs that records each log append and each completed
 * fdatasync, as strace would), answers each of a run of sequential creates over HTTPS only after a
 * sync that completed after the create's record was appended. With `fsync: false` (`--no-sync`),
 * nothing is synced.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { nodeFiles, type LogFiles } from '../../src/controlplane/storage/files.ts';
import { startTestCluster, type TestCluster } from '../support/control-plane.ts';

/** node:fs, recording appends, completed syncs and (from the test) acknowledgements in one timeline. */
function recordingFiles(timeline: string[]): LogFiles {
  return {
    ...nodeFiles,
    append(fd, data) {
      nodeFiles.append(fd, data);
      timeline.push('append');
    },
    async datasync(fd) {
      await nodeFiles.datasync(fd);
      timeline.push('synced');
    },
  };
}

/** Creates `count` ConfigMaps one after another, noting each acknowledgement in the timeline. */
async function sequentialCreates(cluster: TestCluster, timeline: string[], count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await cluster.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `ack-${i}` }, data: { i: String(i) } } });
    timeline.push('ack');
  }
}

describe('write acknowledgement and fdatasync', () => {
  const dirs: string[] = [];
  const clusters: TestCluster[] = [];
  after(async () => {
    for (const c of clusters) await c.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  async function start(fsync: boolean | undefined, timeline: string[]): Promise<TestCluster> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-ack-'));
    dirs.push(dataDir);
    const cluster = await startTestCluster({ dataDir, fsync, storageFiles: recordingFiles(timeline), simulation: { nodes: 0 } });
    clusters.push(cluster);
    return cluster;
  }

  it('answers each sequential create only after a sync that follows its record (sync on by default)', async () => {
    const timeline: string[] = [];
    const cluster = await start(undefined, timeline);
    const from = timeline.length;
    await sequentialCreates(cluster, timeline, 30);
    const events = timeline.slice(from);
    let appendedSinceAck = false;
    let syncedSinceAppend = false;
    let acks = 0;
    for (const e of events) {
      if (e === 'append') [appendedSinceAck, syncedSinceAppend] = [true, false];
      else if (e === 'synced') syncedSinceAppend = true;
      else {
        acks++;
        assert.ok(appendedSinceAck, `acknowledgement ${acks} follows its record`);
        assert.ok(syncedSinceAppend, `acknowledgement ${acks} follows a completed sync of its record`);
        appendedSinceAck = false;
      }
    }
    assert.equal(acks, 30);
  });

  it('never syncs with fsync off (--no-sync), yet still appends every write', async () => {
    const timeline: string[] = [];
    const cluster = await start(false, timeline);
    await sequentialCreates(cluster, timeline, 10);
    assert.equal(timeline.filter((e) => e === 'synced').length, 0);
    assert.ok(timeline.filter((e) => e === 'append').length >= 10);
  });
});
