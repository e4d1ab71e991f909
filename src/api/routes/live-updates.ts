/**
 * Live updates over WebSocket (`GET /api/v1/ws`): first a snapshot of the sessions the caller
 * may see, then one message per change of any of them, pushed from the informer (admins get
 * every session, and every NodeOperation change as `{type, nodeOperation}`). Browsers cannot set headers on a WebSocket, so the token may come as
 * `?access_token=`.
 *
 * A socket outlives the request that authenticated it, so it is closed (code 1008, the reason in
 * the close frame) when its token expires, and re-checked (account deleted, disabled, demoted, API
 * key revoked) at once when this replica changes the account and every `socketRecheckMs` for
 * changes made elsewhere. A caller whose role changed reconnects to see what the new role allows.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { ApiDeps } from '../api-deps.ts';
import { NODE_OPERATION, SESSION } from '../kube/kinds.ts';
import type { Identity } from '../auth/identity.ts';
import { callerOf } from '../plugins/authentication.ts';
import { visibleSessions, mayActOn } from '../sessions/session-access.ts';
import { forClient } from './sessions.ts';

/** The WebSocket route. */
export function liveUpdateRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/', {
      websocket: true,
      config: { queryToken: true },
      schema: {
        summary: 'WebSocket of session changes: `{type: SNAPSHOT, items}` then `{type: ADDED|MODIFIED|DELETED, session}`; admins also get `{type, nodeOperation}`', tags: ['live'],
        querystring: { type: 'object', properties: { access_token: { type: 'string', description: 'Access token, for clients that cannot set headers.' } } },
      },
    }, (socket, request) => {
      const caller = callerOf(request);
      socket.send(JSON.stringify({ type: 'SNAPSHOT', items: visibleSessions(deps.view, caller).map(forClient) }));
      const unsubscribe = deps.view.subscribe(SESSION, (change) => {
        const session = change.object as Session;
        if (mayActOn(caller, session) && socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: change.type, session: forClient(session) }));
      });
      // Admins also follow node maintenance: NodeOperations and their progress.
      const unsubscribeOps = caller.role === 'admin' ? deps.view.subscribe(NODE_OPERATION, (change) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: change.type, nodeOperation: forClient(change.object) }));
      }) : () => undefined;
      const stopGuard = guardSocket(deps, socket, caller);
      socket.on('close', () => {
        unsubscribe();
        unsubscribeOps();
        stopGuard();
      });
    });
  };
}

/** WebSocket close code for a connection whose credentials no longer hold (policy violation). */
export const CLOSE_REVOKED = 1008;

/** Closes `socket` when `caller`'s credentials stop holding; returns the function that stops watching. */
function guardSocket(deps: ApiDeps, socket: WebSocket, caller: Identity): () => void {
  const timers: NodeJS.Timeout[] = [];
  const close = (reason: string): void => {
    if (socket.readyState === socket.OPEN) socket.close(CLOSE_REVOKED, reason.slice(0, 120));
  };
  const recheck = (): void => {
    deps.authenticator.recheck(caller)
      .then((reason) => { if (reason) close(reason); })
      .catch((err: unknown) => deps.logger.warn({ err: String(err), user: caller.username }, 'WebSocket re-check failed; next one at the interval'));
  };
  // setTimeout takes at most 2^31-1 ms; a later expiry is caught by the periodic re-check.
  const untilExpiry = caller.expiresAt === undefined ? undefined : caller.expiresAt - Date.now();
  if (untilExpiry !== undefined && untilExpiry < 2 ** 31 - 1) timers.push(setTimeout(() => close('the access token expired'), Math.max(0, untilExpiry)));
  timers.push(setInterval(recheck, deps.settings.socketRecheckMs));
  const unsubscribe = deps.accountChanges.subscribe((username) => { if (username === caller.username) recheck(); });
  return () => {
    for (const t of timers) clearTimeout(t);
    unsubscribe();
  };
}
