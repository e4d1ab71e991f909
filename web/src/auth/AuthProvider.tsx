/**
 * Who is signed in, and how to sign in and out. At start it reads how the API authenticates
 * (`/auth/config`): built-in accounts, OIDC (finishing a code + PKCE callback when the provider
 * sent the browser back) or a trusted proxy (no tokens: the proxy's headers identify the caller).
 * When a session can no longer be renewed, a dialog asks for the password again over the page.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, currentTokens, must, onSessionExpired, setTokens } from '../api/client';
import type { Me } from '../api/types';
import type { GatewayMode } from '../gateway';
import { finishOidcSignIn, startOidcSignIn, type OidcClient } from './oidc';

export interface AuthConfig {
  mode: 'local' | 'oidc' | 'proxy';
  oidc?: OidcClient;
  /** How session addresses look (the gateway on the API's port); absent without a gateway. */
  gateway?: GatewayMode;
}

interface AuthState {
  config: AuthConfig | undefined;
  me: Me | undefined;
  /** True while the first look at the session is under way. */
  loading: boolean;
  startupError: string | undefined;
  signIn(username: string, password: string): Promise<void>;
  signInWithProvider(): Promise<void>;
  signOut(): Promise<void>;
  /** True while the session-expired dialog is shown. */
  expired: boolean;
}

const AuthContext = createContext<AuthState | undefined>(undefined);

/** The auth state of the nearest provider. */
export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}

async function loadMe(): Promise<Me | undefined> {
  const res = await api.GET('/api/v1/auth/me');
  return res.response.ok ? res.data as Me : undefined;
}

async function passwordSignIn(username: string, password: string): Promise<void> {
  const tokens = must(await api.POST('/api/v1/auth/login', { body: { username, password } }));
  setTokens({ accessToken: tokens.accessToken!, refreshToken: tokens.refreshToken, refreshAt: 'local' });
}

async function startup(): Promise<{ config: AuthConfig; me: Me | undefined }> {
  const config = must(await api.GET('/api/v1/auth/config')) as AuthConfig;
  if (config.mode === 'oidc' && config.oidc) {
    const tokens = await finishOidcSignIn(config.oidc);
    if (tokens) setTokens(tokens);
  }
  const me = config.mode === 'proxy' || currentTokens() ? await loadMe() : undefined;
  if (!me) setTokens(undefined);
  return { config, me };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<AuthConfig>();
  const [me, setMe] = useState<Me>();
  const [loading, setLoading] = useState(true);
  const [startupError, setStartupError] = useState<string>();
  const [expired, setExpired] = useState(false);
  const waiting = useRef<(() => void)[]>([]);

  useEffect(() => {
    startup().then(({ config: c, me: m }) => {
      setConfig(c);
      setMe(m);
    }, (err: unknown) => setStartupError(err instanceof Error ? err.message : String(err))).finally(() => setLoading(false));
  }, []);

  // Requests that met an expired session wait here until the user signed in again.
  useEffect(() => {
    if (!me) return undefined;
    onSessionExpired(() => new Promise<void>((resolve) => {
      waiting.current.push(resolve);
      setExpired(true);
    }));
    return () => onSessionExpired(undefined);
  }, [me]);

  const signIn = useCallback(async (username: string, password: string) => {
    await passwordSignIn(username, password);
    const next = await loadMe();
    if (expired && next && me && next.username !== me.username) {
      // Someone else signed in over the dialog: nothing of the previous user's page may stay.
      location.reload();
      return;
    }
    setMe(next);
    setExpired(false);
    for (const resolve of waiting.current.splice(0)) resolve();
  }, [expired, me]);

  const signInWithProvider = useCallback(async () => {
    if (config?.oidc) await startOidcSignIn(config.oidc);
  }, [config]);

  const signOut = useCallback(async () => {
    const refreshToken = currentTokens()?.refreshToken;
    if (config?.mode === 'local' && refreshToken) await api.POST('/api/v1/auth/logout', { body: { refreshToken } });
    setTokens(undefined);
    setMe(undefined);
    location.hash = '#/';
  }, [config]);

  const value = useMemo(() => ({ config, me, loading, startupError, signIn, signInWithProvider, signOut, expired }),
    [config, me, loading, startupError, signIn, signInWithProvider, signOut, expired]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}
