/**
 * Test support: the Session and NodeOperation controllers with StreamSpace's admission webhooks
 * (createControllerProcess, as `streamspace up` runs them) against an API harness's control
 * plane, with fast simulated pods. Resolves once the webhook configurations are registered.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { createControllerProcess } from '../../src/cli/controller-process.ts';
import { readControllerSettings } from '../../src/controllers/settings.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import type { ApiHarness } from './harness.ts';

const WEBHOOK_CONFIGURATIONS = ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations'];

/** Starts the controllers; the returned function stops them. */
export async function runControllers(h: ApiHarness): Promise<() => Promise<void>> {
  await rawRequest(h.cluster.cp, 'PUT', '/debug/simulation', { podStartDelayMs: 5, podReadyDelayMs: 5, podStopDelayMs: 5 });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(h.cluster.cp.kubeconfig);
  const settings = readControllerSettings([], { STREAMSPACE_LEADER_ELECT: 'false', STREAMSPACE_METRICS_BIND_ADDRESS: '127.0.0.1', STREAMSPACE_METRICS_PORT: '0' });
  const ctrl = createControllerProcess({ kubeConfig, settings, http: false, logger: pino({ level: 'silent' }), webhooks: { port: 0 } });
  const stop = new AbortController();
  const running = ctrl.start(stop.signal).catch((err: unknown) => err);
  for (const plural of WEBHOOK_CONFIGURATIONS) {
    await eventually(`${plural} registered`, async () => (await rawRequest(h.cluster.cp, 'GET', `/apis/admissionregistration.k8s.io/v1/${plural}`)).json?.items?.length > 0);
  }
  return async () => {
    stop.abort();
    await running;
  };
}
