import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyRequest } from 'fastify';
import type { Credentials } from './authenticator.ts';
import type { Identity } from './identity.ts';
import { authenticateWithApi, userOfIdentity } from './codeserver-auth.ts';

function request(headers: Record<string, string>): FastifyRequest {
  return { headers, socket: { remoteAddress: '10.0.0.7' } } as unknown as FastifyRequest;
}

test('the API authenticator\'s identity becomes the caller, token kept for Gitea', async () => {
  const seen: Credentials[] = [];
  const identity: Identity = { username: 'alice', role: 'user', groups: ['admin', 'devs'], method: 'oidc', token: 'jwt-abc' };
  const authenticate = authenticateWithApi({ authenticate: async (c) => (seen.push(c), identity) });
  const user = await authenticate(request({ authorization: 'Bearer jwt-abc' }));
  assert.deepEqual(user, { username: 'alice', roles: ['user'], token: 'jwt-abc' }, 'a group named admin is not the admin role');
  assert.deepEqual([seen[0].peer, seen[0].headers.authorization], ['10.0.0.7', 'Bearer jwt-abc'], 'peer and headers passed for proxy mode and tokens');
  assert.deepEqual(userOfIdentity({ username: 'root', role: 'admin', groups: [], method: 'api-key' }), { username: 'root', roles: ['admin'] });
});

test('no credentials is no user; bad ones throw (the plugin treats both as unauthenticated)', async () => {
  assert.equal(await authenticateWithApi({ authenticate: async () => undefined })(request({})), undefined);
  await assert.rejects(authenticateWithApi({ authenticate: async () => { throw new Error('invalid token'); } })(request({ authorization: 'Bearer x' })), /invalid token/);
});
