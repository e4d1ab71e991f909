/**
 * `streamspace up` (what `npm start` runs) end to end, as a user meets it: the process starts the
 * embedded control plane, the controllers, the webhooks and the API; a user logs in, starts a
 * session through the API and sees it Running; SIGTERM stops everything cleanly.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { eventually } from '../support/control-plane.ts';
import { apiRequest } from '../support/processes.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/streamspace.js');
const PASSWORD = 'correct-horse-battery-staple';

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

void describe('streamspace up', () => {
  let child: ChildProcess | undefined;
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  void it('runs the platform: a session started through the API reaches Running, and SIGTERM exits cleanly', async () => {
    child = spawn(process.execPath, [BIN, 'up', '--in-memory', '--port', '0', '--api-port', '0'], {
      env: { ...process.env, STREAMSPACE_ADMIN_PASSWORD: PASSWORD, STREAMSPACE_METRICS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (err += String(d)));
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`streamspace up exited ${code}: ${err.slice(-2000)}\n`);
    });
    const base = await eventually('the API URL printed', () => /StreamSpace API:\s+(http:\/\/\S+)/.exec(out)?.[1], 60_000);
    assert.match(out, /Kubernetes API \(embedded\): https:\/\/127\.0\.0\.1:\d+/);
    // The web UI at the printed address (built on first start when web/dist is missing).
    const ui = /Web UI:\s+(http:\/\/\S+)/.exec(out)?.[1];
    assert.equal(ui, `${base}/`);
    const page = await fetch(ui);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/);
    const login = await apiRequest(base, 'POST', '/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD });
    assert.equal(login.status, 200);
    const token = login.json.accessToken;
    const templates = await apiRequest(base, 'GET', '/api/v1/templates', token);
    assert.deepEqual(templates.json.items.map((t: any) => t.metadata.name).sort(), ['code-server', 'firefox', 'local-desktop', 'local-notes', 'ubuntu-xfce']);
    const created = await apiRequest(base, 'POST', '/api/v1/sessions', token, { template: 'firefox' });
    assert.equal(created.status, 202);
    const name = created.json.metadata.name;
    const running = await eventually('session Running', async () => {
      const s = await apiRequest(base, 'GET', `/api/v1/sessions/${name}`, token);
      return s.json?.status?.phase === 'Running' ? s.json : undefined;
    }, 60_000);
    assert.match(running.status.url, new RegExp(name));
    child.kill('SIGTERM');
    assert.equal(await exited(child), 0);
  });
});
