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
    const cached = this.#verified.get(token);
    if (cached) return cached;
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
