/**
 * Sessions. The API never runs workloads: a create writes a Session resource (the controller
 * does the rest) and answers 202; state changes patch spec.state; reads come from the informer
 * cache. Heartbeats are coalesced in memory (sessions/heartbeat-coalescer.ts).
 */
import { durationMs } from '../../apimachinery/duration.ts';
import { kubeTime } from '../../apimachinery/time.ts';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { KubeObject } from '../../apimachinery/object.ts';
import { SESSION_PHASES, SESSION_STATES, type Session, type SessionState } from '../../apis/stream/v1alpha1/session.ts';
import { mergePatch } from '../../runtime/patch.ts';
import type { ApiDeps } from '../api-deps.ts';
import { invalidInput } from '../errors.ts';
import { EVENT, SESSION, TEMPLATE } from '../kube/kinds.ts';
import { kubeCall } from '../kube/kube-errors.ts';
import { noteAudit } from '../plugins/audit.ts';
import { callerOf } from '../plugins/authentication.ts';
import { idParams, kubeObject, listOf } from '../schemas.ts';
import { checkSessionAccess, sessionForCaller, visibleSessions } from '../sessions/session-access.ts';
import { buildSession, sessionCreateSchema, type SessionCreateBody, type SessionOwner } from '../sessions/session-factory.ts';
import { desiredState } from '../../apis/stream/v1alpha1/desired-state.ts';

/** An object as answered: without managedFields (noise for clients). */
export function forClient<T extends KubeObject>(obj: T): T {
  const { managedFields: _mf, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

interface ListQuery {
  user?: string;
  state?: SessionState;
  phase?: string;
}

const sessionList = listOf(kubeObject, 'Sessions, oldest first');

/** The session routes. */
export function sessionRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: ListQuery }>('/', {
      schema: {
        summary: 'List your sessions (admins: everyone\'s, or one user\'s with `?user=`)', tags: ['sessions'],
        querystring: {
          type: 'object', additionalProperties: false,
          properties: { user: { type: 'string', maxLength: 128 }, state: { type: 'string', enum: [...SESSION_STATES] }, phase: { type: 'string', enum: [...SESSION_PHASES] } },
        },
        response: { 200: sessionList },
      },
    }, async (request) => {
      const { user, state, phase } = request.query;
      const items = visibleSessions(deps.view, callerOf(request), user)
        .filter((s) => (state === undefined || desiredState(s) === state) && (phase === undefined || s.status?.phase === phase));
      return { items: items.map(forClient) };
    });

    app.post<{ Body: SessionCreateBody }>('/', {
      config: { audit: 'session.create' },
      schema: {
        summary: 'Launch a session from a template (creates the Session resource; the controller starts it)', tags: ['sessions'],
        body: sessionCreateSchema(), response: { 202: kubeObject },
      },
    }, async (request, reply) => createSession(deps, request.body, callerOf(request), reply, (name) => noteAudit(request, { target: name })));

    app.get<{ Params: { id: string } }>('/:id', {
      schema: { summary: 'Read one session', tags: ['sessions'], params: idParams, response: { 200: kubeObject } },
    }, async (request) => forClient(sessionForCaller(deps.view, callerOf(request), request.params.id)));

    app.patch<{ Params: { id: string }; Body: SessionPatchBody }>('/:id', {
      config: { audit: 'session.update' },
      schema: {
        summary: 'Ask for a state (running, hibernated, terminated) and/or keep the session running until a time', tags: ['sessions'], params: idParams,
        body: {
          type: 'object', additionalProperties: false, minProperties: 1,
          properties: {
            state: { type: 'string', enum: [...SESSION_STATES] },
            keepRunningUntil: { type: 'string', format: 'date-time', description: 'Idle hibernation waits until then (a long job); at most maxSessionDuration after the start.' },
          },
        },
        response: { 202: kubeObject },
      },
    }, async (request, reply) => {
      const session = sessionForCaller(deps.view, callerOf(request), request.params.id);
      const { state, keepRunningUntil } = request.body;
      if (keepRunningUntil !== undefined) checkKeepRunningUntil(session, keepRunningUntil, Date.now());
      const spec = { ...(state ? { state } : {}), ...(keepRunningUntil !== undefined ? { keepRunningUntil: kubeTime(Date.parse(keepRunningUntil)) } : {}) };
      const patched = await kubeCall(() => deps.view.client.patch<Session>(session, mergePatch({ spec })));
      return reply.code(202).send(forClient(patched));
    });

    app.delete<{ Params: { id: string } }>('/:id', {
      config: { audit: 'session.delete' },
      schema: { summary: 'Delete a session (the controller cleans up; the user\'s home volume is kept)', tags: ['sessions'], params: idParams, response: { 202: kubeObject } },
    }, async (request, reply) => {
      const session = sessionForCaller(deps.view, callerOf(request), request.params.id);
      await kubeCall(() => deps.view.client.delete(session, { propagationPolicy: 'Background' }));
      return reply.code(202).send(forClient(session));
    });

    app.get<{ Params: { id: string } }>('/:id/events', {
      schema: { summary: 'Kubernetes events about a session, oldest first', tags: ['sessions'], params: idParams, response: { 200: listOf(kubeObject, 'core/v1 Events') } },
    }, async (request) => {
      const session = sessionForCaller(deps.view, callerOf(request), request.params.id);
      return { items: sessionEvents(deps, session).map(forClient) };
    });

    app.post<{ Params: { id: string } }>('/:id/heartbeat', {
      // An activity signal, not a change: counted in metrics, not audited.
      config: { audit: false },
      schema: {
        summary: 'Report user activity; written to status.lastActivity at most once per flush interval', tags: ['sessions'], params: idParams,
        response: { 202: { type: 'object', properties: { accepted: { type: 'boolean' }, flushIntervalSeconds: { type: 'number' } } } },
      },
    }, async (request, reply) => {
      const id = request.params.id;
      checkSessionAccess(deps.view, callerOf(request), id);
      deps.heartbeats.record(id, Date.now());
      return reply.code(202).send({ accepted: true, flushIntervalSeconds: deps.settings.heartbeatFlushIntervalMs / 1000 });
    });
  };
}

async function createSession(
  deps: ApiDeps, body: SessionCreateBody, owner: SessionOwner, reply: FastifyReply, note: (name: string) => void,
): Promise<FastifyReply> {
  if (!deps.view.get(TEMPLATE, body.template)) throw invalidInput('body.template', `template ${body.template} does not exist`);
  // The caller's groups go with the session so group quotas apply (the webhook trusts the API to state them).
  const session = buildSession(owner, deps.view.namespace, body);
  note(session.metadata.name!);
  const created = await kubeCall(() => deps.view.client.create(session));
  // Read-your-writes: answer once this replica's cache holds the session, so a GET right after finds it.
  await deps.view.waitFor(SESSION, created.metadata.name!, (s) => s !== undefined, deps.settings.cacheWaitMs);
  return reply.code(202).send(forClient(created));
}

interface SessionPatchBody {
  state?: SessionState;
  keepRunningUntil?: string;
}

/** A keep-running time must be in the future and within maxSessionDuration of the session's start. */
function checkKeepRunningUntil(session: Session, value: string, now: number): void {
  const at = Date.parse(value);
  if (!(at > now)) throw invalidInput('body.keepRunningUntil', 'must be a time in the future');
  const max = durationMs(session.spec.maxSessionDuration);
  const started = Date.parse(session.status?.startedAt ?? '') || now;
  if (max > 0 && at > started + max) {
    throw invalidInput('body.keepRunningUntil', `must not be later than the session's maxSessionDuration (${session.spec.maxSessionDuration}) after its start, ${new Date(started + max).toISOString()}`);
  }
}

interface EventLike extends KubeObject {
  involvedObject?: { kind?: string; name?: string; uid?: string };
  lastTimestamp?: string;
  eventTime?: string;
}

function sessionEvents(deps: ApiDeps, session: Session): EventLike[] {
  const when = (e: EventLike): string => e.lastTimestamp ?? e.eventTime ?? String(e.metadata.creationTimestamp ?? '');
  return deps.view.list<EventLike>(EVENT)
    .filter((e) => e.involvedObject?.kind === 'Session' && e.involvedObject.name === session.metadata.name && (!e.involvedObject.uid || e.involvedObject.uid === session.metadata.uid))
    .sort((a, b) => when(a).localeCompare(when(b)));
}
