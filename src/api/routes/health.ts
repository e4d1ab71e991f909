/**
 * Probes and documents, outside /api/v1 and without authentication: `/health` (the process
 * answers), `/ready` (the Kubernetes API, the informer cache and the database all answer),
 * `/metrics` (Prometheus), `/api/openapi.json` and `/.well-known/jwks.json`.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';
import { NAMESPACE_KIND } from '../kube/kinds.ts';

const checkSchema = { type: 'object', additionalProperties: { type: 'string' }, description: 'Each dependency: `ok` or what is wrong.' };

async function checkKubernetes(deps: ApiDeps): Promise<string> {
  try {
    await deps.view.client.get(NAMESPACE_KIND, { name: deps.view.namespace }, { signal: AbortSignal.timeout(2000) });
    return 'ok';
  } catch (err) {
    return `Kubernetes API: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function checkDatabase(deps: ApiDeps): Promise<string> {
  try {
    await deps.repo.ping();
    return 'ok';
  } catch (err) {
    return `database (${deps.repo.backend}): ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** The probe routes. */
export function healthRoutes(deps: ApiDeps, version: string): FastifyPluginAsync {
  return async (app) => {
    app.get('/health', {
      config: { auth: 'public' },
      schema: { summary: 'Liveness: the process answers', tags: ['probes'], response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } },
    }, async () => ({ status: 'ok' }));

    app.get('/ready', {
      config: { auth: 'public' },
      schema: {
        summary: 'Readiness: the Kubernetes API, the informer cache and the database answer', tags: ['probes'],
        response: { 200: { type: 'object', properties: { status: { type: 'string' }, checks: checkSchema } }, 503: { type: 'object', properties: { status: { type: 'string' }, checks: checkSchema } } },
      },
    }, async (_request, reply) => {
      const [kubernetes, database] = await Promise.all([checkKubernetes(deps), checkDatabase(deps)]);
      const checks = { kubernetes, cache: deps.view.hasSynced() ? 'ok' : 'informers have not listed yet', database };
      const ready = Object.values(checks).every((c) => c === 'ok');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    });

    app.get('/metrics', { config: { auth: 'public' }, schema: { summary: 'Prometheus metrics', tags: ['probes'], hide: true } }, async (_request, reply) => {
      reply.header('content-type', deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    });

    app.get('/api/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => deps.openapi.document({ version }));

    app.get('/.well-known/jwks.json', {
      config: { auth: 'public' },
      schema: { summary: 'Public keys of the API\'s own access tokens', tags: ['auth'], response: { 200: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } } } } },
    }, async () => deps.issuer.jwks());
  };
}
