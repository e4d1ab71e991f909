/**
 * Built-in accounts: password login, rotating refresh tokens and logout, plus the first admin.
 * A refresh token is single-use: refreshing revokes it and issues a new one of the same family;
 * presenting an already-rotated token (a sign it was stolen) revokes the whole family.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ApiError } from '../errors.ts';
import type { Repository, UserRecord } from '../db/repository.ts';
import { DEFAULT_SCRYPT_COST, hashPassword, verifyPassword, type ScryptCost } from './password-hash.ts';
import { hashSecret, newId, newSecret } from './secret-token.ts';
import type { TokenIssuer } from './token-issuer.ts';

/** What login and refresh answer. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: 'Bearer';
}

/** Options of {@link LocalAccounts}. */
export interface LocalAccountsOptions {
  repo: Repository;
  issuer: TokenIssuer;
  /** Refresh token lifetime in seconds. */
  refreshTtlSeconds: number;
  scryptCost?: ScryptCost;
}

/** A hash compared against when the user does not exist, so timing does not reveal names. */
let decoyHash: Promise<string> | undefined;

/**
 * At most this many password hashes run at once (scrypt is deliberately slow and memory-hungry:
 * 32 concurrent anonymous logins would otherwise slow a real one thirtyfold); more wait in line,
 * and past {@link MAX_WAITING_HASHES} waiting a login is refused with 429 rather than queued.
 */
export const MAX_CONCURRENT_HASHES = 2;
export const MAX_WAITING_HASHES = 32;

/** A counting semaphore with a bounded queue. */
class HashSlots {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= MAX_CONCURRENT_HASHES) {
      if (this.#waiting.length >= MAX_WAITING_HASHES) {
        throw new ApiError('SS_ERR_RATE_LIMITED', 'Too many sign-ins at once; retry in 1 s', { headers: { 'retry-after': '1' } });
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else this.#running++;
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next(); else this.#running--;
    }
  }
}

/** See the module comment. */
export class LocalAccounts {
  readonly #o: LocalAccountsOptions;
  readonly #slots = new HashSlots();

  constructor(opts: LocalAccountsOptions) {
    this.#o = opts;
  }

  /** Hashes a password with the configured cost. */
  hash(password: string): Promise<string> {
    return this.#slots.run(() => hashPassword(password, this.#o.scryptCost ?? DEFAULT_SCRYPT_COST));
  }

  /** Checks the password and issues tokens; 401 for any mismatch (no hint which part was wrong). */
  async login(username: string, password: string): Promise<TokenPair> {
    const user = await this.#o.repo.users.get(username);
    decoyHash ??= this.hash(randomBytes(16).toString('hex'));
    const stored = user?.passwordHash ?? (await decoyHash);
    const ok = await this.#slots.run(() => verifyPassword(password, stored));
    if (!user || !user.passwordHash || !ok || user.disabled) throw new ApiError('SS_ERR_INVALID_CREDENTIALS');
    return this.#issue(user, newId());
  }

  /** Rotates a refresh token. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const stored = await this.#o.repo.refreshTokens.findByHash(hashSecret(refreshToken));
    if (!stored) throw new ApiError('SS_ERR_INVALID_TOKEN', 'unknown refresh token');
    if (stored.revokedAt || !(await this.#o.repo.refreshTokens.revoke(stored.id))) {
      await this.#o.repo.refreshTokens.revokeFamily(stored.familyId);
      throw new ApiError('SS_ERR_INVALID_TOKEN', 'refresh token already used; every token of this login is now revoked');
    }
    if (Date.parse(stored.expiresAt) <= Date.now()) throw new ApiError('SS_ERR_INVALID_TOKEN', 'refresh token expired');
    const user = await this.#o.repo.users.get(stored.username);
    if (!user || user.disabled) throw new ApiError('SS_ERR_INVALID_TOKEN', 'the account is gone or disabled');
    return this.#issue(user, stored.familyId);
  }

  /** Revokes the refresh token's whole family (this login on every device it was rotated to). */
  async logout(refreshToken: string): Promise<void> {
    const stored = await this.#o.repo.refreshTokens.findByHash(hashSecret(refreshToken));
    if (stored) await this.#o.repo.refreshTokens.revokeFamily(stored.familyId);
  }

  async #issue(user: UserRecord, familyId: string): Promise<TokenPair> {
    const { accessToken, expiresIn } = await this.#o.issuer.sign(user);
    const refreshToken = newSecret('ssr_');
    const expiresAt = new Date(Date.now() + this.#o.refreshTtlSeconds * 1000).toISOString();
    await this.#o.repo.refreshTokens.insert({ id: newId(), tokenHash: hashSecret(refreshToken), username: user.username, familyId, expiresAt });
    return { accessToken, refreshToken, expiresIn, tokenType: 'Bearer' };
  }
}

/** How the first admin was set up. */
export interface BootstrapResult {
  created: boolean;
  /** The generated password (only when one was generated now). */
  generatedPassword?: string;
  /** Where the generated password was stored. */
  passwordFile?: string;
}

/**
 * Creates the account `admin` when there are no accounts at all: with `password`
 * (STREAMSPACE_ADMIN_PASSWORD) or a generated one, which is stored 0600 in the data folder.
 */
/** Shortest first-admin password accepted from the environment. */
export const MIN_ADMIN_PASSWORD_LENGTH = 12;

export async function bootstrapAdmin(accounts: LocalAccounts, repo: Repository, opts: { password?: string; dataDir?: string }): Promise<BootstrapResult> {
  if ((await repo.users.count()) > 0) return { created: false };
  // The first admin can do everything: a chosen password must not be guessable in a few tries.
  if (opts.password !== undefined && opts.password.length < MIN_ADMIN_PASSWORD_LENGTH) {
    throw new Error(`the first admin's password must be at least ${MIN_ADMIN_PASSWORD_LENGTH} characters`);
  }
  const generated = opts.password ? undefined : randomBytes(18).toString('base64url');
  const password = opts.password ?? generated!;
  const created = await repo.users.create({ username: 'admin', role: 'admin', disabled: false, passwordHash: await accounts.hash(password) });
  if (!created || !generated) return { created };
  let passwordFile: string | undefined;
  if (opts.dataDir) {
    passwordFile = path.join(opts.dataDir, 'admin-password');
    fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(passwordFile, `${generated}\n`, { mode: 0o600 });
  }
  return { created, generatedPassword: generated, passwordFile };
}
