import assert from 'node:assert/strict';
import test from 'node:test';
import { groupAlive, LocalProcess } from './local-process.ts';

const env = { PATH: '/usr/bin:/bin' };

void test('stop: SIGTERM first; a process that exits on it ends with 143', async () => {
  const lines: string[] = [];
  const p = new LocalProcess({ argv: ['/bin/sleep', '30'], env, cwd: '/' }, (l) => lines.push(l), () => undefined);
  const exit = await p.stop(10_000);
  assert.equal(exit.signal, 'SIGTERM');
  assert.equal(exit.code, 143);
});

void test('stop: SIGKILL after the grace period for a process that ignores SIGTERM, and its whole group goes', async () => {
  const lines: string[] = [];
  // The script ignores TERM, starts a helper in its group, and says when it is ready.
  const script = 'trap "" TERM; sleep 30 & echo ready; wait';
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  const p = new LocalProcess({ argv: ['/bin/bash', '-c', script], env, cwd: '/' }, (l) => {
    lines.push(l);
    if (l === 'ready') ready();
  }, () => undefined);
  await started;
  const t = Date.now();
  const exit = await p.stop(300);
  assert.ok(Date.now() - t >= 250, 'it waited for the grace period');
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(exit.code, 137);
  // The helper is not our child: no exit event to await, so look until it is gone (SIGKILL is not ignorable).
  const deadline = Date.now() + 5000;
  while (groupAlive(p.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(groupAlive(p.pid), false, 'no member of its process group is left');
});

void test('output lines are reported and the exit code of a failing program is kept', async () => {
  const lines: string[] = [];
  let bothLines!: () => void;
  const read = new Promise<void>((r) => (bothLines = r));
  const done = new Promise<number>((resolve) => {
    new LocalProcess({ argv: ['/bin/bash', '-c', 'echo out; echo err >&2; exit 3'], env, cwd: '/' }, (l) => {
      lines.push(l);
      if (lines.length === 2) bothLines();
    }, (e) => resolve(e.code));
  });
  assert.equal(await done, 3);
  await read;
  assert.deepEqual(lines.sort(), ['err', 'out']);
});
