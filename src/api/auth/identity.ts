/**
 * Who is calling: the result of authentication, kept on the request for authorization, audit
 * and token forwarding.
 */
import type { Role } from '../db/repository.ts';

/** How the caller proved who they are. */
export type AuthMethod = 'password' | 'oidc' | 'proxy' | 'api-key';

/** An authenticated caller. */
export interface Identity {
  username: string;
  /** The built-in account's immutable id (absent for OIDC, proxy and pre-id accounts): sessions are bound to it. */
  accountId?: string;
  email?: string;
  role: Role;
  groups: string[];
  method: AuthMethod;
  /** The bearer token the caller sent (OIDC and built-in access tokens), for forwarding downstream. */
  token?: string;
  /** When the bearer token expires (ms since the epoch), for tokens that carry `exp`. */
  expiresAt?: number;
  /** When a built-in access token was issued (ms since the epoch), to refuse tokens older than their account. */
  issuedAt?: number;
  /** The API key's id when `method` is `api-key`. */
  apiKeyId?: string;
}

/** True when `identity` may act on everything. */
export function isAdmin(identity: Identity | undefined): boolean {
  return identity?.role === 'admin';
}
