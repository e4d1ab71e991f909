/**
 * Versioned schema migrations. Each has a version, a name and its SQL; `migrate()` applies the
 * ones missing from `schema_migrations` in order, each in its own transaction, under an
 * advisory lock so replicas starting together against one PostgreSQL apply each exactly once.
 * Released migrations are never edited: a change is a new entry at the end.
 */
import type { SqlDriver } from './sql-driver.ts';

/** One schema change. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts, tokens, api keys, audit, connections',
    sql: `
      CREATE TABLE users (
        username text PRIMARY KEY,
        email text,
        password_hash text,
        role text NOT NULL CHECK (role IN ('admin', 'user')),
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE refresh_tokens (
        id text PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        username text NOT NULL,
        family_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        key_hash text NOT NULL UNIQUE,
        username text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'user')),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz
      );
      CREATE INDEX api_keys_username ON api_keys (username);
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        action text NOT NULL,
        target text,
        result integer NOT NULL,
        source_ip text,
        detail text
      );
      CREATE INDEX audit_log_actor ON audit_log (actor, id);
      CREATE INDEX audit_log_action ON audit_log (action, id);
      CREATE TABLE connections (
        id text PRIMARY KEY,
        session text NOT NULL,
        username text NOT NULL,
        client text,
        connected_at timestamptz NOT NULL DEFAULT now(),
        last_heartbeat timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX connections_session ON connections (session);
      CREATE TABLE settings (
        key text PRIMARY KEY,
        value text NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'immutable account ids; API keys bound to the account that minted them',
    // Accounts from before keep no id (NULL): their sessions and home volumes stay keyed by name.
    // Accounts created from now on get a random id, so reusing a deleted account's name starts afresh.
    sql: `
      ALTER TABLE users ADD COLUMN uid text UNIQUE;
      ALTER TABLE users ALTER COLUMN uid SET DEFAULT gen_random_uuid()::text;
      ALTER TABLE api_keys ADD COLUMN account_uid text
    `,
  },
  {
    version: 3,
    name: 'audit entries written before the change they record',
    // An entry is begun (result NULL) before a change is made and finished with the status answered.
    sql: 'ALTER TABLE audit_log ALTER COLUMN result DROP NOT NULL',
  },
];

/** An arbitrary constant naming our advisory lock. */
const MIGRATION_LOCK = 7_426_001;

/** Applies the missing migrations; returns the versions applied now. */
export async function migrate(db: SqlDriver, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  // Under the lock too: concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog.
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (seen.rows.length > 0) return false;
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

/** The versions recorded in `schema_migrations`, ascending. */
export async function appliedVersions(db: SqlDriver): Promise<number[]> {
  const res = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  return res.rows.map((r) => Number(r.version));
}

/** Splits a migration into statements (ours contain no `;` inside literals). */
function splitStatements(sql: string): string[] {
  return sql.split(';').map((s) => s.trim()).filter((s) => s.length > 0);
}
