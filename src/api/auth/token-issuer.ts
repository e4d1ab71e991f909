/**
 * Our own access tokens for built-in accounts: short-lived RS256 JWTs (header `typ: at+jwt`,
 * RFC 9068) signed with the API's {@link SigningKey} and published at /.well-known/jwks.json,
 * so other services can verify them as they would any OIDC provider's.
 */
import { createLocalJWKSet, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import type { Role } from '../db/repository.ts';
import type { Identity } from './identity.ts';
import { newId } from './secret-token.ts';
import type { SigningKey } from './signing-key.ts';

/** Options of {@link TokenIssuer}. */
export interface TokenIssuerOptions {
  key: SigningKey;
  /** `iss` of our tokens. */
  issuer: string;
  /** `aud` of our tokens. */
  audience: string;
  /** Lifetime of an access token in seconds. */
  ttlSeconds: number;
}

/** Clock skew tolerated when verifying, in seconds. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** Signs and verifies the API's own access tokens. */
export class TokenIssuer {
  readonly #o: TokenIssuerOptions;
  readonly #keySet: ReturnType<typeof createLocalJWKSet>;

  constructor(opts: TokenIssuerOptions) {
    this.#o = opts;
    this.#keySet = createLocalJWKSet(this.jwks());
  }

  /** The public keys, as served at /.well-known/jwks.json. */
  jwks(): JSONWebKeySet {
    return { keys: [this.#o.key.publicJwk] };
  }

  /** An access token for `user`. */
  async sign(user: { username: string; uid?: string; role: Role; email?: string }): Promise<{ accessToken: string; expiresIn: number }> {
    const claims: Record<string, unknown> = { role: user.role };
    if (user.email) claims.email = user.email;
    if (user.uid) claims.uid = user.uid;
    const accessToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: this.#o.key.kid })
      .setIssuer(this.#o.issuer).setAudience(this.#o.audience).setSubject(user.username)
      .setIssuedAt().setExpirationTime(`${this.#o.ttlSeconds}s`).setJti(newId())
      .sign(this.#o.key.privateKey);
    return { accessToken, expiresIn: this.#o.ttlSeconds };
  }

  /** The identity in `token`; throws when it is not a valid token of ours. */
  async verify(token: string): Promise<Identity> {
    const { payload } = await jwtVerify(token, this.#keySet, {
      issuer: this.#o.issuer, audience: this.#o.audience, algorithms: ['RS256'], typ: 'at+jwt',
      clockTolerance: CLOCK_TOLERANCE_SECONDS, requiredClaims: ['sub', 'exp', 'iat'],
    });
    const role: Role = payload.role === 'admin' ? 'admin' : 'user';
    const identity: Identity = {
      username: String(payload.sub), role, groups: [], method: 'password', token, expiresAt: payload.exp! * 1000, issuedAt: (payload.iat ?? 0) * 1000,
    };
    if (typeof payload.email === 'string') identity.email = payload.email;
    if (typeof payload.uid === 'string') identity.accountId = payload.uid;
    return identity;
  }
}
