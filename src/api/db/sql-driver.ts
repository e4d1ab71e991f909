/**
 * The SQL connection the repository runs on. Both backends speak PostgreSQL's dialect (PGlite is
 * PostgreSQL compiled to WebAssembly), so the repository is written once against this small
 * interface and each backend only has to run a parameterised statement and a transaction.
 */

/** What a statement returns. `rowCount` counts rows changed by INSERT/UPDATE/DELETE. */
export interface SqlResult<T> {
  rows: T[];
  rowCount: number;
}

/** Runs parameterised SQL (`$1`, `$2`, ... placeholders). */
export interface SqlRunner {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<SqlResult<T>>;
}

/** A database connection (or pool) that can also run a transaction and be closed. */
export interface SqlDriver extends SqlRunner {
  /** Which backend this is, for /ready and logs: `pglite` or `postgres`. */
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
