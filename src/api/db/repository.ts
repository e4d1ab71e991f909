/**
 * The API's one repository interface: everything the API keeps outside Kubernetes (accounts,
 * refresh tokens, API keys, the audit log, viewer connections, a few settings). Two backends
 * implement it through {@link SqlRepository}: embedded PGlite and PostgreSQL by URL; the
 * contract suite in test/api/repository-contract.test.ts runs against both.
 */

/** What a caller may do: admins act on everything, users on their own sessions. */
export type Role = 'admin' | 'user';

/** A built-in account. Timestamps are RFC 3339 strings. */
export interface UserRecord {
  username: string;
  /**
   * Immutable account id, assigned at creation (absent for accounts created before ids existed).
   * Sessions and home volumes are bound to it, so a new account reusing a name starts afresh.
   */
  uid?: string;
  email?: string;
  /** scrypt hash (see auth/password-hash.ts); absent for accounts that cannot log in. */
  passwordHash?: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The fields of an account an admin may change. */
export interface UserChanges {
  email?: string;
  passwordHash?: string;
  role?: Role;
  disabled?: boolean;
}

/** Built-in accounts. */
export interface UserStore {
  /** Creates the account (with a new uid); false when the name is taken. */
  create(user: Omit<UserRecord, 'uid' | 'createdAt' | 'updatedAt'>): Promise<boolean>;
  get(username: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  /** Applies `changes`; the updated account, or undefined when there is none. */
  update(username: string, changes: UserChanges): Promise<UserRecord | undefined>;
  delete(username: string): Promise<boolean>;
  count(): Promise<number>;
}

/** A stored refresh token (only its hash is kept). */
export interface RefreshTokenRecord {
  id: string;
  tokenHash: string;
  username: string;
  /** Every token rotated from one login shares a family; reuse of a rotated token revokes it. */
  familyId: string;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
}

/** Refresh tokens. */
export interface RefreshTokenStore {
  insert(token: Omit<RefreshTokenRecord, 'createdAt' | 'revokedAt'>): Promise<void>;
  findByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Revokes one token; true only for the call that revoked it (so rotation has one winner). */
  revoke(id: string): Promise<boolean>;
  revokeFamily(familyId: string): Promise<number>;
  revokeUser(username: string): Promise<number>;
}

/** A stored API key (only its hash is kept). */
export interface ApiKeyRecord {
  id: string;
  keyHash: string;
  username: string;
  /** The uid of the built-in account that minted the key; the key stops working for any other account of that name. */
  accountUid?: string;
  role: Role;
  name: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

/** API keys. */
export interface ApiKeyStore {
  insert(key: Omit<ApiKeyRecord, 'createdAt' | 'revokedAt' | 'lastUsedAt'>): Promise<void>;
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Keys of `username`, or every key when undefined; newest first. */
  list(username?: string): Promise<ApiKeyRecord[]>;
  revoke(id: string): Promise<boolean>;
  touch(id: string): Promise<void>;
}

/** One audited call. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: string;
  action: string;
  target?: string;
  /** The HTTP status answered; absent while the call runs, or when its outcome could not be recorded (the database failed meanwhile). */
  result?: number;
  sourceIp?: string;
  detail?: string;
}

/** Filters and paging of the audit log (newest first; `before` is the previous page's cursor). */
export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  result?: number;
  since?: string;
  until?: string;
  limit: number;
  before?: string;
}

/** What finishing a begun entry records. */
export type AuditOutcome = Pick<AuditEntry, 'actor' | 'target' | 'detail'> & { result: number };

/** The audit log. */
export interface AuditStore {
  append(entry: Omit<AuditEntry, 'id' | 'at'> & { result: number }): Promise<void>;
  /** Writes an entry without a result before a change is made; returns its id. */
  begin(entry: Omit<AuditEntry, 'id' | 'at' | 'result'>): Promise<string>;
  /** Records the outcome of the entry `id` begun earlier. */
  finish(id: string, outcome: AuditOutcome): Promise<void>;
  query(q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor?: string }>;
}

/** A viewer connected to a session. */
export interface ConnectionRecord {
  id: string;
  session: string;
  username: string;
  client?: string;
  connectedAt: string;
  lastHeartbeat: string;
}

/** Viewer connections. */
export interface ConnectionStore {
  insert(c: Omit<ConnectionRecord, 'connectedAt' | 'lastHeartbeat'>): Promise<ConnectionRecord>;
  get(id: string): Promise<ConnectionRecord | undefined>;
  /** Refreshes last_heartbeat; false when the connection is gone. */
  heartbeat(id: string): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  /** Connections of `session` heard from after `since`. */
  listActive(session: string, since: Date): Promise<ConnectionRecord[]>;
  /** Deletes connections not heard from since `before`; returns how many. */
  expire(before: Date): Promise<number>;
}

/** Small named values shared by replicas (e.g. the token signing key). */
export interface SettingStore {
  /** The value under `key`, storing `create()`'s result first when there is none (first writer wins). */
  getOrCreate(key: string, create: () => string): Promise<string>;
}

/** The repository. */
export interface Repository {
  readonly backend: 'pglite' | 'postgres';
  readonly users: UserStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly apiKeys: ApiKeyStore;
  readonly audit: AuditStore;
  readonly connections: ConnectionStore;
  readonly settings: SettingStore;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
