import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { PidFiles, processStartTime } from './pid-files.ts';

void test('reapStale ends a recorded process group and ignores a record whose start time names another process', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pid-files-'));
  const pids = new PidFiles(dir);
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  pids.write({ pid: child.pid!, startTime: processStartTime(child.pid!)!, podUid: 'u1', container: 'c' });
  // Same pid, other start time: a reused pid, not ours.
  pids.write({ pid: process.pid, startTime: '1', podUid: 'u2', container: 'c' });
  assert.deepEqual(pids.reapStale(), [child.pid]);
  assert.equal(await exited, 'SIGKILL');
  assert.deepEqual(fs.readdirSync(path.join(dir, 'run')), [], 'the files are gone');
  fs.rmSync(dir, { recursive: true, force: true });
});
