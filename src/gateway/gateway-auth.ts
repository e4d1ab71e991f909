/**
 * Who is asking, and may they use this session. Credentials, first found wins:
 * 1. `Authorization: Bearer` (our access tokens, or the OIDC provider's in oidc mode) or an API
 *    key: programs and CLIs;
 * 2. the sign-in cookie the API's login sets (cookie.ts): browsers;
 * 3. identity headers from a trusted proxy (auth mode proxy).
 * All three go through the API's Authenticator, so the gateway accepts exactly what the API
 * accepts. A session may be used by its owner and by admins.
 */
import { ownerKey } from '../api/sessions/owner-key.ts';
import type { IncomingMessage } from 'node:http';
import type { Authenticator } from '../api/auth/authenticator.ts';
import type { Identity } from '../api/auth/identity.ts';
import { SESSION_COOKIE, readCookie } from '../api/auth/session-cookie.ts';
import { Refusal } from './refusal.ts';
import type { SessionRecord } from './session-directory.ts';

/** The caller and which of their credentials the gateway consumed (removed before forwarding). */
export interface Caller {
  identity: Identity;
  via: 'authorization' | 'cookie' | 'proxy-headers';
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Authenticates `req`; throws a 401 Refusal when there are no usable credentials. */
export async function authenticate(authenticator: Authenticator, req: IncomingMessage): Promise<Caller> {
  const peer = req.socket.remoteAddress ?? '';
  const explicit = single(req.headers.authorization) !== undefined || single(req.headers['x-api-key']) !== undefined;
  const cookie = explicit ? undefined : readCookie(single(req.headers.cookie), SESSION_COOKIE);
  const headers = cookie ? { ...req.headers, authorization: `Bearer ${cookie}` } : req.headers;
  let identity: Identity | undefined;
  try {
    identity = await authenticator.authenticate({ peer, headers });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Refusal(401, 'invalid-credentials', 'Sign-in needed', `Your sign-in is not valid any more (${why}). Sign in again.`, { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
  if (!identity) throw new Refusal(401, 'unauthenticated', 'Sign-in needed', 'This workspace is private. Sign in to StreamSpace to open it.', { 'www-authenticate': 'Bearer' });
  return { identity, via: explicit ? 'authorization' : cookie ? 'cookie' : 'proxy-headers' };
}

/**
 * Throws a 403 Refusal unless `identity` owns the session or is an admin. Ownership is the API's
 * rule (../api/sessions/owner-key.ts): name and, where the session records one, account id, so a
 * new account reusing a deleted account's name never opens the old account's workspaces.
 */
export function authorize(identity: Identity, session: SessionRecord): void {
  const owns = session.user !== undefined && ownerKey(session.user, session.userId) === ownerKey(identity.username, identity.accountId);
  if (identity.role === 'admin' || owns) return;
  throw new Refusal(403, 'not-owner', 'Not your workspace', `Workspace ${session.name} belongs to another user. Only its owner and administrators can open it.`);
}
