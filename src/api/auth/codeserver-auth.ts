/**
 * The REST API's authentication for the GraphQL endpoint: the same Authenticator (OIDC JWTs,
 * trusted proxy headers, built-in accounts, API keys) turns a request into the service's caller,
 * with the bearer token kept for forwarding to Gitea.
 */
import type { FastifyRequest } from 'fastify';
import type { Authenticator } from './authenticator.ts';
import type { Identity } from './identity.ts';
import type { CodeServerUser } from '../../codeserver/caller.ts';
import type { AuthenticateRequest } from '../../codeserver/graphql/plugin.ts';

/**
 * The service's view of an API identity: its role is its only role. Groups are not roles: an
 * identity provider group that happens to be called `admin` must not make anyone an admin here.
 */
export function userOfIdentity(identity: Identity): CodeServerUser {
  return { username: identity.username, roles: [identity.role], ...(identity.token ? { token: identity.token } : {}) };
}

/** Authenticates GraphQL requests exactly as the REST API does. */
export function authenticateWithApi(authenticator: Pick<Authenticator, 'authenticate'>): AuthenticateRequest {
  return async (request: FastifyRequest) => {
    const identity = await authenticator.authenticate({ peer: request.socket.remoteAddress ?? '', headers: request.headers });
    return identity && userOfIdentity(identity);
  };
}
