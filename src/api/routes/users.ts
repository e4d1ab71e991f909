/**
 * Built-in account management for admins (auth mode `local`): list, create, read, change
 * (password, role, email, disabled) and delete. Disabling, demoting, re-passwording or deleting
 * an account revokes its refresh tokens, so the change takes effect within one access-token
 * lifetime. Deleting an account also terminates its sessions; its home volume is kept for an
 * admin to keep, hand over or delete (docs/API.md, "Deleting an account").
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';
import type { UserChanges, UserRecord } from '../db/repository.ts';
import { ApiError, notFound } from '../errors.ts';
import { noteAudit } from '../plugins/audit.ts';
import { listOf } from '../schemas.ts';
import { terminateSessionsOf } from '../sessions/account-sessions.ts';

const username = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]*$' } as const;
const password = { type: 'string', minLength: 8, maxLength: 1024 } as const;
const role = { type: 'string', enum: ['admin', 'user'] } as const;
const email = { type: 'string', maxLength: 254, format: 'email' } as const;

const userSchema = {
  type: 'object',
  properties: { username, uid: { type: 'string', description: 'Immutable account id; sessions and home volumes are bound to it.' }, email, role, disabled: { type: 'boolean' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' } },
};
const usernameParams = { type: 'object', required: ['username'], properties: { username } };

/** An account as shown: never the password hash. */
function publicUser(u: UserRecord): Omit<UserRecord, 'passwordHash'> {
  const { passwordHash: _hash, ...rest } = u;
  return rest;
}

interface UserBody {
  username: string;
  password: string;
  role?: 'admin' | 'user';
  email?: string;
}

interface UserPatch {
  password?: string;
  role?: 'admin' | 'user';
  email?: string;
  disabled?: boolean;
}

/** The account routes (every one admin-only). */
export function userRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/', {
      config: { auth: 'admin' },
      schema: { summary: 'List built-in accounts', tags: ['users'], response: { 200: listOf(userSchema, 'Accounts, by name') } },
    }, async () => ({ items: (await deps.repo.users.list()).map(publicUser) }));

    app.post<{ Body: UserBody }>('/', {
      config: { auth: 'admin', audit: 'user.create' },
      schema: {
        summary: 'Create a built-in account', tags: ['users'],
        body: { type: 'object', required: ['username', 'password'], additionalProperties: false, properties: { username, password, role, email } },
        response: { 201: userSchema },
      },
    }, async (request, reply) => {
      const { username: name, password: pw, role: r = 'user', email: mail } = request.body;
      noteAudit(request, { target: name });
      const created = await deps.repo.users.create({ username: name, email: mail, role: r, disabled: false, passwordHash: await deps.accounts.hash(pw) });
      if (!created) throw new ApiError('SS_ERR_CONFLICT', `account ${name} already exists`);
      return reply.code(201).send(publicUser((await deps.repo.users.get(name))!));
    });

    app.get<{ Params: { username: string } }>('/:username', {
      config: { auth: 'admin' },
      schema: { summary: 'Read one account', tags: ['users'], params: usernameParams, response: { 200: userSchema } },
    }, async (request) => {
      const user = await deps.repo.users.get(request.params.username);
      if (!user) throw notFound(`account ${request.params.username}`);
      return publicUser(user);
    });

    app.patch<{ Params: { username: string }; Body: UserPatch }>('/:username', {
      config: { auth: 'admin', audit: 'user.update' },
      schema: {
        summary: 'Change an account (password, role, email, disabled)', tags: ['users'], params: usernameParams,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { password, role, email, disabled: { type: 'boolean' } } },
        response: { 200: userSchema },
      },
    }, async (request) => {
      const { password: pw, ...rest } = request.body;
      const changes: UserChanges = { ...rest };
      if (pw !== undefined) changes.passwordHash = await deps.accounts.hash(pw);
      const user = await deps.repo.users.update(request.params.username, changes);
      if (!user) throw notFound(`account ${request.params.username}`);
      if (pw !== undefined || rest.disabled || rest.role === 'user') await deps.repo.refreshTokens.revokeUser(user.username);
      deps.accountChanges.changed(user.username);
      return publicUser(user);
    });

    app.delete<{ Params: { username: string } }>('/:username', {
      config: { auth: 'admin', audit: 'user.delete' },
      schema: {
        summary: 'Delete an account: its sessions are terminated, its refresh tokens and API keys stop working; its home volume is kept', tags: ['users'],
        params: usernameParams, response: { 204: { type: 'null' } },
      },
    }, async (request, reply) => {
      const name = request.params.username;
      const account = await deps.repo.users.get(name);
      if (!account) throw notFound(`account ${name}`);
      // Terminate first, so a failure leaves the account in place and the call can be repeated.
      await terminateSessionsOf(deps.view, name);
      if (!(await deps.repo.users.delete(name))) throw notFound(`account ${name}`);
      await deps.repo.refreshTokens.revokeUser(name);
      for (const key of await deps.repo.apiKeys.list(name)) await deps.repo.apiKeys.revoke(key.id);
      // Sessions the account created while this ran (with an access token still valid).
      await terminateSessionsOf(deps.view, name);
      deps.accountChanges.changed(name);
      return reply.code(204).send();
    });
  };
}
