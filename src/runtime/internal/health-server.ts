/**
 * The manager's probe and metrics endpoint: `/healthz` (the process serves), `/readyz` (caches
 * synced) and `/metrics` (the manager's own registry, Prometheus text format).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Options of {@link HealthServer}. */
export interface HealthServerOptions {
  /** Bind address (default 127.0.0.1). */
  host?: string;
  /** Port; 0 picks a free one. */
  port: number;
  registry: Registry;
  /** Whether /readyz answers 200. */
  ready: () => boolean;
}

/** See the module comment. */
export class HealthServer {
  readonly #opts: HealthServerOptions;
  readonly #server: Server;
  #url = '';

  constructor(opts: HealthServerOptions) {
    this.#opts = opts;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => reply(res, 500, 'text/plain', 'internal error\n'));
    });
  }

  /** The base URL once listening, e.g. `http://127.0.0.1:43121`. */
  get url(): string {
    return this.#url;
  }

  async start(): Promise<string> {
    const host = this.#opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, host, () => resolve());
    });
    const addr = this.#server.address() as AddressInfo;
    this.#url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    return this.#url;
  }

  async stop(): Promise<void> {
    if (!this.#server.listening) return;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/healthz' || path === '/livez') return reply(res, 200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      return this.#opts.ready() ? reply(res, 200, 'text/plain', 'ok\n') : reply(res, 503, 'text/plain', 'caches not synced\n');
    }
    if (path === '/metrics') {
      const { registry } = this.#opts;
      return reply(res, 200, registry.contentType, await registry.metrics());
    }
    return reply(res, 404, 'text/plain', 'not found\n');
  }
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
