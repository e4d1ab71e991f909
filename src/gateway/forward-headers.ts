/**
 * The headers a session sees and the headers a client gets back.
 *
 * Towards the session: hop-by-hop headers (RFC 9110 §7.6.1, plus any the Connection header
 * names) are dropped, the body is re-framed by Node (so a request that both a front proxy and
 * the session could read differently never reaches the session: conflicting Content-Length and
 * Transfer-Encoding are refused before this), our sign-in cookie and the credential the gateway
 * consumed are removed, client-sent identity headers are replaced by the gateway's own
 * (`X-Forwarded-User`, `-Email`, `-Groups`), and `X-Forwarded-For/-Host/-Proto/-Prefix` say
 * where the request came from.
 *
 * Web-app sessions (code-server) also get the caller's bearer token, as seed 004's token
 * forwarding describes: code-server runs without a password behind the gateway and forwards
 * the same token to the Git service. Desktops never see it.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Identity } from '../api/auth/identity.ts';
import { SESSION_COOKIE, withoutCookie } from '../api/auth/session-cookie.ts';
import type { Caller } from './gateway-auth.ts';
import { Refusal } from './refusal.ts';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'http2-settings',
]);

/** Headers only the gateway may set towards a session. */
const IDENTITY_HEADERS = ['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-groups', 'x-forwarded-access-token', 'x-forwarded-prefix', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-for', 'x-real-ip', 'forwarded'];

/** What the session needs to know about a request besides its own headers. */
export interface ForwardContext {
  caller: Caller;
  /** The part of the browser's URL in front of the session's path (`/s/{session}` or empty). */
  prefix: string;
  /** Whether the session gets the caller's bearer token (web apps). */
  forwardToken: boolean;
  /** Identity headers the trusted proxy sent (removed in proxy mode). */
  proxyIdentityHeaders: string[];
}

/** Refuses requests whose framing a front proxy and the session could read differently. */
export function checkFraming(req: IncomingMessage): void {
  const raw = req.rawHeaders;
  let contentLengths = 0;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === 'content-length') contentLengths++;
    if (name === 'host') hosts++;
  }
  const te = req.headers['transfer-encoding'];
  const bad = (why: string): Refusal => new Refusal(400, 'bad-headers', 'Bad request', `The request's headers are ambiguous: ${why}.`);
  if (contentLengths > 1) throw bad('more than one Content-Length');
  if (hosts > 1) throw bad('more than one Host');
  if (te !== undefined && contentLengths > 0) throw bad('both Content-Length and Transfer-Encoding');
  if (te !== undefined && te.trim().toLowerCase() !== 'chunked') throw bad('a Transfer-Encoding other than chunked');
}

function connectionTokens(headers: IncomingHttpHeaders): Set<string> {
  const value = headers.connection;
  return new Set((Array.isArray(value) ? value.join(',') : value ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}

function clientAddress(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function identityHeaders(identity: Identity, forwardToken: boolean): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { 'x-forwarded-user': identity.username };
  if (identity.email) out['x-forwarded-email'] = identity.email;
  if (identity.groups.length) out['x-forwarded-groups'] = identity.groups.join(',');
  if (forwardToken && identity.token) out.authorization = `Bearer ${identity.token}`;
  return out;
}

/** The headers sent to the session for `req`. `upgrade` keeps Connection/Upgrade (WebSocket). */
export function requestHeaders(req: IncomingMessage, ctx: ForwardContext, upgrade = false): OutgoingHttpHeaders {
  const drop = connectionTokens(req.headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name) || IDENTITY_HEADERS.includes(name)) continue;
    if (ctx.proxyIdentityHeaders.includes(name)) continue;
    if (ctx.caller.via === 'authorization' && (name === 'authorization' || name === 'x-api-key')) continue;
    out[name] = value;
  }
  const cookie = withoutCookie(typeof req.headers.cookie === 'string' ? req.headers.cookie : undefined, SESSION_COOKIE);
  if (cookie) out.cookie = cookie;
  else delete out.cookie;
  if (req.headers['transfer-encoding'] !== undefined) out['transfer-encoding'] = 'chunked';
  if (upgrade) {
    out.connection = 'Upgrade';
    out.upgrade = req.headers.upgrade;
  }
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  Object.assign(out, {
    'x-forwarded-for': clientAddress(req),
    'x-forwarded-host': req.headers.host ?? '',
    'x-forwarded-proto': encrypted ? 'https' : 'http',
    ...(ctx.prefix ? { 'x-forwarded-prefix': ctx.prefix } : {}),
    ...identityHeaders(ctx.caller.identity, ctx.forwardToken),
  });
  return out;
}

/**
 * The session's response headers as sent to the client: hop-by-hop dropped, and in path mode
 * a `Location` that is an absolute path put back under the session's prefix.
 */
export function responseHeaders(headers: IncomingHttpHeaders, prefix: string): OutgoingHttpHeaders {
  const drop = connectionTokens(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || (HOP_BY_HOP.has(name) && name !== 'transfer-encoding') || drop.has(name)) continue;
    out[name] = value;
  }
  delete out['transfer-encoding'];
  const location = headers.location;
  if (prefix && typeof location === 'string' && location.startsWith('/') && !location.startsWith('//') && !location.startsWith(`${prefix}/`)) {
    out.location = `${prefix}${location}`;
  }
  return out;
}
