/**
 * The objects an install owns for admission, built from settings in one place so the Helm chart,
 * `streamspace up`, the controllers' reconciler and the tests all produce the same ones:
 *
 * - the webhook Service in front of every controller replica: with a pod `selector` in a cluster
 *   (the endpoints controller lists the ready pods, readiness = /readyz), without one on the
 *   embedded control plane (replicas register themselves, ./endpoint-registration.ts);
 * - the MutatingWebhookConfiguration and ValidatingWebhookConfiguration (./configurations.ts).
 *
 * {@link coversDesired} is the drift test the reconciler uses: every field we set must hold the
 * value we set; fields the API server defaults (namespaceSelector, rule scope…) are not drift.
 */
import { PART_OF_LABEL } from '../apis/crd.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { webhookConfigurations, WEBHOOK_PORT_NAME, type WebhookConfigurationOptions, type WebhookServiceReference } from './configurations.ts';

/** Default Service: `streamspace/streamspace-webhooks`, port 443. */
export const DEFAULT_WEBHOOK_SERVICE: Required<WebhookServiceReference> = { namespace: 'streamspace', name: 'streamspace-webhooks', port: 443 };

/** What the webhook Service is built from. */
export interface WebhookServiceOptions {
  service: WebhookServiceReference;
  /** Labels of the controller pods (cluster installs); absent on the embedded control plane. */
  selector?: Record<string, string>;
  /** The port the replicas listen on (default 9443; only meaningful with a selector). */
  targetPort?: number;
}

/** The webhook Service. */
export function webhookService(opts: WebhookServiceOptions): KubeObject {
  const { namespace, name, port = 443 } = opts.service;
  const spec: Record<string, unknown> = {
    type: 'ClusterIP',
    ports: [{ name: WEBHOOK_PORT_NAME, port, targetPort: opts.targetPort ?? 9443, protocol: 'TCP' }],
  };
  if (opts.selector) spec.selector = { ...opts.selector };
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name, labels: { ...PART_OF_LABEL } }, spec };
}

/** Everything admission needs installed: the Service, then both configurations. */
export function webhookInstallObjects(opts: WebhookServiceOptions & Omit<WebhookConfigurationOptions, 'endpoint'>): KubeObject[] {
  const { service, selector, targetPort, ...config } = opts;
  return [webhookService({ service, selector, targetPort }), ...webhookConfigurations({ ...config, endpoint: { service } })];
}

/** True when `current` holds every value `desired` sets (arrays element by element, same length). */
export function coversDesired(current: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(current) && current.length === desired.length && desired.every((d, i) => coversDesired(current[i], d));
  }
  if (desired !== null && typeof desired === 'object') {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
    const c = current as Record<string, unknown>;
    return Object.entries(desired).every(([k, v]) => v === undefined || coversDesired(c[k], v));
  }
  return current === desired;
}
