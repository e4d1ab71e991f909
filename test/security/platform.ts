/**
 * Test support for the security suites: the API harness (test/api/harness.ts) plus the controllers
 * with StreamSpace's admission webhooks, as `streamspace up` runs them, so an attack goes through
 * the same admission a real install has. Helpers read the audit trail and count stored objects,
 * to assert that a refused attack was recorded and wrote nothing.
 */
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { ApiServerOptions } from '../../src/api/server.ts';
import { createControllerProcess } from '../../src/cli/controller-process.ts';
import { readControllerSettings } from '../../src/controllers/settings.ts';
import type { WebhookServerSettings } from '../../src/webhooks/server.ts';
import { eventually, rawRequest, type ControlPlaneOptions } from '../support/control-plane.ts';
import { ADMIN_PASSWORD, GROUP_VERSION, NAMESPACE, startApiHarness, type ApiHarness } from '../api/harness.ts';

/** The API harness with the controllers and webhooks running. */
export interface Platform extends ApiHarness {
  /** An admin's access token (built-in accounts only; empty in other auth modes). */
  admin: string;
  /** Audit entries matching `query` (`actor=…&action=…`), newest first, read as an admin. */
  audit(query: Record<string, string>, adminToken?: string): Promise<{ actor: string; action: string; target?: string; result: number; detail?: string }[]>;
  /** The webhook server's base URL (https, self-signed). */
  webhookUrl: string;
  /** Names of the Sessions stored for `user`. */
  sessionsOf(user: string): Promise<string[]>;
}

/** Starts the platform; `webhooks` adds to the webhook server's settings. */
export async function startPlatform(
  apiOptions: Partial<ApiServerOptions> = {}, opts: { cluster?: ControlPlaneOptions; webhooks?: Partial<WebhookServerSettings> } = {},
): Promise<Platform> {
  const h = await startApiHarness(apiOptions, opts.cluster);
  const stopControllers = new AbortController();
  await rawRequest(h.cluster.cp, 'PUT', '/debug/simulation', { podStartDelayMs: 5, podReadyDelayMs: 5, podStopDelayMs: 5 });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(h.cluster.cp.kubeconfig);
  const settings = readControllerSettings([], { STREAMSPACE_LEADER_ELECT: 'false', STREAMSPACE_METRICS_BIND_ADDRESS: '127.0.0.1', STREAMSPACE_METRICS_PORT: '0' });
  const ctrl = createControllerProcess({ kubeConfig, settings, http: false, logger: pino({ level: 'silent' }), webhooks: { port: 0, ...opts.webhooks } });
  const controllers = ctrl.start(stopControllers.signal).catch((err: unknown) => err);
  for (const plural of ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']) {
    await eventually(`${plural} registered`, async () => (await rawRequest(h.cluster.cp, 'GET', `/apis/admissionregistration.k8s.io/v1/${plural}`)).json?.items?.length > 0);
  }
  await ctrl.webhooks?.serving();
  const builtin = (apiOptions.auth?.mode ?? 'local') === 'local';
  const admin = builtin ? await h.login('admin', ADMIN_PASSWORD) : '';
  const stopHarness = h.stop.bind(h);
  return Object.assign(h, {
    admin, webhookUrl: ctrl.webhooks!.url,
    async audit(query: Record<string, string>, adminToken = admin) {
      const res = await h.request('GET', `/api/v1/audit?${new URLSearchParams(query)}`, { token: adminToken });
      assert.equal(res.status, 200, res.text);
      return res.json.items;
    },
    async sessionsOf(user: string) {
      const list = await h.kube.list({ apiVersion: GROUP_VERSION, kind: 'Session' }, { namespace: NAMESPACE });
      return list.items.filter((s: any) => s.spec?.user === user).map((s) => s.metadata.name!);
    },
    async stop() {
      stopControllers.abort();
      await controllers;
      await stopHarness();
    },
  });
}
