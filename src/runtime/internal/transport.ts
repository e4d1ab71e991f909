/**
 * The runtime's wire to an API server: raw HTTP requests and long-running streams (watches),
 * plain JSON text in and out. The KubeClient builds paths and parses bodies; a Transport only
 * moves bytes and authenticates. The real one is HttpsTransport; tests use MemoryTransport.
 */

/** The HTTP methods the Kubernetes API uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request. `body` is sent as JSON text unless it already is a string. */
export interface HttpRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  /** Sent as User-Agent (the transport's default otherwise). */
  userAgent?: string;
  signal?: AbortSignal;
}

/** The response status, headers and body text. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** Receives a streamed body line by line until it ends (once). */
export interface StreamHandlers {
  onLine(line: string): void;
  /** The stream ended: `undefined` on a clean end, the error otherwise. Not called after abort(). */
  onEnd(err?: Error): void;
}

/**
 * The answer to a streaming request. A 2xx status means the body is being delivered to the
 * handlers (`text` is empty); any other status comes with the whole body in `text`.
 */
export interface StreamResponse extends HttpResponse {
  /** Closes the stream; no handler is called afterwards. */
  abort(): void;
}

/** Sends requests to one API server. */
export interface Transport {
  /** Host label for metrics (`host:port`). */
  readonly host: string;
  send(req: HttpRequest): Promise<HttpResponse>;
  /** Opens a request whose response body is a stream of newline-delimited lines (watches). */
  stream(req: HttpRequest, handlers: StreamHandlers): Promise<StreamResponse>;
}

/** The path with its query string (undefined values left out). */
export function pathWithQuery(req: Pick<HttpRequest, 'path' | 'query'>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(req.query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${req.path}?${qs}` : req.path;
}

/** The request body as text, and its Content-Type. */
export function encodeBody(req: HttpRequest): { text: string; contentType: string } | undefined {
  if (req.body === undefined) return undefined;
  return { text: typeof req.body === 'string' ? req.body : JSON.stringify(req.body), contentType: req.contentType ?? 'application/json' };
}
