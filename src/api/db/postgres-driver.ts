/**
 * The shared backend: a real PostgreSQL server reached by URL through a `pg` pool, so several
 * API replicas can share users, tokens, API keys, audit and connections.
 */
import pg from 'pg';
import type { SqlDriver, SqlResult, SqlRunner } from './sql-driver.ts';

/** A {@link SqlDriver} over a `pg` connection pool. */
export class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;

  constructor(url: string, opts: { maxConnections?: number } = {}) {
    this.#pool = new pg.Pool({ connectionString: url, max: opts.maxConnections ?? 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.#pool.on('error', () => undefined);
  }

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<SqlResult<T>> {
    const res = await this.#pool.query(sql, params);
    return { rows: res.rows as T[], rowCount: res.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
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
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
