/**
 * Forwarding to a session, HTTP and WebSocket, over node:http. Written here rather than taken
 * from http-proxy(-3) or @fastify/http-proxy: the forwarding itself is small, and everything
 * around it is ours (which address, which headers, when a byte counts as activity or as the
 * first byte after a wake); those libraries resolve targets from the request and would need
 * their header handling undone. Keep-alive connections to sessions are pooled per process.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestHeaders, responseHeaders, type ForwardContext } from './forward-headers.ts';
import { Refusal } from './refusal.ts';
import type { Backend } from './session-directory.ts';

/** Hooks of one forwarded exchange. */
export interface ForwardHooks {
  /** The session's response headers arrived (or the WebSocket handshake was accepted). */
  onResponse?(): void;
  /** Bytes client → session and session → client. */
  onBytes?(direction: 'in' | 'out', count: number): void;
  /** A WebSocket message chunk from the client (activity), HTTP bodies excluded. */
  onClientData?(): void;
}

const agent = new http.Agent({ keepAlive: true, maxSessions: 256, maxFreeSockets: 64 } as http.AgentOptions);

function unreachable(err: Error): Refusal {
  return new Refusal(502, 'backend-unreachable', 'Workspace not answering', `The workspace did not answer (${(err as NodeJS.ErrnoException).code ?? err.message}). Try again in a moment.`);
}

/** One request to forward: where to, as what path, with which context and hooks. */
export interface Exchange {
  req: IncomingMessage;
  backend: Backend;
  /** The path (with query) the session sees. */
  path: string;
  ctx: ForwardContext;
  hooks: ForwardHooks;
  /** Answers the client when the session cannot be reached. */
  onError(r: Refusal): void;
}

/** Forwards an HTTP request. */
export function forwardHttp({ req, backend, path, ctx, hooks, onError }: Exchange, res: ServerResponse): void {
  const upstream = http.request({ host: backend.host, port: backend.port, method: req.method, path, headers: requestHeaders(req, ctx), agent });
  upstream.on('response', (answer) => {
    hooks.onResponse?.();
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.headers, ctx.prefix));
    if (hooks.onBytes) answer.on('data', (chunk: Buffer) => hooks.onBytes!('out', chunk.length));
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  upstream.on('error', (err) => {
    if (res.headersSent) res.destroy();
    else onError(unreachable(err));
  });
  res.on('close', () => { if (!res.writableFinished) upstream.destroy(); });
  if (hooks.onBytes) req.on('data', (chunk: Buffer) => hooks.onBytes!('in', chunk.length));
  req.pipe(upstream);
}

/** The raw HTTP head of the session's handshake answer. */
function headOf(answer: IncomingMessage, prefix: string): string {
  const headers = responseHeaders(answer.headers, prefix);
  const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage ?? ''}`];
  if (answer.statusCode === 101) lines.push('Connection: Upgrade', `Upgrade: ${answer.headers.upgrade ?? 'websocket'}`);
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${String(v)}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Forwards a WebSocket upgrade: the handshake goes to the session as an HTTP request; on its 101
 * the two sockets are joined. Any other answer is passed back and the client socket closed.
 */
export function forwardUpgrade({ req, backend, path, ctx, hooks, onError }: Exchange, socket: Duplex, head: Buffer): void {
  const upstream = http.request({ host: backend.host, port: backend.port, method: req.method, path, headers: requestHeaders(req, ctx, true) });
  upstream.on('upgrade', (answer, session, sessionHead) => {
    hooks.onResponse?.();
    socket.write(headOf(answer, ctx.prefix));
    if (sessionHead.length) socket.write(sessionHead);
    if (head.length) session.write(head);
    session.on('data', (chunk: Buffer) => hooks.onBytes?.('out', chunk.length));
    socket.on('data', (chunk: Buffer) => { hooks.onBytes?.('in', chunk.length); hooks.onClientData?.(); });
    session.pipe(socket).pipe(session);
    const close = (): void => { session.destroy(); socket.destroy(); };
    session.on('error', close).on('close', close);
    socket.on('error', close).on('close', close);
  });
  upstream.on('response', (answer) => {
    socket.write(headOf(answer, ctx.prefix));
    answer.pipe(socket);
  });
  upstream.on('error', (err) => onError(unreachable(err)));
  socket.on('error', () => upstream.destroy());
  upstream.end();
}
