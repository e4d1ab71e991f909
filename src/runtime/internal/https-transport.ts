/**
 * A Transport over node:https (node:http for a plain-HTTP server such as `kubectl proxy`).
 *
 * Written by hand rather than borrowed from client-node: client-node 2.x builds a new undici
 * Agent for every request (a TLS handshake per write and hundreds of MiB of native memory in a
 * busy controller), and importing it at all costs about 80 MiB. Node's own Agent keeps one pool
 * of kept-alive TLS connections per credential, which is all a controller needs.
 *
 * Requests share a bounded pool; watches, which hold a connection for minutes, get their own
 * unbounded agent so they never starve requests. A 401 refreshes rotating credentials (token
 * file, exec plugin) and retries once.
 */
import http from 'node:http';
import https from 'node:https';
import type { RestConfig } from '../rest-config.ts';
import { CredentialProvider, type RequestCredentials } from './credentials.ts';
import { encodeBody, pathWithQuery, type HttpRequest, type HttpResponse, type StreamHandlers, type StreamResponse, type Transport } from './transport.ts';

/** Options of {@link HttpsTransport}. */
export interface HttpsTransportOptions {
  /** User-Agent of requests that name none. */
  userAgent?: string;
  /** Concurrent request connections (client-go keeps 25 idle connections per host). */
  maxSockets?: number;
}

/** How often TCP keepalive probes an idle watch connection, so a dead peer is noticed. */
const WATCH_KEEPALIVE_MS = 30_000;

/** See the module comment. */
export class HttpsTransport implements Transport {
  readonly host: string;
  readonly #url: URL;
  readonly #config: RestConfig;
  readonly #credentials: CredentialProvider;
  readonly #userAgent: string;
  readonly #maxSockets: number;
  /** Agents by client certificate (exec plugins may rotate it): [requests, watches]. */
  readonly #agents = new Map<string, [http.Agent, http.Agent]>();

  constructor(config: RestConfig, opts: HttpsTransportOptions = {}) {
    this.#url = new URL(config.server);
    if (this.#url.protocol !== 'https:' && this.#url.protocol !== 'http:') throw new Error(`server ${config.server}: must be an http or https URL`);
    this.host = this.#url.host;
    this.#config = config;
    this.#credentials = new CredentialProvider(config);
    this.#userAgent = opts.userAgent ?? 'streamspace';
    this.#maxSockets = opts.maxSockets ?? 25;
  }

  send(req: HttpRequest): Promise<HttpResponse> {
    return this.#authenticated((creds) => this.#send(req, creds));
  }

  stream(req: HttpRequest, handlers: StreamHandlers): Promise<StreamResponse> {
    return this.#authenticated((creds) => this.#stream(req, handlers, creds));
  }

  /** Runs `attempt` with the current credentials; after a 401, once more with refreshed ones when they can change. */
  async #authenticated<T extends { status: number }>(attempt: (creds: RequestCredentials) => Promise<T>): Promise<T> {
    const creds = await this.#credentials.current();
    const res = await attempt(creds);
    if (res.status !== 401 || !this.#credentials.invalidate(creds)) return res;
    return attempt(await this.#credentials.current());
  }

  /** Closes every pooled connection. */
  close(): void {
    for (const agents of this.#agents.values()) for (const agent of agents) agent.destroy();
    this.#agents.clear();
  }

  #send(req: HttpRequest, creds: RequestCredentials): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const outgoing = this.#open(req, creds, 0, (res) => {
        readText(res).then((text) => resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), text }), reject);
      });
      outgoing.on('error', reject);
    });
  }

  #stream(req: HttpRequest, handlers: StreamHandlers, creds: RequestCredentials): Promise<StreamResponse> {
    return new Promise((resolve, reject) => {
      let aborted = false;
      let streaming = false;
      let ended = false;
      const end = (err?: Error): void => {
        if (ended || aborted) return;
        ended = true;
        handlers.onEnd(err);
      };
      const outgoing = this.#open(req, creds, 1, (res) => {
        const status = res.statusCode ?? 0;
        const base = { status, headers: flatHeaders(res.headers), abort };
        if (status < 200 || status > 299) {
          readText(res).then((text) => resolve({ ...base, text }), reject);
          return;
        }
        streaming = true;
        resolve({ ...base, text: '' });
        deliverLines(res, { onLine: (line) => { if (!aborted) handlers.onLine(line); }, onEnd: end });
      });
      function abort(): void {
        aborted = true;
        outgoing.destroy();
      }
      outgoing.on('socket', (socket) => socket.setKeepAlive(true, WATCH_KEEPALIVE_MS));
      outgoing.on('error', (err) => (streaming ? end(err) : reject(err)));
    });
  }

  /** Starts a request on the request (0) or watch (1) agent. */
  #open(req: HttpRequest, creds: RequestCredentials, pool: 0 | 1, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
    const body = encodeBody(req);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': req.userAgent ?? this.#userAgent };
    if (creds.authorization) headers.Authorization = creds.authorization;
    if (body) {
      headers['Content-Type'] = body.contentType;
      headers['Content-Length'] = String(Buffer.byteLength(body.text));
    }
    const basePath = this.#url.pathname.replace(/\/$/, '');
    const options: https.RequestOptions = {
      protocol: this.#url.protocol, hostname: this.#url.hostname.replace(/^\[|\]$/g, ''), port: this.#url.port || undefined,
      method: req.method, path: basePath + pathWithQuery(req), headers, agent: this.#agent(creds)[pool], signal: req.signal,
    };
    const outgoing = (this.#url.protocol === 'https:' ? https : http).request(options, onResponse);
    outgoing.end(body?.text);
    return outgoing;
  }

  #agent(creds: RequestCredentials): [http.Agent, http.Agent] {
    const key = creds.cert ?? '';
    let agents = this.#agents.get(key);
    if (!agents) {
      // An exec plugin handed out a new certificate: the old connections authenticate as the old one.
      for (const old of this.#agents.values()) for (const agent of old) agent.destroy();
      this.#agents.clear();
      agents = [this.#newAgent(creds, this.#maxSockets), this.#newAgent(creds, Infinity)];
      this.#agents.set(key, agents);
    }
    return agents;
  }

  #newAgent(creds: RequestCredentials, maxSockets: number): http.Agent {
    const options = { keepAlive: true, maxSockets, maxFreeSockets: Math.min(maxSockets, this.#maxSockets), scheduling: 'lifo' as const };
    if (this.#url.protocol === 'http:') return new http.Agent(options);
    const { tls } = this.#config;
    return new https.Agent({
      ...options, ca: tls.ca, cert: creds.cert ?? tls.cert, key: creds.key ?? tls.key,
      rejectUnauthorized: !tls.insecureSkipVerify, servername: tls.serverName,
    });
  }
}

/** Splits a streamed body into lines (UTF-8 safe across chunk boundaries). */
function deliverLines(res: http.IncomingMessage, handlers: StreamHandlers): void {
  let partial = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) handlers.onLine(line);
  });
  res.on('end', () => {
    if (partial) handlers.onLine(partial);
    handlers.onEnd();
  });
  res.on('error', (err) => handlers.onEnd(err));
  res.on('close', () => handlers.onEnd(res.complete ? undefined : new Error('watch connection closed before the response ended')));
}

/** A whole response body as text. */
function readText(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** Node's headers as one string per name. */
function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
