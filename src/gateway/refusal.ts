/**
 * Refusals: every request the gateway will not forward ends here, as an HTTP status with a page a
 * person can read (and a short text for programs), a `reason` label for the refusals metric, and,
 * for authentication and authorization refusals, an entry in the audit log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { escapeHtml, page } from './html.ts';

/** Why a request was refused (the metric label). */
export type RefusalReason =
  | 'unauthenticated' | 'invalid-credentials' | 'not-owner' | 'not-a-session-address' | 'bad-path'
  | 'bad-headers' | 'no-such-session' | 'session-terminated' | 'not-ready' | 'backend-unreachable';

/** A refusal: thrown by the steps of a request, answered by {@link sendRefusal}. */
export class Refusal extends Error {
  readonly status: number;
  readonly reason: RefusalReason;
  /** What the person sees as the heading; the message is one or two sentences, no internals. */
  readonly title: string;
  readonly headers: Record<string, string>;

  constructor(status: number, reason: RefusalReason, title: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.title = title;
    this.headers = headers;
  }

  /** True for the refusals that go to the audit log (who was turned away from what). */
  get audited(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** True when the client asked for HTML (a browser navigation). */
export function wantsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function body(req: IncomingMessage, r: Refusal, loginUrl: string): { type: string; text: string } {
  if (!wantsHtml(req)) return { type: 'text/plain; charset=utf-8', text: `${r.status} ${r.title}: ${r.message}\n` };
  const signIn = r.status === 401 ? `<p><a href="${escapeHtml(loginUrl)}">Sign in to StreamSpace</a>, then open this address again.</p>` : '';
  return { type: 'text/html; charset=utf-8', text: page(r.title, `<h1>${escapeHtml(r.title)}</h1><p>${escapeHtml(r.message)}</p>${signIn}`) };
}

/** Answers `res` with the refusal. */
export function sendRefusal(req: IncomingMessage, res: ServerResponse, r: Refusal, loginUrl: string): void {
  const { type, text } = body(req, r, loginUrl);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(r.status, { ...r.headers, 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Answers a WebSocket upgrade with the refusal (an HTTP response on the raw socket), then closes it. */
export function refuseUpgrade(req: IncomingMessage, socket: Duplex, r: Refusal, loginUrl: string): void {
  const { type, text } = body(req, r, loginUrl);
  const headers = { ...r.headers, 'content-type': type, 'content-length': String(Buffer.byteLength(text)), connection: 'close' };
  const head = [`HTTP/1.1 ${r.status} ${r.title.replace(/[^\x20-\x7e]/g, '')}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  if (socket.writable) socket.end(`${head}\r\n\r\n${text}`);
  else socket.destroy();
}
