/**
 * The shared backend: a real PostgreSQL server reached by URL through a `pg` pool, so several
 * API replicas can share users, tokens, API keys, audit and connections.
 */
import pg from 'pg';
import { DatabaseUnavailableError, isConnectionFailure } from './database-unavailable.ts';
import type { SqlDriver, SqlResult, SqlRunner } from './sql-driver.ts';

/** A {@link SqlDriver} over a `pg` connection pool. */
export class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;

  constructor(url: string, opts: { maxConnections?: number; connectTimeoutMs?: number } = {}) {
    // A server that does not answer fails the call within the timeout instead of holding it.
    this.#pool = new pg.Pool({ connectionString: url, max: opts.maxConnections ?? 10, connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.#pool.on('error', () => undefined);
  }

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<SqlResult<T>> {
    try {
      const res = await this.#pool.query(sql, params);
      return { rows: res.rows as T[], rowCount: res.rowCount ?? 0 };
    } catch (err) {
      throw this.#unavailable(err);
    }
  }

  /** `err` as a {@link DatabaseUnavailableError} when the server could not be reached, else unchanged. */
  #unavailable(err: unknown): unknown {
    return isConnectionFailure(err) ? new DatabaseUnavailableError(this.kind, err) : err;
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect().catch((err: unknown) => {
      throw this.#unavailable(err);
    });
    try {
      await client.query('BEGIN');
      const result = await fn({
        query: async <R>(sql: string, params?: unknown[]) => {
          const res = await client.query(sql, params);
          return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.#unavailable(err);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
