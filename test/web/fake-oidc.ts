/**
 * A small OpenID provider for the browser sign-in test: discovery, JWKS, an authorization
 * endpoint that signs `username` in at once and sends the browser back with a code, and a token
 * endpoint that checks the PKCE verifier against the challenge (RFC 7636, S256) before it hands out
 * an RFC 9068 access token. Browsers call the token endpoint across origins, hence CORS.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface FakeOidcProvider {
  issuer: string;
  clientId: string;
  /** The authorization requests seen (query parameters). */
  authorizations: Record<string, string>[];
  /** Token requests refused, with why. */
  refusals: string[];
  stop(): Promise<void>;
}

interface PendingCode { challenge: string; clientId: string; redirectUri: string }

function readBody(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.on('data', (d) => (text += String(d)));
    req.on('end', () => resolve(new URLSearchParams(text)));
    req.on('error', reject);
  });
}

/** Starts the provider; every sign-in is `username`. */
export async function startFakeOidc(username: string, clientId = 'streamspace-web'): Promise<FakeOidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const codes = new Map<string, PendingCode>();
  const p = { clientId, authorizations: [], refusals: [] } as unknown as FakeOidcProvider;
  const accessToken = () => new SignJWT({ preferred_username: username, azp: clientId, realm_access: { roles: [] } })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }).setIssuer(p.issuer).setAudience('streamspace')
    .setSubject(`uuid-${username}`).setIssuedAt().setExpirationTime('5m').sign(privateKey);

  const token = async (form: URLSearchParams): Promise<{ status: number; body: unknown }> => {
    const pending = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    const verifier = form.get('code_verifier') ?? '';
    const why = !pending ? 'unknown code'
      : createHash('sha256').update(verifier).digest('base64url') !== pending.challenge ? 'code_verifier does not match the challenge'
        : form.get('redirect_uri') !== pending.redirectUri ? 'redirect_uri differs' : undefined;
    if (why) {
      p.refusals.push(why);
      return { status: 400, body: { error: 'invalid_grant', error_description: why } };
    }
    return { status: 200, body: { access_token: await accessToken(), token_type: 'Bearer', expires_in: 300 } };
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', p.issuer);
    res.setHeader('access-control-allow-origin', '*');
    if (url.pathname.endsWith('/.well-known/openid-configuration')) {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ issuer: p.issuer, jwks_uri: `${p.issuer}/certs`, authorization_endpoint: `${p.issuer}/auth`, token_endpoint: `${p.issuer}/token` }));
    }
    if (url.pathname.endsWith('/certs')) return res.end(JSON.stringify(jwks));
    if (url.pathname.endsWith('/auth')) {
      const q = Object.fromEntries(url.searchParams);
      p.authorizations.push(q);
      const code = randomBytes(16).toString('hex');
      codes.set(code, { challenge: q.code_challenge, clientId: q.client_id, redirectUri: q.redirect_uri });
      res.statusCode = 302;
      res.setHeader('location', `${q.redirect_uri}?code=${code}&state=${encodeURIComponent(q.state)}`);
      return res.end();
    }
    if (url.pathname.endsWith('/token') && req.method === 'POST') {
      void readBody(req).then(token).then(({ status, body }) => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      });
      return undefined;
    }
    res.statusCode = 404;
    return res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  p.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/test`;
  p.stop = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return p;
}
