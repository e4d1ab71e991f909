/**
 * OIDC sign-in for the browser: authorization code with PKCE (RFC 7636) against the configured
 * issuer. `startOidcSignIn` remembers the verifier and state in sessionStorage and leaves for the
 * provider; `finishOidcSignIn` runs when the provider sends the browser back with `?code=`.
 */
import type { Tokens } from '../api/client';

export interface OidcClient {
  issuer: string;
  clientId: string;
  scopes: string[];
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

const PENDING_KEY = 'streamspace.oidc.pending';

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function discover(issuer: string): Promise<Discovery> {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`the identity provider's discovery document answered HTTP ${res.status}`);
  return res.json() as Promise<Discovery>;
}

function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

/** Leaves for the provider's sign-in page. */
export async function startOidcSignIn(client: OidcClient): Promise<void> {
  const d = await discover(client.issuer);
  const verifier = randomString();
  const state = randomString();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo: location.hash }));
  const url = new URL(d.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: client.clientId, redirect_uri: redirectUri(), scope: client.scopes.join(' '),
    state, code_challenge: challenge, code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** Trades the `?code=` the provider sent back for tokens; undefined when this page load is not a callback. */
export async function finishOidcSignIn(client: OidcClient): Promise<Tokens | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const raw = sessionStorage.getItem(PENDING_KEY);
  if (!code || !raw) return undefined;
  sessionStorage.removeItem(PENDING_KEY);
  const pending = JSON.parse(raw) as { verifier: string; state: string; returnTo: string };
  if (params.get('state') !== pending.state) throw new Error('the sign-in answer does not match the request (state); sign in again');
  const d = await discover(client.issuer);
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(), client_id: client.clientId, code_verifier: pending.verifier });
  const res = await fetch(d.token_endpoint, { method: 'POST', body });
  if (!res.ok) throw new Error(`the identity provider refused the sign-in (HTTP ${res.status})`);
  const answer = await res.json() as { access_token: string; refresh_token?: string };
  // Back to the page the user left from: the provider returned to the bare path, and
  // replaceState fires no hashchange, so tell the router.
  history.replaceState(null, '', `${location.pathname}${pending.returnTo}`);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
  return { accessToken: answer.access_token, refreshToken: answer.refresh_token, refreshAt: { tokenEndpoint: d.token_endpoint, clientId: client.clientId } };
}
