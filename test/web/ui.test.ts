/**
 * The web UI in Chromium against the whole platform: sign in; launch a web-app session from the
 * catalog and watch it reach Running over the WebSocket without a reload; open it through the
 * gateway; hibernate and wake it with the progress shown; a quota denial shows the webhook's exact
 * reason; a non-admin sees no admin page and the API refuses them too; an admin drains the node
 * under a session and sees the session move. Each page is screenshotted to test/web/screenshots/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { webApiTypes, TYPES_FILE } from '../../scripts/gen-web-api.ts';
import { eventually } from '../support/control-plane.ts';
import { ADMIN_PASSWORD } from '../api/harness.ts';
import { startWebHarness, type Tab, type WebHarness } from './harness.ts';

const LONG = 60_000;

async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(base);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('whoami').filter({ hasText: username }).waitFor();
}

/** The phase badge of a session card once it reads `phase`. */
async function phaseShown(page: Page, session: string, phase: string): Promise<void> {
  await page.getByTestId(`session-${session}`).getByTestId('phase').filter({ hasText: new RegExp(`^${phase}$`) }).waitFor({ timeout: LONG });
}

describe('web UI in Chromium', () => {
  let w: WebHarness;
  let base: string;
  let user: Tab;
  let admin: Tab;
  let session = '';
  before(async () => {
    w = await startWebHarness();
    base = w.h.api.url;
    await w.h.userToken('lee');
    user = await w.newTab(base);
    admin = await w.newTab(base);
  });
  after(async () => {
    await w?.stop();
  });

  it('serves the UI at / and its API types match the OpenAPI document', async () => {
    const res = await fetch(`${base}/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<div id="root">/);
    const doc = (await w.h.request('GET', '/api/openapi.json')).json;
    assert.equal(fs.readFileSync(TYPES_FILE, 'utf8'), await webApiTypes(doc), 'web/src/api/openapi.d.ts is stale: run node scripts/gen-web-api.ts');
  });

  it('signs a user in with a built-in account and shows the catalog with the quota', async () => {
    await user.page.goto(base);
    await user.page.getByRole('heading', { name: 'Sign in to StreamSpace' }).waitFor();
    await w.screenshot(user.page, 'sign-in');
    await signIn(user.page, base, 'lee', 'lee-password');
    await user.page.getByTestId('template-firefox').waitFor();
    await user.page.getByTestId('quota-usage').waitFor();
    await user.page.getByRole('searchbox').fill('code');
    await user.page.getByTestId('template-firefox').waitFor({ state: 'detached' });
    await user.page.getByTestId('template-code-server').waitFor();
    await user.page.getByRole('searchbox').fill('');
    await w.screenshot(user.page, 'catalog');
  });

  it('launches a web-app session and watches it reach Running without a reload, then opens it through the gateway', async () => {
    const page = user.page;
    await page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = 'same page'));
    // local-notes runs as a real process on a loopback address (the process runtime), so the gateway has something to reach.
    await page.getByTestId('template-local-notes').getByRole('button', { name: 'Launch' }).click();
    const notice = page.getByRole('status').filter({ hasText: 'Launched' });
    session = (await notice.locator('strong').textContent())!;
    assert.match(session, /^lee-/);
    await page.getByRole('link', { name: 'My sessions', exact: true }).click();
    await page.getByTestId(`session-${session}`).getByTestId('progress').waitFor({ timeout: LONG });
    await w.screenshot(page, 'sessions-starting');
    await phaseShown(page, session, 'Running');
    assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: string }).marker), 'same page', 'the page was not reloaded');
    await w.screenshot(page, 'sessions');
    const [tab] = await Promise.all([page.waitForEvent('popup'), page.getByTestId(`session-${session}`).getByRole('link', { name: 'Open' }).click()]);
    assert.equal(new URL(tab.url()).pathname, `/s/${session}/`);
    // The sign-in cookie set at login lets the gateway through to the notes app itself.
    await tab.getByRole('heading', { name: 'Notes' }).waitFor({ timeout: LONG });
    assert.equal(await tab.title(), 'Notes');
    await tab.close();
  });

  it('hibernates and wakes the session, showing the progress while it wakes', async () => {
    const card = user.page.getByTestId(`session-${session}`);
    await card.getByRole('button', { name: 'Hibernate' }).click();
    await phaseShown(user.page, session, 'Hibernated');
    await card.getByRole('button', { name: 'Wake' }).click();
    await card.getByRole('progressbar', { name: /^Waking/ }).waitFor({ timeout: LONG });
    // The steps are the gateway's (its waiting page's), streamed while the session wakes.
    await card.locator('[data-testid="progress"][data-source="gateway"]').waitFor({ timeout: LONG });
    await phaseShown(user.page, session, 'Running');
    await card.getByTestId('progress').waitFor({ state: 'detached' });
  });

  it('shows a quota denial with the admission webhook\'s exact reason', async () => {
    const adminToken = await w.h.login('admin', ADMIN_PASSWORD);
    const quota = await w.h.request('POST', '/api/v1/quotas', { token: adminToken, body: { name: 'lee-one', spec: { users: ['lee'], limits: { maxSessions: 1 } } } });
    assert.equal(quota.status, 201, quota.text);
    const leeToken = await w.h.login('lee', 'lee-password');
    const denied = await w.h.request('POST', '/api/v1/sessions', { token: leeToken, body: { template: 'firefox' } });
    assert.equal(denied.status, 403, denied.text);
    assert.equal(denied.json.error, 'SS_ERR_ADMISSION_DENIED');
    const page = user.page;
    await page.getByRole('link', { name: 'Catalog', exact: true }).click();
    await page.getByTestId('template-firefox').getByRole('button', { name: 'Launch' }).click();
    const shown = page.getByTestId('template-firefox').getByTestId('error-message');
    await shown.waitFor();
    assert.equal(await shown.textContent(), denied.json.message);
    await w.screenshot(page, 'quota-denied');
  });

  it('shows a non-admin no admin page, and the API refuses them', async () => {
    const page = user.page;
    assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Nodes' }).count(), 0);
    await page.goto(`${base}/#/admin/nodes`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    const leeToken = await w.h.login('lee', 'lee-password');
    for (const path of ['/api/v1/nodes', '/api/v1/users', '/api/v1/audit', '/api/v1/quotas']) {
      const res = await w.h.request('GET', path, { token: leeToken });
      assert.equal(res.status, 403, `${path}: ${res.text}`);
    }
    await page.goto(`${base}/#/api-keys`);
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await w.screenshot(page, 'api-keys');
  });

  it('lets an admin drain the node under the session and see the session move', async () => {
    const adminToken = await w.h.login('admin', ADMIN_PASSWORD);
    const nodeOf = async () => {
      const nodes = (await w.h.request('GET', '/api/v1/nodes', { token: adminToken })).json.items as { metadata: { name: string } }[];
      for (const n of nodes) {
        const stats = (await w.h.request('GET', `/api/v1/nodes/${n.metadata.name}/stats`, { token: adminToken })).json;
        if (stats.sessions.includes(session)) return n.metadata.name as string;
      }
      return undefined;
    };
    const from = await eventually('the session\'s node', nodeOf, LONG);
    const page = admin.page;
    await signIn(page, base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Nodes' }).click();
    const card = page.getByTestId(`node-${from}`);
    await card.getByTestId('node-sessions').getByText(session).waitFor({ timeout: LONG });
    await w.screenshot(page, 'nodes');
    await card.getByRole('button', { name: 'Drain' }).click();
    await page.getByTestId(`operation-drain-${from}`).getByTestId('operation-phase').filter({ hasText: 'Succeeded' }).waitFor({ timeout: LONG });
    const other = page.locator('[data-testid^="node-"]').filter({ hasNot: page.getByTestId(`node-${from}`) });
    await page.locator(`[data-testid^="node-"]:not([data-testid="node-${from}"])`).getByTestId('node-sessions').getByText(session).waitFor({ timeout: LONG });
    assert.equal(await card.getByTestId('node-sessions').getByText(session).count(), 0, 'the session left the drained node');
    assert.ok(await other.count() >= 1);
    await w.screenshot(page, 'nodes-drained');
  });

  it('lets an admin label and taint a node, and remove them, following each operation', async () => {
    const page = admin.page;
    const card = page.locator('[data-testid^="node-"]').filter({ has: page.getByTestId('node-sessions').getByText(session) });
    const node = (await card.getAttribute('data-testid'))!.replace(/^node-/, '');
    await card.getByRole('textbox', { name: 'Label', exact: true }).fill('tier=gold');
    await card.getByRole('button', { name: 'Set label' }).click();
    await page.getByTestId(`operation-label-${node}`).getByTestId('operation-phase').filter({ hasText: 'Succeeded' }).waitFor({ timeout: LONG });
    await card.getByText('tier=gold').waitFor();
    await card.getByRole('textbox', { name: 'Taint', exact: true }).fill('dedicated=web:NoSchedule');
    await card.getByRole('button', { name: 'Add taint' }).click();
    await card.getByText('dedicated=web:NoSchedule').waitFor({ timeout: LONG });
    await w.screenshot(page, 'nodes-labelled');
    await card.getByRole('button', { name: 'Remove tier=gold' }).click();
    await card.getByText('tier=gold').waitFor({ state: 'detached', timeout: LONG });
    await card.getByRole('button', { name: 'Remove dedicated=web:NoSchedule' }).click();
    await card.getByText('dedicated=web:NoSchedule').waitFor({ state: 'detached', timeout: LONG });
    const stored = (await w.h.request('GET', `/api/v1/nodes/${node}`, { token: await w.h.login('admin', ADMIN_PASSWORD) })).json;
    assert.equal(stored.metadata.labels.tier, undefined);
    assert.equal((stored.spec.taints ?? []).some((t: { key: string }) => t.key === 'dedicated'), false);
  });

  it('shows the other admin pages, and a template\'s validation error at its field', async () => {
    const page = admin.page;
    for (const [link, shot] of [['Users', 'admin-users'], ['Quotas', 'admin-quotas'], ['Audit log', 'admin-audit']]) {
      await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: link, level: 1 }).waitFor();
      await page.locator('table.data tbody tr').first().waitFor();
      await w.screenshot(page, shot);
    }
    await page.getByRole('navigation').getByRole('link', { name: 'Templates', exact: true }).click();
    await page.getByLabel(/Template YAML/).fill('name: broken\nspec:\n  baseImage: example/app:1\n  vnc:\n    enabled: true\n    port: 70000\n');
    await page.getByRole('button', { name: 'Create template' }).click();
    const problem = page.getByTestId('field-error');
    await problem.waitFor();
    assert.match((await problem.textContent())!, /^spec\.vnc\.port \(line 6\): /);
    await w.screenshot(page, 'admin-templates');
  });

  it('logged no console errors', () => {
    assert.deepEqual(user.consoleErrors, []);
    assert.deepEqual(admin.consoleErrors, []);
  });
});
