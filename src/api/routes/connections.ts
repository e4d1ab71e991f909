/**
 * Viewer connections. A viewer opening a session registers a connection, heartbeats it, and
 * closes it; connections not heard from for the TTL (60 s) expire. Connecting to a hibernated
 * session asks for it to run (spec.state), and `?wait=true` holds the answer until the
 * controller reports Running (or the wait times out: `ready` says which).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import { mergePatch } from '../../runtime/patch.ts';
import { isTerminated } from '../../apis/stream/v1alpha1/desired-state.ts';
import type { ApiDeps } from '../api-deps.ts';
import type { Identity } from '../auth/identity.ts';
import { newId } from '../auth/secret-token.ts';
import { ApiError, forbidden, notFound } from '../errors.ts';
import { SESSION } from '../kube/kinds.ts';
import { kubeCall } from '../kube/kube-errors.ts';
import { noteAudit } from '../plugins/audit.ts';
import { callerOf } from '../plugins/authentication.ts';
import { idParams, kubeObject, listOf } from '../schemas.ts';
import { sessionForCaller } from '../sessions/session-access.ts';
import { forClient } from './sessions.ts';

const connectionSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, session: { type: 'string' }, username: { type: 'string' }, client: { type: 'string' }, connectedAt: { type: 'string' }, lastHeartbeat: { type: 'string' } },
};
const connectionParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } };

interface ConnectQuery {
  wait?: boolean;
  timeoutSeconds?: number;
}

/** The session if a viewer may connect to it; 409 naming the state when it is terminated (nothing left to show). */
function connectableSession(session: Session): Session {
  if (isTerminated(session)) {
    const phase = session.status?.phase ? `, phase ${session.status.phase}` : '';
    throw new ApiError('SS_ERR_CONFLICT', `session ${session.metadata.name} is terminated (state ${session.spec.state ?? 'running'}${phase}); a viewer cannot connect to it`);
  }
  return session;
}

async function wake(deps: ApiDeps, session: Session): Promise<Session> {
  if (session.spec.state !== 'hibernated') return session;
  return kubeCall(() => deps.view.client.patch<Session>(session, mergePatch({ spec: { state: 'running' } })));
}

async function ownConnection(deps: ApiDeps, caller: Identity, id: string): Promise<void> {
  const c = await deps.repo.connections.get(id);
  if (!c) throw notFound(`connection ${id}`);
  if (c.username !== caller.username && caller.role !== 'admin') throw forbidden(`connection ${id} belongs to another user`);
}

/** The connection routes. */
export function connectionRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    const ttl = deps.settings.connectionTtlMs;
    const sweeper = setInterval(() => void deps.repo.connections.expire(new Date(Date.now() - ttl)).catch(() => undefined), Math.max(1000, ttl / 2));
    sweeper.unref();
    app.addHook('onClose', async () => clearInterval(sweeper));

    app.post<{ Params: { id: string }; Body: { client?: string } | undefined; Querystring: ConnectQuery }>('/sessions/:id/connections', {
      config: { audit: 'session.connect' },
      schema: {
        summary: 'Connect a viewer; wakes a hibernated session, and with `?wait=true` answers once it is Running', tags: ['connections'], params: idParams,
        querystring: { type: 'object', additionalProperties: false, properties: { wait: { type: 'boolean' }, timeoutSeconds: { type: 'integer', minimum: 1, maximum: 300, default: 60 } } },
        // Optional: an empty body (with or without a JSON content type) is no body.
        body: { type: ['object', 'null'], additionalProperties: false, properties: { client: { type: 'string', maxLength: 200 } } },
        response: { 201: { type: 'object', properties: { connection: connectionSchema, session: kubeObject, ready: { type: 'boolean' } } } },
      },
    }, async (request, reply) => {
      const caller = callerOf(request);
      let session = await wake(deps, connectableSession(sessionForCaller(deps.view, caller, request.params.id)));
      const name = session.metadata.name!;
      const client = request.body?.client ?? undefined;
      const connection = await deps.repo.connections.insert({ id: newId(), session: name, username: caller.username, client });
      noteAudit(request, { target: session.metadata.name });
      deps.heartbeats.record(session.metadata.name!, Date.now());
      if (request.query.wait) {
        const timeoutMs = (request.query.timeoutSeconds ?? 60) * 1000;
        session = (await deps.view.waitFor<Session>(SESSION, session.metadata.name!, (s) => s?.status?.phase === 'Running', timeoutMs)) ?? session;
      }
      return reply.code(201).send({ connection, session: forClient(session), ready: session.status?.phase === 'Running' });
    });

    app.get<{ Params: { id: string } }>('/sessions/:id/connections', {
      schema: { summary: 'Viewers connected to a session', tags: ['connections'], params: idParams, response: { 200: listOf(connectionSchema, 'Active connections') } },
    }, async (request) => {
      const session = sessionForCaller(deps.view, callerOf(request), request.params.id);
      return { items: await deps.repo.connections.listActive(session.metadata.name!, new Date(Date.now() - ttl)) };
    });

    app.post<{ Params: { id: string } }>('/connections/:id/heartbeat', {
      config: { audit: false },
      schema: { summary: 'Keep a connection alive (and count as session activity)', tags: ['connections'], params: connectionParams, response: { 204: { type: 'null' } } },
    }, async (request, reply) => {
      const caller = callerOf(request);
      const c = await deps.repo.connections.get(request.params.id);
      if (!c || Date.parse(c.lastHeartbeat) < Date.now() - ttl) throw notFound(`connection ${request.params.id}`);
      if (c.username !== caller.username && caller.role !== 'admin') throw forbidden(`connection ${c.id} belongs to another user`);
      await deps.repo.connections.heartbeat(c.id);
      deps.heartbeats.record(c.session, Date.now());
      return reply.code(204).send();
    });

    app.delete<{ Params: { id: string } }>('/connections/:id', {
      config: { audit: 'session.disconnect' },
      schema: { summary: 'Disconnect a viewer', tags: ['connections'], params: connectionParams, response: { 204: { type: 'null' } } },
    }, async (request, reply) => {
      await ownConnection(deps, callerOf(request), request.params.id);
      await deps.repo.connections.delete(request.params.id);
      return reply.code(204).send();
    });
  };
}
