/**
 * Raw HTTP to the API server through client-node's own stack (its undici dispatcher, TLS and
 * authentication from the KubeConfig), without its typed (de)serialisation. Generated typed
 * APIs turn timestamps into Date objects and only know built-in kinds; the runtime wants plain
 * JSON for every kind, custom resources included.
 */
import type { Configuration, HttpMethod, KubeConfig } from '@kubernetes/client-node';

/** One request. `body` is sent as JSON text unless it already is a string. */
export interface HttpRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/** The response status, headers and body text. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Sends requests to one API server. */
export interface Transport {
  /** Host label for metrics (`host:port`). */
  readonly host: string;
  send(req: HttpRequest): Promise<HttpResponse>;
}

/** Captures the Configuration client-node builds for a KubeConfig (server, auth, dispatcher). */
class ConfigurationCapture {
  readonly configuration: Configuration;
  constructor(configuration: Configuration) {
    this.configuration = configuration;
  }
}

/** A {@link Transport} over a KubeConfig's current context. */
export class KubeConfigTransport implements Transport {
  readonly host: string;
  readonly #kc: KubeConfig;
  readonly #config: Configuration;
  readonly #userAgent: string;

  constructor(kc: KubeConfig, userAgent: string) {
    this.#kc = kc;
    this.#config = kc.makeApiClient(ConfigurationCapture).configuration;
    this.#userAgent = userAgent;
    const server = kc.getCurrentCluster()?.server ?? 'http://localhost';
    this.host = new URL(server).host;
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const ctx = this.#config.baseServer.makeRequestContext(req.path, req.method);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) ctx.setQueryParam(key, String(value));
    }
    ctx.setHeaderParam('Accept', 'application/json');
    if (req.body !== undefined) {
      ctx.setHeaderParam('Content-Type', req.contentType ?? 'application/json');
      ctx.setBody(typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
    }
    if (req.signal) ctx.setSignal(req.signal);
    await this.#kc.applySecurityAuthentication(ctx);
    ctx.setHeaderParam('User-Agent', this.#userAgent);
    const response = await this.#config.httpApi.send(ctx).toPromise();
    return { status: response.httpStatusCode, headers: response.headers, text: await response.body.text() };
  }
}
