/**
 * OIDC bearer tokens and trusted proxy headers, against a fake OIDC provider (a small HTTP
 * server serving discovery and a JWKS, with keys made by jose). The attack suite: every forged,
 * misdirected, stale or wrong-kind token is refused with 401.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { OidcVerifier } from '../../src/api/auth/oidc-verifier.ts';
import { startApiHarness, type ApiHarness } from './harness.ts';

interface FakeProvider {
  issuer: string;
  rsa: CryptoKey;
  rsaPublicPem: string;
  ec: CryptoKey;
  /** A key the provider does not publish. */
  stranger: CryptoKey;
  jwksRequests: number;
  stop(): Promise<void>;
}

async function startProvider(): Promise<FakeProvider> {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const stranger = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' }, { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' }] };
  const provider = { jwksRequests: 0 } as FakeProvider;
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/realms/test/.well-known/openid-configuration') return res.end(JSON.stringify({ issuer: provider.issuer, jwks_uri: `${provider.issuer}/protocol/openid-connect/certs` }));
    if (req.url === '/realms/test/protocol/openid-connect/certs') {
      provider.jwksRequests++;
      return res.end(JSON.stringify(jwks));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/test`;
  Object.assign(provider, {
    rsa: rsa.privateKey, ec: ec.privateKey, stranger: stranger.privateKey, rsaPublicPem: await exportSPKI(rsa.publicKey),
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  });
  return provider;
}

const now = (): number => Math.floor(Date.now() / 1000);

/** A Keycloak-shaped access token payload for `user`. */
function accessClaims(p: FakeProvider, user: string, extra: JWTPayload = {}): JWTPayload {
  return {
    iss: p.issuer, aud: 'streamspace', azp: 'streamspace-web', sub: `uuid-${user}`, typ: 'Bearer', preferred_username: user,
    email: `${user}@example.com`, realm_access: { roles: ['offline_access'] }, iat: now(), exp: now() + 300, ...extra,
  };
}

async function sign(payload: JWTPayload, key: CryptoKey, header: Record<string, unknown> = {}): Promise<string> {
  const alg = (header.alg as string) ?? 'RS256';
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', kid: alg === 'ES256' ? 'ec-1' : 'rsa-1', ...header }).sign(key);
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('OIDC bearer tokens', () => {
  let p: FakeProvider;
  let h: ApiHarness;
  before(async () => {
    p = await startProvider();
    h = await startApiHarness({ auth: { mode: 'oidc', oidc: { issuer: p.issuer, audiences: ['streamspace'], adminRoles: ['streamspace-admin'] } } });
  });
  after(async () => {
    await h?.stop();
    await p?.stop();
  });

  const me = (token: string) => h.request('GET', '/api/v1/auth/me', { token });

  it('accepts RS256 and ES256 access tokens and maps roles from realm_access.roles and groups', async () => {
    const user = await me(await sign(accessClaims(p, 'ana'), p.rsa));
    assert.equal(user.status, 200, user.text);
    assert.deepEqual(user.json, { username: 'ana', email: 'ana@example.com', role: 'user', groups: ['offline_access'], method: 'oidc' });
    const ec = await me(await sign(accessClaims(p, 'ben', { groups: ['/streamspace-admin'] }), p.ec, { alg: 'ES256' }));
    assert.equal(ec.status, 200, ec.text);
    assert.equal(ec.json.role, 'admin', 'a Keycloak group path maps to the admin role');
    const realmAdmin = await me(await sign(accessClaims(p, 'cat', { realm_access: { roles: ['streamspace-admin'] } }), p.rsa));
    assert.equal(realmAdmin.json.role, 'admin');
  });

  it('accepts a token whose aud lacks us when azp is an accepted party, and at+jwt tokens without a typ claim', async () => {
    const azpOnly = await me(await sign(accessClaims(p, 'dan', { aud: 'account', azp: 'streamspace' }), p.rsa));
    assert.equal(azpOnly.status, 200, azpOnly.text);
    const { typ: _typ, ...claims } = accessClaims(p, 'eve');
    const rfc9068 = await me(await sign(claims, p.rsa, { typ: 'at+jwt' }));
    assert.equal(rfc9068.status, 200, rfc9068.text);
  });

  it('tolerates 30 s of clock skew', async () => {
    const res = await me(await sign(accessClaims(p, 'fay', { exp: now() - 10, nbf: now() + 10 }), p.rsa));
    assert.equal(res.status, 200, res.text);
  });

  it('refuses every attack with 401', async () => {
    const good = await sign(accessClaims(p, 'mallory'), p.rsa);
    assert.equal((await me(good)).status, 200, 'the untampered token passes, so each refusal below is the attack\'s doing');
    const [header, payload, signature] = good.split('.');
    const { typ: _typ, ...noTypClaim } = accessClaims(p, 'mallory');
    const attacks: Record<string, string> = {
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(accessClaims(p, 'mallory'))}.`,
      'HS256 signed with the RSA public key': await new SignJWT(accessClaims(p, 'mallory'))
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' }).sign(new TextEncoder().encode(p.rsaPublicPem)),
      'wrong issuer': await sign(accessClaims(p, 'mallory', { iss: 'https://evil.example.com/realms/test' }), p.rsa),
      'wrong audience': await sign(accessClaims(p, 'mallory', { aud: 'other-api', azp: 'other-client' }), p.rsa),
      'expired': await sign(accessClaims(p, 'mallory', { iat: now() - 600, exp: now() - 120 }), p.rsa),
      'not yet valid': await sign(accessClaims(p, 'mallory', { nbf: now() + 120 }), p.rsa),
      'unknown kid': await sign(accessClaims(p, 'mallory'), p.stranger, { kid: 'not-published' }),
      'known kid, foreign key': await sign(accessClaims(p, 'mallory'), p.stranger),
      'tampered payload': `${header}.${b64({ ...accessClaims(p, 'mallory'), preferred_username: 'admin', realm_access: { roles: ['streamspace-admin'] } })}.${signature}`,
      'tampered signature': `${header}.${payload}.${signature.slice(0, -4)}AAAA`,
      'ID token (Keycloak typ claim)': await sign(accessClaims(p, 'mallory', { typ: 'ID', aud: 'streamspace', nonce: 'n' }), p.rsa),
      'ID token (nonce/at_hash, no typ claim)': await sign({ ...noTypClaim, nonce: 'n-1', at_hash: 'x' }, p.rsa),
      'refresh token': await sign(accessClaims(p, 'mallory', { typ: 'Refresh' }), p.rsa),
      'no exp': await sign({ ...accessClaims(p, 'mallory'), exp: undefined }, p.rsa),
      'garbage': 'not.a.jwt',
    };
    for (const [name, token] of Object.entries(attacks)) {
      const res = await me(token);
      assert.equal(res.status, 401, `${name}: ${res.status} ${res.text}`);
      assert.equal(res.json.error, 'SS_ERR_INVALID_TOKEN', name);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/, name);
    }
    const noScheme = await h.request('GET', '/api/v1/auth/me', { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    assert.equal(noScheme.status, 401);
    assert.equal((await h.request('GET', '/api/v1/auth/me')).status, 401, 'no credentials');
  });

  it('ignores identity headers outside proxy mode', async () => {
    const res = await h.request('GET', '/api/v1/auth/me', { headers: { 'x-forwarded-user': 'admin' } });
    assert.equal(res.status, 401);
    assert.equal(res.json.error, 'SS_ERR_UNAUTHENTICATED');
  });

  it('keeps the caller\'s token on the identity for forwarding', async () => {
    const token = await sign(accessClaims(p, 'gil'), p.rsa);
    const identity = await new OidcVerifier({ issuer: p.issuer, audiences: ['streamspace'] }).verify(token);
    assert.equal(identity.token, token);
    assert.equal(identity.username, 'gil');
  });
});

describe('trusted proxy headers', () => {
  let h: ApiHarness;
  before(async () => {
    h = await startApiHarness({ auth: { mode: 'proxy', proxy: { trustedProxies: ['10.0.0.0/8', 'fd00::/8'], groupsHeader: 'x-forwarded-groups' } } });
  });
  after(() => h?.stop());

  it('refuses identity headers from an untrusted address with 401', async () => {
    const res = await h.request('GET', '/api/v1/auth/me', { headers: { 'x-forwarded-user': 'admin', 'x-forwarded-groups': 'streamspace-admin' } });
    assert.equal(res.status, 401);
    assert.equal(res.json.error, 'SS_ERR_UNTRUSTED_PROXY');
    assert.match(res.json.message, /127\.0\.0\.1/);
  });

  it('believes the headers from a trusted proxy address', async () => {
    await h.restartApi({ auth: { mode: 'proxy', proxy: { trustedProxies: ['127.0.0.1/32'], groupsHeader: 'x-forwarded-groups' } } });
    const res = await h.request('GET', '/api/v1/auth/me', { headers: { 'x-forwarded-user': 'ivy', 'x-forwarded-email': 'ivy@example.com', 'x-forwarded-groups': 'dev, streamspace-admin' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { username: 'ivy', email: 'ivy@example.com', role: 'admin', groups: ['dev', 'streamspace-admin'], method: 'proxy' });
    assert.equal((await h.request('GET', '/api/v1/auth/me')).status, 401, 'no headers, no identity');
  });
});
