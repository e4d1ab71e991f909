/**
 * Session addresses through the gateway, as the API's `/auth/config` describes it: `/s/{session}/`
 * on this origin (path mode) or `{session}.{domain}` (host mode). The gateway also streams a
 * starting session's progress (the steps of its waiting page) from `{address}.streamspace/progress`.
 */
import { currentTokens } from './api/client';

export type GatewayMode = { kind: 'path' } | { kind: 'host'; domain: string };

/** The address a browser opens the session at, or undefined without a gateway. */
export function sessionUrl(gateway: GatewayMode | undefined, name: string): string | undefined {
  if (!gateway) return undefined;
  if (gateway.kind === 'path') return `/s/${encodeURIComponent(name)}/`;
  return `${location.protocol}//${name}.${gateway.domain}/`;
}

export interface GatewayStep { id: string; label: string; done: boolean }
export interface GatewayProgress { steps: GatewayStep[]; ready: boolean; failed?: string; events: string[] }

/**
 * Follows the gateway's progress stream (server-sent events, read with fetch so the token can go
 * in a header) until it ends or `signal` aborts; same-origin addresses only.
 */
export async function followProgress(
  gateway: GatewayMode | undefined, name: string, signal: AbortSignal, onProgress: (p: GatewayProgress) => void,
): Promise<void> {
  if (gateway?.kind !== 'path') return;
  const token = currentTokens()?.accessToken;
  const res = await fetch(`${sessionUrl(gateway, name)}.streamspace/progress`, {
    headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal,
  });
  if (!res.ok || !res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const events = buffer.split('\n\n');
    buffer = events.pop() ?? '';
    for (const event of events) {
      const data = event.split('\n').find((l) => l.startsWith('data: '));
      if (event.startsWith('event: progress') && data) onProgress(JSON.parse(data.slice(6)) as GatewayProgress);
    }
  }
}
