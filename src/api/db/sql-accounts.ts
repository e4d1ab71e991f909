/**
 * The account tables behind the repository: users, refresh tokens and API keys.
 */
import type {
  ApiKeyRecord, ApiKeyStore, RefreshTokenRecord, RefreshTokenStore, Role, UserChanges, UserRecord, UserStore,
} from './repository.ts';
import type { SqlRunner } from './sql-driver.ts';
import { compact, iso, isoOrUndefined, textOrUndefined } from './sql-rows.ts';

type Row = Record<string, unknown>;

function toUser(r: Row): UserRecord {
  return compact({
    username: String(r.username), uid: textOrUndefined(r.uid), email: textOrUndefined(r.email), passwordHash: textOrUndefined(r.password_hash),
    role: r.role as Role, disabled: r.disabled === true, createdAt: iso(r.created_at), updatedAt: iso(r.updated_at),
  });
}

/** Users in SQL. */
export class SqlUserStore implements UserStore {
  readonly #db: SqlRunner;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  async create(u: Omit<UserRecord, 'uid' | 'createdAt' | 'updatedAt'>): Promise<boolean> {
    const res = await this.#db.query(
      `INSERT INTO users (username, email, password_hash, role, disabled) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO NOTHING`,
      [u.username, u.email ?? null, u.passwordHash ?? null, u.role, u.disabled],
    );
    return res.rowCount === 1;
  }

  async get(username: string): Promise<UserRecord | undefined> {
    const res = await this.#db.query('SELECT * FROM users WHERE username = $1', [username]);
    return res.rows[0] ? toUser(res.rows[0]) : undefined;
  }

  async list(): Promise<UserRecord[]> {
    return (await this.#db.query('SELECT * FROM users ORDER BY username')).rows.map(toUser);
  }

  async update(username: string, c: UserChanges): Promise<UserRecord | undefined> {
    const res = await this.#db.query(
      `UPDATE users SET email = COALESCE($2, email), password_hash = COALESCE($3, password_hash), role = COALESCE($4, role),
         disabled = COALESCE($5, disabled), updated_at = now() WHERE username = $1 RETURNING *`,
      [username, c.email ?? null, c.passwordHash ?? null, c.role ?? null, c.disabled ?? null],
    );
    return res.rows[0] ? toUser(res.rows[0]) : undefined;
  }

  async delete(username: string): Promise<boolean> {
    return (await this.#db.query('DELETE FROM users WHERE username = $1', [username])).rowCount === 1;
  }

  async count(): Promise<number> {
    const res = await this.#db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    return Number(res.rows[0]?.n ?? 0);
  }
}

function toRefresh(r: Row): RefreshTokenRecord {
  return compact({
    id: String(r.id), tokenHash: String(r.token_hash), username: String(r.username), familyId: String(r.family_id),
    createdAt: iso(r.created_at), expiresAt: iso(r.expires_at), revokedAt: isoOrUndefined(r.revoked_at),
  });
}

/** Refresh tokens in SQL. */
export class SqlRefreshTokenStore implements RefreshTokenStore {
  readonly #db: SqlRunner;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  async insert(t: Omit<RefreshTokenRecord, 'createdAt' | 'revokedAt'>): Promise<void> {
    await this.#db.query(
      'INSERT INTO refresh_tokens (id, token_hash, username, family_id, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [t.id, t.tokenHash, t.username, t.familyId, t.expiresAt],
    );
  }

  async findByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    const res = await this.#db.query('SELECT * FROM refresh_tokens WHERE token_hash = $1', [tokenHash]);
    return res.rows[0] ? toRefresh(res.rows[0]) : undefined;
  }

  async revoke(id: string): Promise<boolean> {
    const res = await this.#db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
    return res.rowCount === 1;
  }

  async revokeFamily(familyId: string): Promise<number> {
    return (await this.#db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [familyId])).rowCount;
  }

  async revokeUser(username: string): Promise<number> {
    return (await this.#db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE username = $1 AND revoked_at IS NULL', [username])).rowCount;
  }
}

function toApiKey(r: Row): ApiKeyRecord {
  return compact({
    id: String(r.id), keyHash: String(r.key_hash), username: String(r.username), accountUid: textOrUndefined(r.account_uid),
    role: r.role as Role, name: String(r.name),
    createdAt: iso(r.created_at), expiresAt: isoOrUndefined(r.expires_at), revokedAt: isoOrUndefined(r.revoked_at),
    lastUsedAt: isoOrUndefined(r.last_used_at),
  });
}

/** API keys in SQL. */
export class SqlApiKeyStore implements ApiKeyStore {
  readonly #db: SqlRunner;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  async insert(k: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt' | 'lastUsedAt'>): Promise<void> {
    await this.#db.query(
      'INSERT INTO api_keys (id, key_hash, username, account_uid, role, name, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [k.id, k.keyHash, k.username, k.accountUid ?? null, k.role, k.name, k.expiresAt ?? null],
    );
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const res = await this.#db.query('SELECT * FROM api_keys WHERE key_hash = $1', [keyHash]);
    return res.rows[0] ? toApiKey(res.rows[0]) : undefined;
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const res = await this.#db.query('SELECT * FROM api_keys WHERE id = $1', [id]);
    return res.rows[0] ? toApiKey(res.rows[0]) : undefined;
  }

  async list(username?: string): Promise<ApiKeyRecord[]> {
    const res = username === undefined
      ? await this.#db.query('SELECT * FROM api_keys ORDER BY created_at DESC, id')
      : await this.#db.query('SELECT * FROM api_keys WHERE username = $1 ORDER BY created_at DESC, id', [username]);
    return res.rows.map(toApiKey);
  }

  async revoke(id: string): Promise<boolean> {
    return (await this.#db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id])).rowCount === 1;
  }

  async touch(id: string): Promise<void> {
    await this.#db.query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [id]);
  }
}
