/**
 * The authentication hook of the /api/v1 context: resolves the caller's identity from the
 * request (see auth/authenticator.ts) and enforces each route's `config.auth` level:
 * `public` (no credentials looked at), `user` (default: any authenticated caller) or `admin`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.ts';
import type { Identity } from '../auth/identity.ts';
import { ApiError, forbidden } from '../errors.ts';

/** Who may call a route. */
export type AuthLevel = 'public' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (default `user`). */
    auth?: AuthLevel;
    /** Also accept the token as `?access_token=` (WebSocket routes, where browsers cannot set headers). */
    queryToken?: boolean;
  }
  interface FastifyRequest {
    /** The authenticated caller (undefined on public routes). */
    identity: Identity | undefined;
  }
}

/** The caller of an authenticated route (throws if the route was public). */
export function callerOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new ApiError('SS_ERR_UNAUTHENTICATED');
  return request.identity;
}

function queryTokenOf(request: FastifyRequest): string | undefined {
  const q = request.query as Record<string, unknown> | undefined;
  return typeof q?.access_token === 'string' ? q.access_token : undefined;
}

/** Adds the hook to `app` (an encapsulated context: it covers the routes registered in it). */
export function installAuthentication(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('identity', undefined);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const level = config.auth ?? 'user';
    if (level === 'public') return;
    const queryToken = config.queryToken ? queryTokenOf(request) : undefined;
    const identity = await authenticator.authenticate({ peer: request.socket.remoteAddress ?? '', headers: request.headers, queryToken });
    if (!identity) throw new ApiError('SS_ERR_UNAUTHENTICATED', undefined, { headers: { 'www-authenticate': 'Bearer' } });
    request.identity = identity;
    if (level === 'admin' && identity.role !== 'admin') throw forbidden(`${request.method} ${request.routeOptions.url} is for admins only`);
  });
}
