/**
 * Test support for the web UI: the whole platform in one process (embedded control plane with
 * two simulated nodes, the controllers and webhooks, the API serving web/dist with the session
 * gateway on its port), and Debian's
 * Chromium driven through playwright-core. Chromium is installed by scripts/ensure-chromium.sh
 * when missing (never downloaded by Playwright); web/dist is built when missing or older than
 * web/src. Every page's console errors are collected so a test can assert there were none.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ensureWebUi } from '../../src/cli/web-build.ts';
import { gatewayOnApiPort } from '../../src/gateway/gateway.ts';
import { createControllerProcess } from '../../src/cli/controller-process.ts';
import { installBuiltinTemplates } from '../../src/controllers/install.ts';
import { readControllerSettings } from '../../src/controllers/settings.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import { NAMESPACE, startApiHarness, type ApiHarness } from '../api/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const SCREENSHOTS = path.join(import.meta.dirname, 'screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The path of Chromium, installing Debian's package when it is missing. */
export function ensureChromium(): string {
  const run = spawnSync(path.join(ROOT, 'scripts/ensure-chromium.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`scripts/ensure-chromium.sh failed (exit ${run.status})`);
  return run.stdout.trim().split('\n').pop()!;
}

/** A browser tab with the console errors it logged. */
export interface Tab {
  page: Page;
  context: BrowserContext;
  consoleErrors: string[];
}

/** Debian's Chromium, headless, with tabs that record their console errors. */
export interface TestBrowser {
  browser: Browser;
  /** A fresh browser context (its own storage) with one page; requests to other hosts than `origin`'s get a stand-in picture. */
  newTab(origin: string, headers?: Record<string, string>): Promise<Tab>;
  /** Writes a screenshot of `page` to test/web/screenshots/<name>.png. */
  screenshot(page: Page, name: string): Promise<void>;
}

/** The platform plus a browser. */
export interface WebHarness extends TestBrowser {
  h: ApiHarness;
  stop(): Promise<void>;
}

// Chromium logs every 4xx/5xx answer as a console error; the tests provoke some on purpose (a
// quota denial, a refused admin call), so those network lines are not counted. Script errors are.
const EXPECTED_NETWORK_ERROR = /^Failed to load resource: the server responded with a status of 4\d\d/;

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" width="48" height="48"><rect width="48" height="48" rx="8" fill="#0b57d0"/></svg>';

async function startControllers(h: ApiHarness): Promise<() => Promise<void>> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(h.cluster.cp.kubeconfig);
  const settings = readControllerSettings([], { STREAMSPACE_LEADER_ELECT: 'false', STREAMSPACE_METRICS_BIND_ADDRESS: '127.0.0.1', STREAMSPACE_METRICS_PORT: '0' });
  const ctrl = createControllerProcess({ kubeConfig, settings, http: false, logger: pino({ level: 'silent' }), webhooks: { port: 0 } });
  const stop = new AbortController();
  const running = ctrl.start(stop.signal).catch((err: unknown) => err);
  for (const plural of ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']) {
    await eventually(`${plural} registered`, async () => (await rawRequest(h.cluster.cp, 'GET', `/apis/admissionregistration.k8s.io/v1/${plural}`)).json?.items?.length > 0, 30_000);
  }
  return async () => {
    stop.abort();
    await running;
  };
}

/** Launches Chromium (installing it when missing) after making sure web/dist is current. */
export async function startBrowser(): Promise<TestBrowser> {
  ensureWebUi();
  const executablePath = ensureChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  return {
    browser,
    async newTab(origin, headers) {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, extraHTTPHeaders: headers });
      // No network here: the built-in templates' icons (other sites) get a stand-in picture.
      await context.route((url) => url.hostname !== new URL(origin).hostname, (route) => route.fulfill({ contentType: 'image/svg+xml', body: ICON }));
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' && !EXPECTED_NETWORK_ERROR.test(m.text())) consoleErrors.push(m.text());
      });
      page.on('pageerror', (err) => consoleErrors.push(String(err)));
      return { page, context, consoleErrors };
    },
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
  };
}

/** Starts everything; `podStartDelayMs` makes starting and waking slow enough to watch. */
export async function startWebHarness(): Promise<WebHarness> {
  const b = await startBrowser();
  const simulation = { nodes: 2, podStartDelayMs: 1500, podReadyDelayMs: 500, podStopDelayMs: 50 };
  const h = await startApiHarness({ gateway: gatewayOnApiPort() }, { simulation });
  const stopControllers = await startControllers(h);
  await installBuiltinTemplates(h.kube, NAMESPACE, {});
  return {
    ...b, h,
    async stop() {
      await b.browser.close();
      await stopControllers();
      await h.stop();
    },
  };
}
