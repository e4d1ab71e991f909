/**
 * The embedded backend: PGlite (PostgreSQL in WebAssembly), file-backed in a folder, or in
 * memory when no folder is given. One process owns the folder; several API replicas need the
 * PostgreSQL backend instead.
 */
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { SqlDriver, SqlResult, SqlRunner } from './sql-driver.ts';

interface PGliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
}

async function run<T>(db: PGliteLike, sql: string, params: unknown[] = []): Promise<SqlResult<T>> {
  const res = await db.query<T>(sql, params);
  return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
}

/**
 * A freshly initialised, empty database image. Creating a PGlite database runs initdb, which
 * takes seconds; when {@link PGliteDriver.reuseFreshImage} is on (tests that open many
 * in-memory databases), the first one is dumped and later in-memory databases load the image.
 */
let freshImage: Promise<Blob> | undefined;
let reuseImage = false;

async function createFreshImage(): Promise<Blob> {
  const db = new PGlite();
  await db.waitReady;
  const image = await db.dumpDataDir('none');
  await db.close();
  return image as Blob;
}

/** A {@link SqlDriver} over PGlite. */
export class PGliteDriver implements SqlDriver {
  readonly kind = 'pglite' as const;
  readonly #db: PGlite;

  private constructor(db: PGlite) {
    this.#db = db;
  }

  /** Opens (creating if needed) the database in `dir`, or an in-memory one without `dir`. */
  static async open(dir?: string): Promise<PGliteDriver> {
    if (dir) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const loadDataDir = !dir && reuseImage ? await (freshImage ??= createFreshImage()) : undefined;
    const db = dir ? new PGlite(dir) : new PGlite(loadDataDir ? { loadDataDir } : {});
    await db.waitReady;
    return new PGliteDriver(db);
  }

  /** Makes later in-memory databases of this process start from one initialised image. */
  static reuseFreshImage(): void {
    reuseImage = true;
  }

  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<SqlResult<T>> {
    return run<T>(this.#db, sql, params);
  }

  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.#db.transaction((tx) => fn({ query: (sql, params) => run(tx, sql, params) }));
  }

  async close(): Promise<void> {
    if (!this.#db.closed) await this.#db.close();
  }
}
