/**
 * Webhook metrics. The request metrics carry controller-runtime's names and labels
 * (controller_runtime_webhook_requests_total{webhook,code}, controller_runtime_webhook_latency_seconds{webhook},
 * controller_runtime_webhook_requests_in_flight{webhook}, `webhook` being the path), so dashboards
 * built for Go webhooks work unchanged. The streamspace_webhook_* series say why sessions were
 * refused and how the serving certificate is doing.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Prometheus' default histogram buckets (client_golang DefBuckets), as controller-runtime uses. */
export const WEBHOOK_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Everything the webhook server records, registered on one (per-manager) registry. */
export class WebhookMetrics {
  readonly requests: Counter<'webhook' | 'code'>;
  readonly latency: Histogram<'webhook'>;
  readonly inFlight: Gauge<'webhook'>;
  readonly quotaDenials: Counter<'limit'>;
  readonly certificateRotations: Counter<'certificate'>;
  readonly certificateExpiry: Gauge<'certificate'>;

  constructor(registry: Registry, reservations: () => number) {
    const registers = [registry];
    this.requests = reuse(registry, 'controller_runtime_webhook_requests_total', () => new Counter({
      name: 'controller_runtime_webhook_requests_total', help: 'Total number of admission requests by HTTP status code.',
      labelNames: ['webhook', 'code'], registers,
    }));
    this.latency = reuse(registry, 'controller_runtime_webhook_latency_seconds', () => new Histogram({
      name: 'controller_runtime_webhook_latency_seconds', help: 'Histogram of the latency of processing admission requests',
      labelNames: ['webhook'], buckets: WEBHOOK_LATENCY_BUCKETS, registers,
    }));
    this.inFlight = reuse(registry, 'controller_runtime_webhook_requests_in_flight', () => new Gauge({
      name: 'controller_runtime_webhook_requests_in_flight', help: 'Current number of admission requests being served.',
      labelNames: ['webhook'], registers,
    }));
    this.quotaDenials = reuse(registry, 'streamspace_webhook_quota_denials_total', () => new Counter({
      name: 'streamspace_webhook_quota_denials_total', help: 'Sessions refused by the quota webhook, by the SessionQuota limit they would have exceeded.',
      labelNames: ['limit'], registers,
    }));
    this.certificateRotations = reuse(registry, 'streamspace_webhook_certificate_rotations_total', () => new Counter({
      name: 'streamspace_webhook_certificate_rotations_total', help: 'Serving certificates and certificate authorities the webhook server switched to after start-up.',
      labelNames: ['certificate'], registers,
    }));
    this.certificateExpiry = reuse(registry, 'streamspace_webhook_certificate_expiration_timestamp_seconds', () => new Gauge({
      name: 'streamspace_webhook_certificate_expiration_timestamp_seconds', help: 'When the certificate the webhook server currently uses expires (Unix seconds).',
      labelNames: ['certificate'], registers,
    }));
    reuse(registry, 'streamspace_webhook_quota_reservations', () => new Gauge({
      name: 'streamspace_webhook_quota_reservations', help: 'Sessions admitted by the quota webhook that its informer has not seen yet.',
      registers, collect() { this.set(reservations()); },
    }));
  }

  /** Creates the request series of `paths` at zero, so they exist before the first request (as controller-runtime does). */
  initPaths(paths: readonly string[]): void {
    for (const webhook of paths) {
      this.requests.inc({ webhook, code: '200' }, 0);
      this.inFlight.set({ webhook }, 0);
    }
  }
}

/** The metric named `name` already on `registry` (a second server on the same manager), or a new one. */
function reuse<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
