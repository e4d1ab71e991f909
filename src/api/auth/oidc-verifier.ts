/**
 * Verification of an OIDC provider's bearer access tokens (Keycloak, Dex, Entra, ...):
 * signature against the provider's JWKS (RS256/ES256 only; `alg: none` and HMAC never),
 * issuer, audience or authorized party, exp/nbf with 30 s leeway, and that the token is an
 * access token rather than an ID token. Two conventions mark the difference: RFC 9068's header
 * `typ: at+jwt`, and Keycloak's `typ` claim (`Bearer` vs `ID`). A token with neither marker is
 * taken as an access token unless it carries ID-token-only claims (`nonce`, `at_hash`, `c_hash`).
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Identity } from './identity.ts';
import { claimAt, roleFrom, stringsAt } from './claims.ts';
import { CLOCK_TOLERANCE_SECONDS } from './token-issuer.ts';

/** OIDC settings. */
export interface OidcSettings {
  /** Expected `iss`, e.g. `https://keycloak.example.com/realms/streamspace`. */
  issuer: string;
  /** JWKS URL; discovered from `<issuer>/.well-known/openid-configuration` when absent. */
  jwksUri?: string;
  /** Accepted `aud` values. Keycloak only fills `aud` with an Audience mapper, hence `authorizedParties`. */
  audiences?: string[];
  /** Accepted `azp` values (default: `audiences`). A token passes with a matching `aud` or `azp`. */
  authorizedParties?: string[];
  /** Accepted signature algorithms (default RS256 and ES256). */
  algorithms?: string[];
  /** Claim holding the user name (default `preferred_username`, falling back to `sub`). */
  usernameClaim?: string;
  /** Claims listing roles or groups (default `realm_access.roles` and `groups`). */
  roleClaims?: string[];
  /** Roles or groups that make a caller an admin (default `streamspace-admin`, `admin`). */
  adminRoles?: string[];
  /** Public client the web UI signs in with (authorization code + PKCE); default: the first authorized party or audience. */
  clientId?: string;
  /** Scopes the web UI asks for (default `openid profile email`). */
  scopes?: string[];
}

/** What a browser needs to sign in against the provider; nothing secret. */
export interface OidcBrowserClient {
  issuer: string;
  clientId: string;
  scopes: string[];
}

/** Why a token was refused. */
export class TokenRejected extends Error {}

const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);
const ID_TOKEN_ONLY_CLAIMS = ['nonce', 'at_hash', 'c_hash'];

/** Throws unless the token is an access token (see the module comment). */
export function assertAccessToken(headerTyp: string | undefined, payload: JWTPayload): void {
  if (headerTyp && ACCESS_TOKEN_TYPES.has(headerTyp.toLowerCase())) return;
  if (typeof payload.typ === 'string') {
    if (payload.typ.toLowerCase() === 'bearer') return;
    throw new TokenRejected(`an access token is required, got a token of type ${payload.typ}`);
  }
  const idClaim = ID_TOKEN_ONLY_CLAIMS.find((c) => c in payload);
  if (idClaim) throw new TokenRejected(`an access token is required, got an ID token (it carries ${idClaim})`);
}

function assertAudience(s: OidcSettings, payload: JWTPayload): void {
  const audiences = s.audiences ?? [];
  const parties = s.authorizedParties ?? audiences;
  if (audiences.length === 0 && parties.length === 0) return;
  const aud = Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [];
  if (aud.some((a) => audiences.includes(a))) return;
  if (typeof payload.azp === 'string' && parties.includes(payload.azp)) return;
  throw new TokenRejected('the token is not meant for this API (aud/azp)');
}

/** Verifies OIDC access tokens and turns them into identities. */
export class OidcVerifier {
  readonly #s: OidcSettings;
  #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(settings: OidcSettings) {
    this.#s = settings;
  }

  /** The web UI's sign-in settings, or undefined when no client id is known. */
  browserClient(): OidcBrowserClient | undefined {
    const clientId = this.#s.clientId ?? this.#s.authorizedParties?.[0] ?? this.#s.audiences?.[0];
    return clientId ? { issuer: this.#s.issuer, clientId, scopes: this.#s.scopes ?? ['openid', 'profile', 'email'] } : undefined;
  }

  /** The caller's identity; throws {@link TokenRejected} (or a jose error) when the token is not acceptable. */
  async verify(token: string): Promise<Identity> {
    const jwks = await this.#keySet();
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: this.#s.issuer, algorithms: this.#s.algorithms ?? ['RS256', 'ES256'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ['exp'],
    });
    assertAccessToken(protectedHeader.typ, payload);
    assertAudience(this.#s, payload);
    return this.#identity(payload, token);
  }

  #identity(payload: JWTPayload, token: string): Identity {
    const claims = payload as Record<string, unknown>;
    const name = claimAt(claims, this.#s.usernameClaim ?? 'preferred_username') ?? payload.sub;
    if (typeof name !== 'string' || name === '') throw new TokenRejected('the token names no user');
    const groups = stringsAt(claims, this.#s.roleClaims ?? ['realm_access.roles', 'groups']);
    const role = roleFrom(groups, this.#s.adminRoles ?? ['streamspace-admin', 'admin']);
    const identity: Identity = { username: name, role, groups, method: 'oidc', token, expiresAt: (payload.exp ?? 0) * 1000 };
    if (typeof claims.email === 'string') identity.email = claims.email;
    return identity;
  }

  async #keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (this.#jwks) return this.#jwks;
    const uri = this.#s.jwksUri ?? (await discoverJwksUri(this.#s.issuer));
    this.#jwks = createRemoteJWKSet(new URL(uri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
    return this.#jwks;
  }
}

/** The `jwks_uri` of an issuer's discovery document. */
async function discoverJwksUri(issuer: string): Promise<string> {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new TokenRejected(`OIDC discovery failed: HTTP ${res.status}`);
  const doc = (await res.json()) as { jwks_uri?: unknown };
  if (typeof doc.jwks_uri !== 'string') throw new TokenRejected('OIDC discovery document has no jwks_uri');
  return doc.jwks_uri;
}

