/**
 * `streamspace gateway` on its own port: everything it needs built from the same options as the
 * API's (database for the audit log and API keys, signing key, authenticator, cluster view,
 * heartbeat coalescer), and an HTTP server where every request is the gateway's except the
 * probes and metrics (`/healthz`, `/readyz`, `/metrics` on hosts that are not session hosts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ApiMetrics } from '../api/metrics.ts';
import { buildAuth, type ApiServerOptions } from '../api/server.ts';
import { openRepository } from '../api/db/sql-repository.ts';
import { ClusterView } from '../api/kube/cluster-view.ts';
import { HeartbeatCoalescer } from '../api/sessions/heartbeat-coalescer.ts';
import { loadRestConfig } from '../runtime/rest-config-loader.ts';
import { Gateway, type GatewayOptions } from './gateway.ts';

/** Options of {@link startGatewayServer}. */
export interface GatewayServerOptions extends Pick<ApiServerOptions, 'kubeconfig' | 'namespace' | 'dataDir' | 'databaseUrl' | 'auth' | 'heartbeatFlushIntervalMs'>,
  Pick<GatewayOptions, 'mode' | 'holdTimeoutMs' | 'backgroundPaths' | 'loginUrl'> {
  host?: string;
  port?: number;
  logger: Logger;
}

/** A running standalone gateway. */
export interface GatewayServer {
  url: string;
  port: number;
  gateway: Gateway;
  stop(): Promise<void>;
}

/** Serves `gateway` on `server`'s requests and upgrades, plus probes and metrics. */
export function attachGateway(server: http.Server, gateway: Gateway, metrics: ApiMetrics): void {
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (!gateway.matches(req) && (path === '/healthz' || path === '/readyz')) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (!gateway.matches(req) && path === '/metrics') {
      void metrics.registry.metrics().then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
      return;
    }
    gateway.handleRequest(req, res);
  });
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
}

/** Starts the gateway; resolves once it listens. */
export async function startGatewayServer(opts: GatewayServerOptions): Promise<GatewayServer> {
  const { logger } = opts;
  const repo = await openRepository({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  const metrics = new ApiMetrics();
  const kubeConfig = typeof opts.kubeconfig === 'string' ? loadRestConfig({ kubeconfig: opts.kubeconfig }) : opts.kubeconfig;
  const view = new ClusterView({ kubeConfig, namespace: opts.namespace ?? 'streamspace', logger, fieldManager: 'streamspace-gateway' });
  const heartbeats = new HeartbeatCoalescer({ view, metrics, logger, flushIntervalMs: opts.heartbeatFlushIntervalMs ?? 30_000 });
  const { authenticator } = await buildAuth({ kubeconfig: opts.kubeconfig, auth: opts.auth, dataDir: opts.dataDir, databaseUrl: opts.databaseUrl }, repo);
  const gateway = new Gateway({ ...opts, view, authenticator, repo, activity: heartbeats, registry: metrics.registry });
  view.start();
  gateway.start();
  await Promise.race([Promise.all([view.waitForSync(), gateway.waitForSync()]), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  heartbeats.start();
  const server = http.createServer();
  attachGateway(server, gateway, metrics);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port, gateway,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.stop();
      await heartbeats.stop();
      await view.stop();
      await repo.close();
    },
  };
}
