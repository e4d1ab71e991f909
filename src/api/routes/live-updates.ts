/**
 * Live updates over WebSocket (`GET /api/v1/ws`): first a snapshot of the sessions the caller
 * may see, then one message per change of any of them, pushed from the informer (admins get
 * every session, and every NodeOperation change as `{type, nodeOperation}`). Browsers cannot set headers on a WebSocket, so the token may come as
 * `?access_token=`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { ApiDeps } from '../api-deps.ts';
import { NODE_OPERATION, SESSION } from '../kube/kinds.ts';
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
      socket.on('close', () => {
        unsubscribe();
        unsubscribeOps();
      });
    });
  };
}
