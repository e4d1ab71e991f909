/**
 * API keys for automation: `ssk_` + 256 random bits, shown once, stored as a hash, scoped to one
 * user (with that user's role at creation, never more), revocable and optionally expiring.
 */
import type { ApiKeyRecord, Repository, Role, UserRecord } from '../db/repository.ts';
import type { Identity } from './identity.ts';
import { hashSecret, newId, newSecret } from './secret-token.ts';

/** The prefix that marks an API key in an Authorization header. */
export const API_KEY_PREFIX = 'ssk_';

/** A new key: the stored record and the secret (returned to the caller once). */
export async function createApiKey(repo: Repository, owner: Identity, name: string, expiresAt?: string): Promise<{ record: ApiKeyRecord; key: string }> {
  const key = newSecret(API_KEY_PREFIX);
  const id = newId();
  await repo.apiKeys.insert({ id, keyHash: hashSecret(key), username: owner.username, accountUid: owner.accountId, role: owner.role, name, expiresAt });
  const record = await repo.apiKeys.get(id);
  return { record: record!, key };
}

/** The identity an API key stands for, or undefined when it is unknown, revoked or expired. */
export async function identityOfApiKey(repo: Repository, key: string): Promise<Identity | undefined> {
  const record = await repo.apiKeys.findByHash(hashSecret(key));
  if (!record || record.revokedAt) return undefined;
  if (record.expiresAt && Date.parse(record.expiresAt) <= Date.now()) return undefined;
  // A built-in account that was disabled or demoted takes its keys down with it.
  const account = await repo.users.get(record.username);
  if (account?.disabled) return undefined;
  // A key minted by an account stands for that account only, never a later one of the same name.
  if (record.accountUid !== account?.uid) return undefined;
  void repo.apiKeys.touch(record.id).catch(() => undefined);
  const identity: Identity = { username: record.username, role: effectiveRole(record, account), groups: [], method: 'api-key', apiKeyId: record.id };
  if (record.accountUid) identity.accountId = record.accountUid;
  return identity;
}

/**
 * The role a key acts with: its role at creation, lowered to `user` when its built-in account
 * has since been demoted (keys of other modes have no account here and keep their role).
 */
export function effectiveRole(record: ApiKeyRecord, account: UserRecord | undefined): Role {
  return account?.role === 'user' ? 'user' : record.role;
}

/** An API key as listed to its owner: never the hash, and the role it acts with now. */
export function publicApiKey(r: ApiKeyRecord, account: UserRecord | undefined): Omit<ApiKeyRecord, 'keyHash'> {
  const { keyHash: _hash, ...rest } = r;
  return { ...rest, role: effectiveRole(r, account) };
}

/** `keys` as listed: each with the role it acts with now (one read of the accounts). */
export async function publicApiKeys(repo: Repository, keys: ApiKeyRecord[]): Promise<Omit<ApiKeyRecord, 'keyHash'>[]> {
  if (keys.length === 0) return [];
  const accounts = new Map((await repo.users.list()).map((u) => [u.username, u]));
  return keys.map((k) => publicApiKey(k, accounts.get(k.username)));
}
