/**
 * The typed API client: openapi-fetch over the types generated from the API's OpenAPI document
 * (openapi.d.ts), with a fetch that carries the caller's token. An answer of 401 first tries the
 * refresh token; when that fails too it asks whoever registered `onSessionExpired` (the auth
 * provider's dialog) to sign in again, then repeats the request: the page and whatever the user
 * typed stay where they were.
 */
import createClient from 'openapi-fetch';
import type { paths } from './openapi';

/** Tokens of a signed-in browser (built-in accounts or OIDC). */
export interface Tokens {
  accessToken: string;
  refreshToken?: string;
  /** Where the refresh token is traded: our API (`local`) or the OIDC provider's token endpoint. */
  refreshAt?: 'local' | { tokenEndpoint: string; clientId: string };
}

const STORAGE_KEY = 'streamspace.tokens';

let tokens: Tokens | undefined = load();
let refreshing: Promise<boolean> | undefined;
let expiredHandler: (() => Promise<void>) | undefined;
const tokenListeners = new Set<() => void>();

function load(): Tokens | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? JSON.parse(raw) as Tokens : undefined;
  } catch {
    return undefined;
  }
}

/** The current tokens (undefined when signed out or behind a trusted proxy). */
export function currentTokens(): Tokens | undefined {
  return tokens;
}

/** Stores (or with undefined, forgets) the tokens. */
export function setTokens(next: Tokens | undefined): void {
  tokens = next;
  if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of tokenListeners) listener();
}

/** Calls `listener` whenever the tokens change (the WebSocket reconnects with the new one). */
export function onTokensChanged(listener: () => void): () => void {
  tokenListeners.add(listener);
  return () => tokenListeners.delete(listener);
}

/** Registers what to do when the session cannot be renewed: resolve once the user signed in again. */
export function onSessionExpired(handler: (() => Promise<void>) | undefined): void {
  expiredHandler = handler;
}

async function refreshOnce(): Promise<boolean> {
  const t = tokens;
  if (!t?.refreshToken) return false;
  try {
    const next = t.refreshAt && t.refreshAt !== 'local' ? await refreshAtProvider(t.refreshToken, t.refreshAt) : await refreshLocal(t.refreshToken);
    if (!next) return false;
    setTokens(next);
    return true;
  } catch {
    return false;
  }
}

async function refreshLocal(refreshToken: string): Promise<Tokens | undefined> {
  const res = await fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
  if (!res.ok) return undefined;
  const body = await res.json() as { accessToken: string; refreshToken: string };
  return { accessToken: body.accessToken, refreshToken: body.refreshToken, refreshAt: 'local' };
}

async function refreshAtProvider(refreshToken: string, at: { tokenEndpoint: string; clientId: string }): Promise<Tokens | undefined> {
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: at.clientId });
  const res = await fetch(at.tokenEndpoint, { method: 'POST', body });
  if (!res.ok) return undefined;
  const answer = await res.json() as { access_token: string; refresh_token?: string };
  return { accessToken: answer.access_token, refreshToken: answer.refresh_token ?? refreshToken, refreshAt: at };
}

/** Renews the access token (one refresh at a time); false when it cannot be renewed. */
export function renewTokens(): Promise<boolean> {
  refreshing ??= refreshOnce().finally(() => (refreshing = undefined));
  return refreshing;
}

function withToken(request: Request): Request {
  const r = request.clone();
  if (tokens) r.headers.set('authorization', `Bearer ${tokens.accessToken}`);
  return r;
}

/** fetch with the token; on 401: refresh, else ask the user to sign in again, then retry once. */
export async function authFetch(request: Request): Promise<Response> {
  const first = await fetch(withToken(request));
  if (first.status !== 401 || request.url.includes('/api/v1/auth/')) return first;
  if (!(await renewTokens())) {
    if (!expiredHandler) return first;
    await expiredHandler();
  }
  return fetch(withToken(request));
}

export const api = createClient<paths>({ baseUrl: '', fetch: authFetch });

/** An error answer of the API (`{error, message, field}`). */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: number, body: { error?: string; message?: string; field?: string } | undefined) {
    super(body?.message ?? `request failed with HTTP ${status}`);
    this.status = status;
    this.code = body?.error ?? 'SS_ERR_UNKNOWN';
    this.field = body?.field;
  }
}

/** The data of a successful openapi-fetch result, or an {@link ApiFailure}. */
export function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw new ApiFailure(result.response.status, result.error as never);
  return result.data as T;
}
