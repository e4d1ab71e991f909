/**
 * Built-in account sign-in (auth mode `local`): `POST /auth/login` trades a user name and
 * password for an access token and a refresh token, `POST /auth/refresh` rotates the refresh
 * token, `POST /auth/logout` revokes it; `GET /auth/me` says who the caller is.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';
import { noteAudit } from '../plugins/audit.ts';
import { callerOf } from '../plugins/authentication.ts';
import { clearedSessionCookie, sessionCookie } from '../auth/session-cookie.ts';

const tokenPair = {
  type: 'object',
  properties: {
    accessToken: { type: 'string', description: 'RS256 JWT; send as `Authorization: Bearer <token>`.' },
    refreshToken: { type: 'string', description: 'Single-use; trade it at /auth/refresh for a new pair.' },
    expiresIn: { type: 'integer', description: 'Seconds until the access token expires.' },
    tokenType: { type: 'string', enum: ['Bearer'] },
  },
};

const refreshBody = {
  type: 'object', required: ['refreshToken'], additionalProperties: false,
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
};

/** The auth routes. */
export function authRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    if (deps.authenticator.mode === 'local') passwordRoutes(app, deps);

    app.get('/config', {
      config: { auth: 'public' },
      schema: {
        summary: 'How to sign in (the mode; for `oidc` the provider and the web UI\'s public client) and how session addresses look', tags: ['auth'],
        response: {
          200: {
            type: 'object', required: ['mode'],
            properties: {
              mode: { type: 'string', enum: ['local', 'oidc', 'proxy'] },
              oidc: { type: 'object', required: ['issuer', 'clientId', 'scopes'], properties: { issuer: { type: 'string' }, clientId: { type: 'string' }, scopes: { type: 'array', items: { type: 'string' } } } },
              gateway: {
                type: 'object', required: ['kind'], description: 'The session gateway on this port: `path` (`/s/{session}/`) or `host` (`{session}.{domain}`); absent when not served here.',
                properties: { kind: { type: 'string', enum: ['path', 'host'] }, domain: { type: 'string' } },
              },
            },
          },
        },
      },
    }, async () => ({ mode: deps.authenticator.mode, oidc: deps.authenticator.oidcClient, gateway: deps.settings.gateway }));

    app.get('/me', {
      schema: {
        summary: 'Who the caller is', tags: ['auth'],
        response: { 200: { type: 'object', required: ['username', 'role'], properties: { username: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, groups: { type: 'array', items: { type: 'string' } }, method: { type: 'string' } } } },
      },
    }, async (request) => {
      const { token: _token, apiKeyId: _key, expiresAt: _exp, ...me } = callerOf(request);
      return me;
    });
  };
}

/** Login, refresh and logout of built-in accounts (auth mode `local` only). */
function passwordRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.post<{ Body: { username: string; password: string } }>('/login', {
    config: { auth: 'public', audit: 'auth.login' },
    schema: {
      summary: 'Sign in with a built-in account', tags: ['auth'],
      body: {
        type: 'object', required: ['username', 'password'], additionalProperties: false,
        properties: { username: { type: 'string', minLength: 1, maxLength: 128 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
      },
      response: { 200: tokenPair },
    },
  }, async (request, reply) => {
    noteAudit(request, { actor: request.body.username, target: request.body.username });
    const pair = await deps.accounts.login(request.body.username, request.body.password);
    // The same access token as an HttpOnly cookie, for the session gateway (browsers opening session URLs).
    reply.header('set-cookie', sessionCookie(pair.accessToken, pair.expiresIn, deps.settings.cookie));
    return pair;
  });

  app.post<{ Body: { refreshToken: string } }>('/refresh', {
    config: { auth: 'public', audit: 'auth.refresh' },
    schema: { summary: 'Trade a refresh token for a new token pair (the old refresh token stops working)', tags: ['auth'], body: refreshBody, response: { 200: tokenPair } },
  }, async (request, reply) => {
    const pair = await deps.accounts.refresh(request.body.refreshToken);
    reply.header('set-cookie', sessionCookie(pair.accessToken, pair.expiresIn, deps.settings.cookie));
    return pair;
  });

  app.post<{ Body: { refreshToken: string } }>('/logout', {
    config: { auth: 'public', audit: 'auth.logout' },
    schema: { summary: 'Revoke a refresh token and every token rotated from the same login', tags: ['auth'], body: refreshBody, response: { 204: { type: 'null' } } },
  }, async (request, reply) => {
    await deps.accounts.logout(request.body.refreshToken);
    return reply.code(204).header('set-cookie', clearedSessionCookie(deps.settings.cookie)).send();
  });
}
