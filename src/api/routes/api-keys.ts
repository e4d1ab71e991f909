/**
 * API keys for automation: a caller creates keys for themself (the secret is shown once), lists
 * and revokes their own; admins see and revoke everyone's.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';
import { createApiKey, publicApiKeys } from '../auth/api-keys.ts';
import { forbidden, notFound } from '../errors.ts';
import { noteAudit } from '../plugins/audit.ts';
import { callerOf } from '../plugins/authentication.ts';
import { listOf } from '../schemas.ts';

const keySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, username: { type: 'string' }, role: { type: 'string' },
    createdAt: { type: 'string' }, expiresAt: { type: 'string' }, revokedAt: { type: 'string' }, lastUsedAt: { type: 'string' },
  },
};

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } };

/** The API key routes. */
export function apiKeyRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { all?: boolean } }>('/', {
      schema: {
        summary: 'List your API keys (admins: `?all=true` lists everyone\'s)', tags: ['api-keys'],
        querystring: { type: 'object', additionalProperties: false, properties: { all: { type: 'boolean', description: 'Every user\'s keys (admins only).' } } },
        response: { 200: listOf(keySchema, 'API keys, newest first (never the secret)') },
      },
    }, async (request) => {
      const caller = callerOf(request);
      if (request.query.all && caller.role !== 'admin') throw forbidden('only admins may list every user\'s API keys');
      const keys = await deps.repo.apiKeys.list(request.query.all ? undefined : caller.username);
      return { items: await publicApiKeys(deps.repo, keys) };
    });

    app.post<{ Body: { name: string; expiresInDays?: number } }>('/', {
      config: { audit: 'apikey.create' },
      schema: {
        summary: 'Create an API key for yourself; the key is in the answer and never shown again', tags: ['api-keys'],
        body: {
          type: 'object', required: ['name'], additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, expiresInDays: { type: 'integer', minimum: 1, maximum: 3650 } },
        },
        response: { 201: { ...keySchema, properties: { ...keySchema.properties, key: { type: 'string', description: 'The secret `ssk_...`: send as `Authorization: Bearer` or `X-API-Key`.' } } } },
      },
    }, async (request, reply) => {
      const days = request.body.expiresInDays;
      const expiresAt = days ? new Date(Date.now() + days * 86_400_000).toISOString() : undefined;
      const { record, key } = await createApiKey(deps.repo, callerOf(request), request.body.name, expiresAt);
      noteAudit(request, { target: record.id });
      return reply.code(201).send({ ...(await publicApiKeys(deps.repo, [record]))[0], key });
    });

    app.delete<{ Params: { id: string } }>('/:id', {
      config: { audit: 'apikey.revoke' },
      schema: { summary: 'Revoke an API key (yours, or anyone\'s for admins)', tags: ['api-keys'], params: idParams, response: { 204: { type: 'null' } } },
    }, async (request, reply) => {
      const caller = callerOf(request);
      const key = await deps.repo.apiKeys.get(request.params.id);
      if (!key) throw notFound(`API key ${request.params.id}`);
      if (key.username !== caller.username && caller.role !== 'admin') throw forbidden(`API key ${key.id} belongs to another user`);
      await deps.repo.apiKeys.revoke(key.id);
      deps.accountChanges.changed(key.username);
      return reply.code(204).send();
    });
  };
}
