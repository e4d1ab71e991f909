/**
 * Session quotas: admins manage SessionQuota resources (cluster-scoped; every write goes through
 * the Kubernetes API, the admission webhook enforces them); any user reads the quota that governs
 * them and their current usage (`/quotas/me`), computed from the cached Sessions the same way the
 * webhook counts them.
 */
import type { FastifyPluginAsync } from 'fastify';
import { canonicalQuantityString } from '../../apimachinery/quantity.ts';
import { apiVersion } from '../../apis/stream/v1alpha1/groupversion.ts';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import { SessionQuotaSpec, type SessionQuota } from '../../apis/stream/v1alpha1/sessionquota.ts';
import { selectSessionQuota } from '../../apis/stream/v1alpha1/sessionquota-selection.ts';
import type { Template } from '../../apis/stream/v1alpha1/template.ts';
import { mergePatch } from '../../runtime/patch.ts';
import { addFootprint, emptyUsage, footprintOf, type UserUsage } from '../../apis/stream/v1alpha1/quota-usage.ts';
import type { ApiDeps } from '../api-deps.ts';
import type { Identity } from '../auth/identity.ts';
import { notFound } from '../errors.ts';
import { SESSION, SESSION_QUOTA, TEMPLATE } from '../kube/kinds.ts';
import { kubeCall } from '../kube/kube-errors.ts';
import { idParams, kubeObject, listOf, objectName, plainSchema } from '../schemas.ts';
import { callerOf } from '../plugins/authentication.ts';
import { forClient } from './sessions.ts';

const specSchema = { ...plainSchema(SessionQuotaSpec), additionalProperties: false };

/** A user's usage as answered: counts, and CPU/memory as Kubernetes quantities. */
export interface QuotaUsage {
  sessions: number;
  runningSessions: number;
  cpu: string;
  memory: string;
}

const usageSchema = {
  type: 'object',
  properties: { sessions: { type: 'integer' }, runningSessions: { type: 'integer' }, cpu: { type: 'string' }, memory: { type: 'string' } },
} as const;

const myQuotaSchema = {
  type: 'object',
  description: 'The quota governing the caller (null when none does), how it matched, and the caller\'s usage.',
  properties: {
    user: { type: 'string' },
    quota: { anyOf: [kubeObject, { type: 'null' }] },
    matchedBy: { anyOf: [{ type: 'string', enum: ['user', 'group', 'default'] }, { type: 'null' }] },
    usage: usageSchema,
  },
} as const;

/** The usage of `user` over the cached sessions: not terminated, running, and CPU/memory of running ones. */
export function usageOf(deps: ApiDeps, user: string): QuotaUsage {
  const totals: UserUsage = emptyUsage();
  for (const session of deps.view.list<Session>(SESSION)) {
    if (session.spec?.user !== user) continue;
    const template = deps.view.get<Template>(TEMPLATE, session.spec.template);
    addFootprint(totals, footprintOf(session, template?.spec.defaultResources));
  }
  return {
    sessions: totals.sessions, runningSessions: totals.running,
    cpu: canonicalQuantityString(totals.cpu, 'DecimalSI'), memory: canonicalQuantityString(totals.memory, 'BinarySI'),
  };
}

function myQuota(deps: ApiDeps, caller: Identity): object {
  const selected = selectSessionQuota(deps.view.list<SessionQuota>(SESSION_QUOTA), caller.username, caller.groups);
  return {
    user: caller.username,
    quota: selected ? forClient(selected.quota) : null,
    matchedBy: selected?.matchedBy ?? null,
    usage: usageOf(deps, caller.username),
  };
}

function cachedQuota(deps: ApiDeps, name: string): SessionQuota {
  const quota = deps.view.get<SessionQuota>(SESSION_QUOTA, name);
  if (!quota) throw notFound(`session quota ${name}`);
  return quota;
}

function quotaRef(name: string): SessionQuota {
  return { apiVersion, kind: 'SessionQuota', metadata: { name } } as SessionQuota;
}

/** The quota routes (mounted at /quotas). */
export function quotaRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/me', {
      schema: { summary: 'The quota that applies to you and your current usage', tags: ['quotas'], response: { 200: myQuotaSchema } },
    }, async (request) => myQuota(deps, callerOf(request)));

    app.get('/', {
      config: { auth: 'admin' },
      schema: { summary: 'List session quotas', tags: ['quotas'], response: { 200: listOf(kubeObject, 'SessionQuotas, by name') } },
    }, async () => {
      const items = deps.view.list<SessionQuota>(SESSION_QUOTA).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
      return { items: items.map(forClient) };
    });

    app.get<{ Params: { id: string } }>('/:id', {
      config: { auth: 'admin' },
      schema: { summary: 'Read one session quota', tags: ['quotas'], params: idParams, response: { 200: kubeObject } },
    }, async (request) => forClient(cachedQuota(deps, request.params.id)));

    app.post<{ Body: { name: string; spec: SessionQuotaSpec } }>('/', {
      config: { auth: 'admin', audit: 'quota.create' },
      schema: {
        summary: 'Create a session quota', tags: ['quotas'],
        body: { type: 'object', required: ['name', 'spec'], additionalProperties: false, properties: { name: objectName, spec: specSchema } },
        response: { 201: kubeObject },
      },
    }, async (request, reply) => {
      const created = await kubeCall(() => deps.view.client.create<SessionQuota>({ ...quotaRef(request.body.name), spec: request.body.spec }));
      // Read-your-writes: a GET (or a session create judged by the webhook's own cache) right after sees it here.
      await deps.view.waitFor(SESSION_QUOTA, request.body.name, (q) => q !== undefined, deps.settings.cacheWaitMs);
      return reply.code(201).send(forClient(created));
    });

    app.put<{ Params: { id: string }; Body: { spec: SessionQuotaSpec } }>('/:id', {
      config: { auth: 'admin', audit: 'quota.update' },
      schema: {
        summary: 'Replace a session quota\'s spec', tags: ['quotas'], params: idParams,
        body: { type: 'object', required: ['spec'], additionalProperties: false, properties: { spec: specSchema } },
        response: { 200: kubeObject },
      },
    }, async (request) => {
      const current = cachedQuota(deps, request.params.id);
      const updated = await kubeCall(() => deps.view.client.update<SessionQuota>({ ...current, spec: request.body.spec }));
      return forClient(updated);
    });

    app.patch<{ Params: { id: string }; Body: { spec: SessionQuotaSpec } }>('/:id', {
      config: { auth: 'admin', audit: 'quota.update' },
      schema: {
        summary: 'Change some fields of a session quota\'s spec (JSON merge patch semantics)', tags: ['quotas'], params: idParams,
        body: { type: 'object', required: ['spec'], additionalProperties: false, properties: { spec: specSchema } },
        response: { 200: kubeObject },
      },
    }, async (request) => {
      const current = cachedQuota(deps, request.params.id);
      const patched = await kubeCall(() => deps.view.client.patch<SessionQuota>(current, mergePatch({ spec: request.body.spec })));
      return forClient(patched);
    });

    app.delete<{ Params: { id: string } }>('/:id', {
      config: { auth: 'admin', audit: 'quota.delete' },
      schema: { summary: 'Delete a session quota', tags: ['quotas'], params: idParams, response: { 204: { type: 'null' } } },
    }, async (request, reply) => {
      await kubeCall(() => deps.view.client.delete(quotaRef(request.params.id)));
      return reply.code(204).send();
    });
  };
}
