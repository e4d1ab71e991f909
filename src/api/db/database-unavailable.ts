/**
 * A database that does not answer: the drivers turn connection-level failures (refused, reset,
 * terminated, timed out, the server shutting down) into {@link DatabaseUnavailableError}, which
 * the API answers with 503 `SS_ERR_DATABASE_UNAVAILABLE` instead of a 500. Errors the server
 * reports about a statement (a bad query, a constraint) stay what they are.
 */

/** The database could not be reached; `cause` is the driver's error (logged, never sent to clients). */
export class DatabaseUnavailableError extends Error {
  readonly backend: 'pglite' | 'postgres';

  constructor(backend: 'pglite' | 'postgres', cause: unknown) {
    super(`The database (${backend === 'postgres' ? 'PostgreSQL' : 'embedded PGlite'}) is unavailable`, { cause });
    this.name = 'DatabaseUnavailableError';
    this.backend = backend;
  }
}

/** SQLSTATE classes meaning the connection, not the statement, failed: 08 (connection), 57P (shutdown), 53300 (too many connections). */
const UNAVAILABLE_SQLSTATE = /^(08|57P)|^53300$/;

/** True when `err` says the database could not be reached rather than that a statement failed. */
export function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return UNAVAILABLE_SQLSTATE.test(code);
  // Node's socket errors (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...) and pg's own connection messages.
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return true;
  return /connection|terminated|timeout exceeded/i.test(err.message);
}
