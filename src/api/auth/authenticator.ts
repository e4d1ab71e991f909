/**
 * Turns a request's credentials into an {@link Identity}, in the configured mode:
 * - `local` (default): our own access tokens for built-in accounts;
 * - `oidc`: an external provider's access tokens;
 * - `proxy`: identity headers from trusted proxy addresses.
 * API keys (`Authorization: Bearer ssk_...` or `X-API-Key`) work in every mode.
 */
import { ApiError } from '../errors.ts';
import type { Repository } from '../db/repository.ts';
import { API_KEY_PREFIX, identityOfApiKey } from './api-keys.ts';
import type { Identity } from './identity.ts';
import type { OidcBrowserClient, OidcVerifier } from './oidc-verifier.ts';
import type { TokenIssuer } from './token-issuer.ts';
import type { TrustedProxyAuthenticator } from './trusted-proxy.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

/** The authentication modes. */
export const AUTH_MODES = ['local', 'oidc', 'proxy'] as const;

/** An authentication mode. */
export type AuthMode = typeof AUTH_MODES[number];

/** The parts of a request authentication looks at. */
export interface Credentials {
  /** The TCP peer address. */
  peer: string;
  headers: Record<string, string | string[] | undefined>;
  /** A token passed in the URL (`?access_token=`), accepted only where headers cannot be set (WebSocket). */
  queryToken?: string;
}

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  mode: AuthMode;
  repo: Repository;
  issuer: TokenIssuer;
  oidc?: OidcVerifier;
  proxy?: TrustedProxyAuthenticator;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function invalidToken(reason: string): ApiError {
  return new ApiError('SS_ERR_INVALID_TOKEN', `The access token is invalid: ${reason}`, {
    headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${reason.replace(/"/g, '\'')}"` },
  });
}

/** See the module comment. */
export class Authenticator {
  readonly #o: AuthenticatorOptions;
  readonly #verified = new VerifiedTokenCache();

  constructor(opts: AuthenticatorOptions) {
    if (opts.mode === 'oidc' && !opts.oidc) throw new Error('auth mode oidc needs OIDC settings');
    if (opts.mode === 'proxy' && !opts.proxy) throw new Error('auth mode proxy needs trusted proxy settings');
    this.#o = opts;
  }

  /** The OIDC provider's browser sign-in settings (mode `oidc` only). */
  get oidcClient(): OidcBrowserClient | undefined {
    return this.#o.mode === 'oidc' ? this.#o.oidc?.browserClient() : undefined;
  }

  get mode(): AuthMode {
    return this.#o.mode;
  }

  /** The caller, undefined when no credentials were sent; throws a 401 ApiError for bad ones. */
  async authenticate(c: Credentials): Promise<Identity | undefined> {
    const apiKey = single(c.headers['x-api-key']);
    if (apiKey) return this.#apiKey(apiKey);
    const authorization = single(c.headers.authorization);
    const bearer = authorization ? bearerToken(authorization) : c.queryToken;
    if (bearer?.startsWith(API_KEY_PREFIX)) return this.#apiKey(bearer);
    if (bearer) return this.#token(bearer);
    if (this.#o.mode === 'proxy') return this.#proxy(c);
    return undefined;
  }

  async #apiKey(key: string): Promise<Identity> {
    const identity = await identityOfApiKey(this.#o.repo, key);
    if (!identity) throw invalidToken('unknown, revoked or expired API key');
    return identity;
  }

  async #token(token: string): Promise<Identity> {
    const verified = this.#verified.get(token) ?? await this.#verify(token);
    return verified.method === 'password' ? this.#current(verified) : verified;
  }

  /**
   * A built-in access token as its account stands now, read on every request: a deleted or
   * disabled account's tokens stop at once, a demoted admin's act as a user, and a token issued
   * before its account was (re)created is refused, so deleting and re-creating a name does not
   * hand the old holder the new account. The signature alone would keep them valid until exp.
   */
  async #current(identity: Identity): Promise<Identity> {
    const account = await this.#o.repo.users.get(identity.username);
    if (!account) throw invalidToken('the account no longer exists');
    if (account.disabled) throw invalidToken('the account is disabled');
    // The account id settles it exactly; the issue time covers tokens of accounts that had none.
    if (identity.accountId !== undefined && identity.accountId !== account.uid) throw invalidToken('the token was issued to an earlier account of that name');
    // iat has whole seconds: a token from the second the account was created still counts.
    if ((identity.issuedAt ?? 0) + 1000 <= Date.parse(account.createdAt)) throw invalidToken('the token was issued before the account was created');
    return account.role === identity.role ? identity : { ...identity, role: account.role };
  }

  /**
   * Whether `identity` (authenticated earlier, e.g. when a WebSocket opened) still holds with the
   * same role; the reason when not. Expiry, account state and API key revocation are checked.
   */
  async recheck(identity: Identity): Promise<string | undefined> {
    if (identity.expiresAt !== undefined && identity.expiresAt <= Date.now()) return 'the access token expired';
    try {
      const now = identity.method === 'password' ? await this.#current(identity)
        : identity.method === 'api-key' ? await this.#apiKeyById(identity) : identity;
      return now.role === identity.role ? undefined : 'the account\'s role changed';
    } catch (err) {
      if (err instanceof ApiError) return err.message;
      throw err;
    }
  }

  async #apiKeyById(identity: Identity): Promise<Identity> {
    const record = identity.apiKeyId ? await this.#o.repo.apiKeys.get(identity.apiKeyId) : undefined;
    if (!record || record.revokedAt || (record.expiresAt && Date.parse(record.expiresAt) <= Date.now())) throw invalidToken('the API key was revoked or expired');
    const account = await this.#o.repo.users.get(record.username);
    if (account?.disabled) throw invalidToken('the account is disabled');
    return account && account.role === 'user' ? { ...identity, role: 'user' } : identity;
  }

  async #verify(token: string): Promise<Identity> {
    let identity: Identity;
    try {
      identity = this.#o.mode === 'oidc' ? await this.#o.oidc!.verify(token) : await this.#o.issuer.verify(token);
    } catch (err) {
      throw invalidToken(err instanceof Error ? err.message : String(err));
    }
    // Cached until exp without the verifier's clock leeway, so a token never outlives its expiry here.
    if (identity.expiresAt) this.#verified.set(token, identity, identity.expiresAt);
    return identity;
  }

  #proxy(c: Credentials): Identity | undefined {
    const verdict = this.#o.proxy!.read(c.peer, c.headers);
    if (verdict.kind === 'none') return undefined;
    if (verdict.kind === 'untrusted') throw new ApiError('SS_ERR_UNTRUSTED_PROXY', `Identity headers are only accepted from trusted proxies, not from ${verdict.peer}`);
    return verdict.identity;
  }
}

/** The token of an `Authorization: Bearer <token>` header; 401 for any other scheme. */
function bearerToken(header: string): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw invalidToken('the Authorization header must be "Bearer <token>"');
  return match[1];
}
