/**
 * The {@link Repository} over SQL, and `openRepository()`, which picks the backend: PostgreSQL
 * when a URL is given, otherwise PGlite (file-backed under `dataDir`, in memory without one).
 * Opening always brings the schema up to date.
 */
import path from 'node:path';
import { migrate } from './migrations.ts';
import { PGliteDriver } from './pglite-driver.ts';
import { PostgresDriver } from './postgres-driver.ts';
import type {
  ApiKeyStore, AuditStore, ConnectionStore, RefreshTokenStore, Repository, SettingStore, UserStore,
} from './repository.ts';
import { SqlAuditStore, SqlConnectionStore, SqlSettingStore } from './sql-activity.ts';
import { SqlApiKeyStore, SqlRefreshTokenStore, SqlUserStore } from './sql-accounts.ts';
import type { SqlDriver } from './sql-driver.ts';

/** The repository over any {@link SqlDriver}. */
export class SqlRepository implements Repository {
  readonly backend: 'pglite' | 'postgres';
  readonly users: UserStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly apiKeys: ApiKeyStore;
  readonly audit: AuditStore;
  readonly connections: ConnectionStore;
  readonly settings: SettingStore;
  readonly #db: SqlDriver;

  constructor(db: SqlDriver) {
    this.#db = db;
    this.backend = db.kind;
    this.users = new SqlUserStore(db);
    this.refreshTokens = new SqlRefreshTokenStore(db);
    this.apiKeys = new SqlApiKeyStore(db);
    this.audit = new SqlAuditStore(db);
    this.connections = new SqlConnectionStore(db);
    this.settings = new SqlSettingStore(db);
  }

  async ping(): Promise<void> {
    await this.#db.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

/** Where the data lives. */
export interface RepositoryLocation {
  /** PostgreSQL connection URL; wins over `dataDir`. */
  databaseUrl?: string;
  /** The API's data folder: PGlite keeps its files in `<dataDir>/db`. */
  dataDir?: string;
}

/** Opens the repository and applies pending migrations. */
export async function openRepository(loc: RepositoryLocation): Promise<Repository> {
  const driver: SqlDriver = loc.databaseUrl
    ? new PostgresDriver(loc.databaseUrl)
    : await PGliteDriver.open(loc.dataDir ? path.join(loc.dataDir, 'db') : undefined);
  try {
    await migrate(driver);
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw err;
  }
  return new SqlRepository(driver);
}
