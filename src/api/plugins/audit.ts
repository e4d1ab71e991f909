/**
 * The audit trail: every mutating call (POST, PUT, PATCH, DELETE) under /api/v1 is recorded
 * after it is answered, with who, what (the route's `config.audit` action), the target, the
 * status answered and when, whether it succeeded or not. Every mutating route must name its
 * action (startup fails otherwise); routes that are activity signals rather than changes
 * (heartbeats) opt out with `audit: false` and are counted in metrics instead.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Repository } from '../db/repository.ts';
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
  }
}

/** Adds to `request`'s audit entry. */
export function noteAudit(request: FastifyRequest, note: AuditNote): void {
  request.auditNote = { ...request.auditNote, ...note };
}

function targetOf(request: FastifyRequest): string | undefined {
  const params = request.params as Record<string, string> | undefined;
  return request.auditNote?.target ?? params?.id ?? params?.name ?? params?.username;
}

/** `text` without NUL characters, which the database cannot store (a hostile target must not lose the entry). */
function printable<T extends string | undefined>(text: T): T {
  return (text?.replaceAll('\0', '\\0') ?? text) as T;
}

/** Adds the audit hooks to `app`. */
export function installAudit(app: FastifyInstance, deps: { repo: Repository; metrics: ApiMetrics; logger: Logger }): void {
  app.decorateRequest('auditNote', null);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const mutating = methods.some((m) => MUTATING.has(m));
    if (mutating && route.config?.audit === undefined) throw new Error(`${methods.join(',')} ${route.url} is mutating and names no audit action`);
  });
  app.addHook('onResponse', async (request, reply) => {
    const action = request.routeOptions.config.audit;
    if (!action || !MUTATING.has(request.method)) return;
    const note = request.auditNote ?? {};
    const entry = {
      actor: printable(request.identity?.username ?? note.actor ?? 'anonymous'), action, target: printable(targetOf(request)),
      result: reply.statusCode, sourceIp: request.ip, detail: printable(note.detail),
    };
    await deps.repo.audit.append(entry).catch((err: unknown) => {
      deps.metrics.auditFailures.inc();
      deps.logger.error({ err: String(err), entry }, 'Failed to write audit entry');
    });
  });
}
