/**
 * The whole path in a real browser (Debian's Chromium, driven by playwright-core): `streamspace
 * up` with the process runtime, a local desktop session put to sleep; the browser signs in,
 * opens the session's URL, sees the progress page go through its steps, lands on the desktop by
 * itself (noVNC through the gateway to x11vnc), types a command into the terminal and sees its
 * effect on the canvas (the terminal turns red) and on disk (the file it wrote).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { eventually } from '../support/control-plane.ts';
import { PASSWORD, Platform } from '../runtime-local/platform.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Files called `name` under `dir`. */
function findFiles(dir: string, name: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === name) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

/** Counts of distinct colours and of red pixels on noVNC's canvas. */
const CANVAS_STATS = `(() => {
  const canvas = document.querySelector('#screen canvas');
  if (!canvas || canvas.width === 0) return { colours: 0, red: 0, total: 1 };
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  let red = 0;
  for (let i = 0; i < data.length; i += 4 * 7) {
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    if (data[i] > 150 && data[i + 1] < 80 && data[i + 2] < 80) red++;
  }
  return { colours: colours.size, red, total: data.length / (4 * 7) };
})()`;

/** Records, across reloads, each progress step the page showed as done (in order). */
const RECORD_STEPS = `(() => {
  const seen = () => JSON.parse(sessionStorage.getItem('steps') || '[]');
  const look = () => {
    const list = seen();
    for (const li of document.querySelectorAll('#steps li.done')) if (!list.includes(li.dataset.step)) list.push(li.dataset.step);
    sessionStorage.setItem('steps', JSON.stringify(list));
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });
  document.addEventListener('DOMContentLoaded', look);
})()`;

describe('a hibernated desktop in Chromium', () => {
  const platform = new Platform();
  let browser: Browser;
  let session: string;

  before(async () => {
    execFileSync(path.join(ROOT, 'scripts/ensure-chromium.sh'), { stdio: 'inherit' });
    execFileSync(path.join(ROOT, 'scripts/ensure-desktop.sh'), { stdio: 'inherit' });
    await platform.start();
    const created = await platform.api('POST', '/api/v1/sessions', { template: 'local-desktop' });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    session = created.json.metadata.name;
    await platform.phase(session, 'Running');
    assert.equal((await platform.api('PATCH', `/api/v1/sessions/${session}`, { state: 'hibernated' })).status, 202);
    await platform.phase(session, 'Hibernated');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  });
  after(async () => {
    await browser?.close();
    await platform.dispose();
  });

  it('signs in, watches the wake, reaches the desktop and types into its terminal', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.addInitScript(RECORD_STEPS);
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const login = await page.request.post(`${platform.base}/api/v1/auth/login`, { data: { username: 'admin', password: PASSWORD } });
    assert.equal(login.status(), 200);
    assert.ok((await context.cookies()).some((c) => c.name === 'streamspace_session' && c.httpOnly));

    const first = await page.goto(`${platform.base}/s/${session}/`);
    assert.equal(first?.status(), 503, 'the progress page while the desktop wakes');
    assert.match(await page.title(), /Starting/);
    await page.waitForSelector('body[data-state="connected"]', { timeout: 120_000 });
    assert.equal(await page.textContent('#status'), 'Connected');
    const steps = await page.evaluate(() => JSON.parse(sessionStorage.getItem('steps') || '[]'));
    assert.deepEqual(steps, ['requested', 'scheduled', 'volume', 'started', 'probe'], 'every step shown done, in order');

    const screen = await eventually('the desktop drawn', async () => {
      const stats = await page.evaluate(CANVAS_STATS) as { colours: number };
      return stats.colours >= 2 ? stats : undefined;
    }, 60_000);
    assert.ok(screen.colours >= 2, 'the desktop is not blank (a terminal on the root window)');
    const shot = await page.screenshot();
    assert.ok(shot.length > 10_000, 'a screenshot with content');

    const box = (await page.locator('#screen canvas').boundingBox())!;
    await page.mouse.click(box.x + box.width / 3, box.y + box.height / 3);
    await page.keyboard.type('echo typed-through-novnc > ~/typed.txt; tput setab 1; clear', { delay: 20 });
    await page.keyboard.press('Enter');
    const red = await eventually('the terminal turned red', async () => {
      const stats = await page.evaluate(CANVAS_STATS) as { red: number; total: number };
      return stats.red / stats.total > 0.2 ? stats : undefined;
    }, 60_000);
    assert.ok(red.red > 0);
    const written = await eventually('the file the command wrote', () => findFiles(platform.dataDir, 'typed.txt')[0], 30_000);
    assert.equal(fs.readFileSync(written, 'utf8'), 'typed-through-novnc\n');
    assert.deepEqual(pageErrors, [], 'no script errors');
    await context.close();
  });
});
