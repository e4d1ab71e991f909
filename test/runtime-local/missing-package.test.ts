/**
 * A local desktop whose programs are not installed: the runtime installs nothing itself; the
 * session fails with a condition and an Event that name the Debian packages to install.
 * STREAMSPACE_LOCAL_PROGRAM_PATH points the runtime at an empty folder to play a bare machine.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../support/control-plane.ts';
import { Platform } from './platform.ts';

void describe('streamspace-local runtime: a desktop program missing', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-no-programs-'));
  const platform = new Platform({ STREAMSPACE_LOCAL_PROGRAM_PATH: empty });
  before(() => platform.start());
  after(async () => {
    await platform.dispose();
    fs.rmSync(empty, { recursive: true, force: true });
  });

  void it('fails the session with a condition and an Event naming the Debian packages', async () => {
    const created = await platform.api('POST', '/api/v1/sessions', { template: 'local-desktop' });
    assert.equal(created.status, 202);
    const name = created.json.metadata.name;
    const failed = await platform.phase(name, 'Failed');
    const ready = failed.status.conditions.find((c: any) => c.type === 'Ready');
    assert.equal(ready.status, 'False');
    assert.match(ready.message, /CreateContainerError|install the Debian packages xvfb x11vnc xterm twm/);
    assert.match(JSON.stringify(failed.status.conditions), /install the Debian packages xvfb x11vnc xterm twm/);
    const event = await eventually('the Failed event', async () => {
      const events = await platform.api('GET', `/api/v1/sessions/${name}/events`);
      const items = events.json?.items ?? events.json ?? [];
      return items.find((e: any) => /install the Debian packages xvfb x11vnc xterm twm/.test(e.message));
    }, 30_000);
    assert.equal(event.type, 'Warning');
  });
});
