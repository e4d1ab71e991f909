/**
 * The API's WebSocket (`/api/v1/ws`): a snapshot of the caller's sessions, then each change as it
 * happens (no polling). Admins also get NodeOperation changes. On a drop it renews the token and
 * reconnects; a new token (signed in again) reconnects at once.
 */
import { useEffect, useState } from 'react';
import { currentTokens, onTokensChanged, renewTokens } from './api/client';
import type { NodeOperation, Session } from './api/types';

export interface LiveState {
  sessions: Session[];
  operations: NodeOperation[];
  /** False until the snapshot arrived, and while reconnecting. */
  connected: boolean;
  /** Bumped on every message, for views that recompute from other reads (node statistics). */
  version: number;
}

type Message =
  | { type: 'SNAPSHOT'; items: Session[] }
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; session?: Session; nodeOperation?: NodeOperation };

function wsUrl(): string {
  const token = currentTokens()?.accessToken;
  const url = new URL('/api/v1/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) url.searchParams.set('access_token', token);
  return url.toString();
}

/**
 * Whether the access token may still open the socket: the server refuses (and the browser logs) a
 * handshake with an expired token, so the page waits for a renewed or new sign-in instead. Tokens
 * that are not JWTs (some OIDC providers) are left to the server to judge.
 */
function tokenUsable(): boolean {
  const token = currentTokens()?.accessToken;
  // No token: the server knows the caller otherwise (a trusted proxy's headers).
  if (!token) return true;
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof payload.exp !== 'number' || payload.exp * 1000 > Date.now();
  } catch {
    return true;
  }
}

function upsert<T extends { metadata: { name: string } }>(list: T[], item: T, removed: boolean): T[] {
  const rest = list.filter((x) => x.metadata.name !== item.metadata.name);
  return removed ? rest : [...rest, item].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

function apply(state: LiveState, m: Message): LiveState {
  if (m.type === 'SNAPSHOT') return { ...state, sessions: m.items, connected: true, version: state.version + 1 };
  const removed = m.type === 'DELETED';
  return {
    ...state, version: state.version + 1,
    sessions: m.session ? upsert(state.sessions, m.session, removed) : state.sessions,
    operations: m.nodeOperation ? upsert(state.operations, m.nodeOperation, removed) : state.operations,
  };
}

/** The live sessions (and, for admins, node operations) while `enabled`. */
export function useLive(enabled: boolean): LiveState {
  const [state, setState] = useState<LiveState>({ sessions: [], operations: [], connected: false, version: 0 });
  useEffect(() => {
    if (!enabled) return undefined;
    let socket: WebSocket | undefined;
    let stopped = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      socket?.close();
      const s = new WebSocket(wsUrl());
      socket = s;
      s.onmessage = (e) => setState((st) => apply(st, JSON.parse(String(e.data)) as Message));
      s.onclose = () => {
        if (stopped || socket !== s) return;
        setState((st) => ({ ...st, connected: false }));
        // The token may have expired: renew it, then come back (or wait for the next sign-in).
        retry = setTimeout(() => void renewTokens().finally(() => !stopped && tokenUsable() && connect()), 1000);
      };
    };
    if (tokenUsable()) connect();
    const unsubscribe = onTokensChanged(() => {
      if (tokenUsable()) connect();
    });
    return () => {
      stopped = true;
      clearTimeout(retry);
      unsubscribe();
      socket?.close();
    };
  }, [enabled]);
  return state;
}
