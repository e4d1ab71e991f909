/**
 * Signing in from the browser in each of the API's modes, and an expired session: built-in
 * accounts whose session ends mid-task (the user signs in again in a dialog and what they typed
 * is sent, without a reload); OIDC with authorization code + PKCE against a provider that checks
 * the verifier; a trusted proxy's headers. One control plane; the API restarts per mode.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { eventually } from '../support/control-plane.ts';
import { ADMIN_PASSWORD, startApiHarness, TEST_SCRYPT, type ApiHarness } from '../api/harness.ts';
import type { ApiServerOptions } from '../../src/api/server.ts';
import { startFakeOidc, type FakeOidcProvider } from './fake-oidc.ts';
import { startBrowser, type Tab, type TestBrowser } from './harness.ts';

async function pageToken(page: Page): Promise<string> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('streamspace.tokens') ?? '{}').accessToken as string);
}

describe('signing in from the browser', () => {
  let h: ApiHarness;
  let b: TestBrowser;
  let oidc: FakeOidcProvider;
  const tabs: Tab[] = [];
  const tab = async (headers?: Record<string, string>) => {
    const t = await b.newTab(h.api.url, headers);
    tabs.push(t);
    return t;
  };
  /** The API restarts on another port per mode: the previous tab goes first, or it would keep reconnecting. */
  const restartApi = async (auth: NonNullable<ApiServerOptions['auth']>) => {
    await tabs.at(-1)?.context.close();
    await h.restartApi({ auth: { ...auth, adminPassword: ADMIN_PASSWORD, scryptCost: TEST_SCRYPT } });
  };
  before(async () => {
    b = await startBrowser();
    // Access tokens of one second: with the verifier's 30 s of clock leeway, a page meets an expired one within the test.
    h = await startApiHarness({ auth: { accessTokenTtlSeconds: 1 } });
    oidc = await startFakeOidc('olivia');
  });
  after(async () => {
    await b?.browser.close();
    await oidc?.stop();
    await h?.stop();
  });

  it('keeps what the user was doing when the session expires: sign in again in a dialog, and the request goes through', async () => {
    await h.userToken('lee');
    const { page } = await tab();
    await page.goto(h.api.url);
    await page.getByLabel('User name').fill('lee');
    await page.getByLabel('Password').fill('lee-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('whoami').filter({ hasText: 'lee' }).waitFor();
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.evaluate(() => ((globalThis as unknown as { marker: string }).marker = 'same page'));
    await page.getByLabel('Name').fill('laptop');

    // A new password revokes lee's refresh tokens; the access token runs out by itself.
    const admin = await h.login('admin', ADMIN_PASSWORD);
    assert.equal((await h.request('PATCH', '/api/v1/users/lee', { token: admin, body: { password: 'lee-new-password' } })).status, 200);
    const old = await pageToken(page);
    await eventually('the page\'s access token expired', async () => (await h.request('GET', '/api/v1/auth/me', { token: old })).status === 401, 60_000);

    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your session has expired' });
    await dialog.waitFor();
    await b.screenshot(page, 'session-expired');
    assert.equal(await dialog.getByLabel('User name').inputValue(), 'lee');
    await dialog.getByLabel('Password').fill('lee-new-password');
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status').filter({ hasText: 'Your new key' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: string }).marker), 'same page', 'the page was not reloaded');
    const keys = await h.request('GET', '/api/v1/api-keys', { token: await h.login('lee', 'lee-new-password') });
    assert.deepEqual(keys.json.items.map((k: { name: string }) => k.name), ['laptop']);
  });

  it('signs in with OIDC: authorization code with PKCE (S256) against the configured issuer', async () => {
    await restartApi({ mode: 'oidc', oidc: { issuer: oidc.issuer, audiences: ['streamspace'], clientId: oidc.clientId } });
    const { page } = await tab();
    await page.goto(`${h.api.url}/#/sessions`);
    await page.getByRole('button', { name: 'Sign in with your organisation' }).click();
    await page.getByTestId('whoami').filter({ hasText: 'olivia' }).waitFor();
    assert.equal(oidc.authorizations.length, 1);
    const asked = oidc.authorizations[0];
    assert.equal(asked.code_challenge_method, 'S256');
    assert.equal(asked.client_id, oidc.clientId);
    assert.equal(asked.response_type, 'code');
    assert.deepEqual(oidc.refusals, []);
    const url = new URL(page.url());
    assert.equal(url.search, '', 'the code left the address bar');
    assert.equal(url.hash, '#/sessions', 'back on the page the user started from');
    await page.getByText('Live: changes appear as they happen.').waitFor();
  });

  it('signs in behind a trusted proxy from its headers alone, with no sign-out of its own', async () => {
    await restartApi({ mode: 'proxy', proxy: { trustedProxies: ['127.0.0.1/32'] } });
    const { page } = await tab({ 'x-forwarded-user': 'pat' });
    await page.goto(`${h.api.url}/#/sessions`);
    await page.getByTestId('whoami').filter({ hasText: 'pat' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
    await page.getByText('Live: changes appear as they happen.').waitFor();
  });

  it('logged no console errors', () => {
    assert.deepEqual(tabs.map((t) => t.consoleErrors), tabs.map(() => []));
  });
});
