/**
 * The audit log for admins: newest first, filtered by actor, action, target, result and time,
 * paged with an opaque cursor.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';
import type { AuditQuery } from '../db/repository.ts';

const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, at: { type: 'string', format: 'date-time' }, actor: { type: 'string' }, action: { type: 'string' },
    target: { type: 'string' }, result: { type: 'integer', description: 'HTTP status answered.' }, sourceIp: { type: 'string' }, detail: { type: 'string' },
  },
};

interface AuditParams {
  actor?: string;
  action?: string;
  target?: string;
  result?: number;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

/** The audit route (admins only). */
export function auditRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: AuditParams }>('/', {
      config: { auth: 'admin' },
      schema: {
        summary: 'Query the audit log of mutating calls', tags: ['audit'],
        querystring: {
          type: 'object', additionalProperties: false,
          properties: {
            actor: { type: 'string', maxLength: 128 }, action: { type: 'string', maxLength: 64, description: 'e.g. `session.create`.' },
            target: { type: 'string', maxLength: 253 }, result: { type: 'integer', minimum: 100, maximum: 599 },
            since: { type: 'string', format: 'date-time' }, until: { type: 'string', format: 'date-time' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            cursor: { type: 'string', pattern: '^[0-9]{1,19}$', description: '`nextCursor` of the previous page.' },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: entrySchema }, nextCursor: { type: 'string' } } } },
      },
    }, async (request) => {
      const { cursor, limit = 100, ...filters } = request.query;
      const query: AuditQuery = { ...filters, limit, before: cursor };
      return deps.repo.audit.query(query);
    });
  };
}
