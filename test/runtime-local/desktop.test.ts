/**
 * The built-in `local-desktop` session end to end: created through the API, its pod runs Xvfb,
 * twm, xterm and x11vnc as local processes; the test speaks RFB to the pod's address (handshake,
 * ServerInit with a real framebuffer size, a first framebuffer update), types a command into the
 * terminal with key events and finds the file it wrote in the home folder.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/control-plane.ts';
import { Platform, processesOfPodIP } from './platform.ts';
import { RfbClient } from './rfb.ts';

void describe('streamspace-local runtime: the Linux desktop', () => {
  const platform = new Platform();
  before(() => platform.start());
  after(() => platform.dispose());

  void it('serves RFB on the pod address, and keys typed into the terminal run in $HOME', async () => {
    const created = await platform.api('POST', '/api/v1/sessions', { template: 'local-desktop' });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const name = created.json.metadata.name;
    await platform.phase(name, 'Running');
    const pod = await platform.readyPod(name);
    assert.match(pod.status.podIP, /^127\.77\./);
    let rfb = await RfbClient.connect(pod.status.podIP, 5900);
    try {
      assert.equal(rfb.init.width, 1280);
      assert.equal(rfb.init.height, 800);
      assert.ok((await rfb.firstFramebufferUpdate()) > 0, 'a framebuffer update with rectangles');
      const claimName = pod.spec.volumes.find((v: any) => v.persistentVolumeClaim).persistentVolumeClaim.claimName;
      const claim = JSON.parse(await platform.kubectl.ok(['get', 'pvc', '-n', 'streamspace', claimName, '-o', 'json']));
      const typed = path.join(platform.dataDir, 'local-runtime', 'claims', claim.metadata.uid, 'typed.txt');
      // The pointer over the terminal gives it the keyboard (twm focus follows the pointer).
      // The terminal may still be starting (keys before its window maps are lost): type again,
      // at most once a second, until the file holds what was typed.
      let typedAt = 0;
      await eventually(`typed.txt written by the terminal of ${pod.metadata.name}`, async () => {
        if (fs.existsSync(typed) && fs.readFileSync(typed, 'utf8') === 'hello\n') return true;
        if (Date.now() - typedAt >= 1000) {
          // A desktop restarted under load closes the connection: reconnect (the pod keeps its address).
          if (rfb.isClosed) rfb = await RfbClient.connect(pod.status.podIP, 5900);
          rfb.pointer(300, 200);
          rfb.type('echo hello > ~/typed.txt');
          typedAt = Date.now();
        }
        return false;
      }, 60_000).catch(async (err: Error) => {
        // Say what ran and what the desktop printed, to tell a lost focus from a missing terminal.
        const logs = await platform.kubectl.run(['logs', '-n', 'streamspace', pod.metadata.name]);
        const procs = [...processesOfPodIP(pod.status.podIP).values()].join(' | ');
        throw new Error(`${err.message}\nprocesses: ${procs}\nlogs: ${logs.stdout.slice(-2000)}\nfile: ${fs.existsSync(typed) ? fs.readFileSync(typed, 'utf8') : '(none)'}`);
      });
    } finally {
      rfb.close();
    }
  });
});
