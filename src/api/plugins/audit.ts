/**
 * The audit trail: every mutating call (POST, PUT, PATCH, DELETE) under /api/v1 is recorded,
 * with who, what (the route's `config.audit` action), the target, the status answered and when,
 * whether it succeeded or not. Every mutating route must name its action (startup fails
 * otherwise); routes that are activity signals rather than changes (heartbeats) opt out with
 * `audit: false` and are counted in metrics instead.
 *
 * No change without its entry: a call that passed authentication and validation (so its handler
 * may change something) first writes its entry without a result, and the status is filled in
 * once it is answered. When that first write fails the call is refused with 503 naming the
 * database and nothing is changed. Calls refused before their handler (401, 400, 429) change
 * nothing and are recorded once answered, as best effort.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DatabaseUnavailableError } from '../db/database-unavailable.ts';
import type { Repository } from '../db/repository.ts';
import { databaseUnavailable } from '../errors.ts';
import type { ApiMetrics } from '../metrics.ts';


const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What a handler adds to its audit entry. */
export interface AuditNote {
  /** The object acted on, when the URL does not name it (e.g. a created session's name). */
  target?: string;
  /** The actor, when the call is unauthenticated but names one (a login attempt). */
  actor?: string;
  /** Why a call failed. */
  detail?: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The audit action of a mutating route (`session.create`), or false for routes not audited. */
    audit?: string | false;
  }
  interface FastifyRequest {
    /** Notes for the audit entry of this request. */
    auditNote: AuditNote | null;
    /** The id of the entry written before the handler ran, to be finished with the outcome. */
    auditId: string | null;
  }
}

/** Adds to `request`'s audit entry. */
export function noteAudit(request: FastifyRequest, note: AuditNote): void {
  request.auditNote = { ...request.auditNote, ...note };
}

/** The audit action of a mutating, audited request, else undefined. */
function auditedAction(request: FastifyRequest): string | undefined {
  const action = request.routeOptions.config.audit;
  return action && MUTATING.has(request.method) ? action : undefined;
}

function actorOf(request: FastifyRequest): string {
  return printable(request.identity?.username ?? request.auditNote?.actor ?? 'anonymous');
}

function targetOf(request: FastifyRequest): string | undefined {
  const params = request.params as Record<string, string> | undefined;
  return printable(request.auditNote?.target ?? params?.id ?? params?.name ?? params?.username);
}

/** `text` without NUL characters, which the database cannot store (a hostile target must not lose the entry). */
function printable<T extends string | undefined>(text: T): T {
  return (text?.replaceAll('\0', '\\0') ?? text) as T;
}

/** Adds the audit hooks to `app`. */
export function installAudit(app: FastifyInstance, deps: { repo: Repository; metrics: ApiMetrics; logger: Logger }): void {
  app.decorateRequest('auditNote', null);
  app.decorateRequest('auditId', null);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const mutating = methods.some((m) => MUTATING.has(m));
    if (mutating && route.config?.audit === undefined) throw new Error(`${methods.join(',')} ${route.url} is mutating and names no audit action`);
  });
  // After authentication and validation, just before the handler: the entry exists before any change.
  app.addHook('preHandler', async (request) => {
    const action = auditedAction(request);
    if (!action) return;
    try {
      request.auditId = await deps.repo.audit.begin({ actor: actorOf(request), action, target: targetOf(request), sourceIp: request.ip });
    } catch (err) {
      if (err instanceof DatabaseUnavailableError) throw databaseUnavailable(err, 'the change was not made because it could not be audited');
      throw err;
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    const action = auditedAction(request);
    if (!action) return;
    const outcome = { actor: actorOf(request), target: targetOf(request), result: reply.statusCode, detail: printable(request.auditNote?.detail) };
    const id = request.auditId;
    const write = id ? deps.repo.audit.finish(id, outcome) : deps.repo.audit.append({ ...outcome, action, sourceIp: request.ip });
    await write.catch((err: unknown) => {
      deps.metrics.auditFailures.inc();
      deps.logger.error({ err: String(err), entry: { id, action, ...outcome } }, id ? 'Failed to record the outcome of an audit entry' : 'Failed to write audit entry');
    });
  });
}
