/**
 * SIGKILL of `streamspace up` with two local sessions running: the processes it started are found
 * by their pid files on the next start and ended (no orphan is left), and both sessions come back
 * Running with new processes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/control-plane.ts';
import { alive, pidOf, Platform, processesOfPodIP } from './platform.ts';

void describe('streamspace-local runtime: SIGKILL of the platform', () => {
  // Without webhooks: `streamspace up` writes its templates before its webhook server listens, so a
  // restart on a data folder with registered webhooks fails (a bug of `up` outside this runtime).
  const platform = new Platform({ STREAMSPACE_WEBHOOKS: 'false' });
  before(() => platform.start());
  after(() => platform.dispose());

  void it('leaves no orphan and brings both sessions back Running after a restart', async () => {
    const names: string[] = [];
    for (const template of ['local-notes', 'local-desktop']) {
      const created = await platform.api('POST', '/api/v1/sessions', { template });
      assert.equal(created.status, 202);
      names.push(created.json.metadata.name);
    }
    const pods = [];
    for (const name of names) pods.push(await platform.readyPod(name));
    const before = new Map<number, string>();
    for (const p of pods) {
      const found = processesOfPodIP(p.status.podIP);
      assert.ok(found.size > 0, `processes of pod ${p.metadata.name}`);
      for (const [pid, cmd] of found) before.set(pid, cmd);
    }
    assert.ok([...before.values()].some((cmd) => cmd.startsWith('Xvfb')), [...before.values()].join(' | '));

    await platform.stop('SIGKILL');
    // The platform is gone; its workspace processes are still there until the next start ends them.
    assert.ok([...before.keys()].some(alive), 'processes outlive a SIGKILL of the platform');
    await platform.start();
    await eventually('every process of the killed platform ended', () => [...before.keys()].every((pid) => !alive(pid)), 60_000);
    for (const name of names) await platform.phase(name, 'Running');
    for (const name of names) {
      const pod = await platform.readyPod(name);
      assert.ok(!before.has(pidOf(pod)), 'a new process');
      assert.ok(alive(pidOf(pod)));
    }
  });
});
