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
        // The token may have expired: renew it, then come back.
        retry = setTimeout(() => void renewTokens().finally(() => !stopped && connect()), 1000);
      };
    };
    connect();
    const unsubscribe = onTokensChanged(() => {
      if (currentTokens()) connect();
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
