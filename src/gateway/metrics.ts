/**
 * The gateway's Prometheus metrics: connections, bytes, wakes, wake-to-first-byte, proxy latency
 * and refusals by reason. Registered in the registry of the process that hosts the gateway (the
 * API's, inside `streamspace up`).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What kind of connection: a proxied HTTP request, a proxied WebSocket, or a VNC bridge. */
export type ConnectionKind = 'http' | 'websocket' | 'vnc';

/** See the module comment. */
export class GatewayMetrics {
  readonly connections: Counter<'kind'>;
  readonly openConnections: Gauge<'kind'>;
  readonly bytes: Counter<'direction'>;
  readonly wakes: Counter;
  readonly wakeToFirstByte: Histogram;
  readonly proxyLatency: Histogram;
  readonly refusals: Counter<'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.connections = new Counter({ name: 'streamspace_gateway_connections_total', help: 'Connections forwarded to sessions, by kind (http request, websocket, vnc bridge).', labelNames: ['kind'], registers });
    this.openConnections = new Gauge({ name: 'streamspace_gateway_open_connections', help: 'WebSocket and VNC connections open now, by kind.', labelNames: ['kind'], registers });
    this.bytes = new Counter({ name: 'streamspace_gateway_bytes_total', help: 'Bytes forwarded, by direction: in (client to session) and out (session to client).', labelNames: ['direction'], registers });
    this.wakes = new Counter({ name: 'streamspace_gateway_wakes_total', help: 'Hibernated sessions woken by a connection (one Session write each).', registers });
    this.wakeToFirstByte = new Histogram({
      name: 'streamspace_gateway_wake_to_first_byte_seconds', help: 'From the wake write to the first byte the woken session sent back.',
      buckets: [0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 60, 120], registers,
    });
    this.proxyLatency = new Histogram({
      name: 'streamspace_gateway_proxy_latency_seconds', help: 'From a request reaching the gateway to the session\'s response headers, for sessions already running.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers,
    });
    this.refusals = new Counter({ name: 'streamspace_gateway_refusals_total', help: 'Requests refused, by reason.', labelNames: ['reason'], registers });
  }
}
