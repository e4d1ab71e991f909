/**
 * The API's Prometheus metrics: request durations per route, and the heartbeat coalescer's
 * counters (how many heartbeats arrived, how many were folded into a pending one, and what
 * became of each flush attempt).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** See the module comment. */
export class ApiMetrics {
  readonly registry: Registry;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly heartbeatsReceived: Counter;
  readonly heartbeatsCoalesced: Counter;
  readonly heartbeatWrites: Counter<'result'>;
  readonly auditFailures: Counter;

  constructor(registry = new Registry()) {
    this.registry = registry;
    collectDefaultMetrics({ register: registry, prefix: 'streamspace_api_' });
    this.requestDuration = new Histogram({
      name: 'streamspace_api_request_duration_seconds', help: 'Time to answer an API request, by method, route and status.',
      labelNames: ['method', 'route', 'status'], buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    });
    this.heartbeatsReceived = new Counter({ name: 'streamspace_api_heartbeats_received_total', help: 'Session heartbeats accepted.', registers: [registry] });
    this.heartbeatsCoalesced = new Counter({
      name: 'streamspace_api_heartbeats_coalesced_total', help: 'Heartbeats folded into one already pending for the same session (no write of their own).', registers: [registry],
    });
    this.heartbeatWrites = new Counter({
      name: 'streamspace_api_heartbeat_flushes_total',
      help: 'Pending heartbeats flushed, by result: written (status.lastActivity patched), not_newer (stored value already as new), gone (session deleted), failed.',
      labelNames: ['result'], registers: [registry],
    });
    this.auditFailures = new Counter({ name: 'streamspace_api_audit_write_failures_total', help: 'Audit entries that could not be stored.', registers: [registry] });
  }
}
