/**
 * The activity tables behind the repository: the audit log, viewer connections and settings.
 */
import type {
  AuditEntry, AuditOutcome, AuditQuery, AuditStore, ConnectionRecord, ConnectionStore, SettingStore,
} from './repository.ts';
import type { SqlRunner } from './sql-driver.ts';
import { compact, iso, textOrUndefined } from './sql-rows.ts';

type Row = Record<string, unknown>;

function toAudit(r: Row): AuditEntry {
  return compact({
    id: String(r.id), at: iso(r.at), actor: String(r.actor), action: String(r.action), target: textOrUndefined(r.target),
    result: r.result === null || r.result === undefined ? undefined : Number(r.result),
    sourceIp: textOrUndefined(r.source_ip), detail: textOrUndefined(r.detail),
  });
}

/** The WHERE clause and parameters of an audit query. */
function auditFilter(q: AuditQuery): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (q.actor !== undefined) add('actor = ?', q.actor);
  if (q.action !== undefined) add('action = ?', q.action);
  if (q.target !== undefined) add('target = ?', q.target);
  if (q.result !== undefined) add('result = ?', q.result);
  if (q.since !== undefined) add('at >= ?', q.since);
  if (q.until !== undefined) add('at < ?', q.until);
  if (q.before !== undefined) add('id < ?', q.before);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The audit log in SQL. */
export class SqlAuditStore implements AuditStore {
  readonly #db: SqlRunner;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  async append(e: Omit<AuditEntry, 'id' | 'at'> & { result: number }): Promise<void> {
    await this.#insert(e);
  }

  async begin(e: Omit<AuditEntry, 'id' | 'at' | 'result'>): Promise<string> {
    return this.#insert(e);
  }

  async finish(id: string, o: AuditOutcome): Promise<void> {
    await this.#db.query(
      'UPDATE audit_log SET actor = $2, target = $3, result = $4, detail = $5 WHERE id = $1',
      [id, o.actor, o.target ?? null, o.result, o.detail ?? null],
    );
  }

  async #insert(e: Omit<AuditEntry, 'id' | 'at'>): Promise<string> {
    const res = await this.#db.query<{ id: string }>(
      'INSERT INTO audit_log (actor, action, target, result, source_ip, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text AS id',
      [e.actor, e.action, e.target ?? null, e.result ?? null, e.sourceIp ?? null, e.detail ?? null],
    );
    return String(res.rows[0].id);
  }

  async query(q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor?: string }> {
    const { where, params } = auditFilter(q);
    // Ordered by the table's bigint column: the text alias `id` would sort 9 after 13.
    const sql = `SELECT id::text AS id, at, actor, action, target, result, source_ip, detail FROM audit_log ${where}
      ORDER BY audit_log.id DESC LIMIT ${Math.floor(q.limit) + 1}`;
    const rows = (await this.#db.query(sql, params)).rows.map(toAudit);
    const items = rows.slice(0, q.limit);
    return rows.length > q.limit ? { items, nextCursor: items[items.length - 1].id } : { items };
  }
}

function toConnection(r: Row): ConnectionRecord {
  return compact({
    id: String(r.id), session: String(r.session), username: String(r.username), client: textOrUndefined(r.client),
    connectedAt: iso(r.connected_at), lastHeartbeat: iso(r.last_heartbeat),
  });
}

/** Viewer connections in SQL. */
export class SqlConnectionStore implements ConnectionStore {
  readonly #db: SqlRunner;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  async insert(c: Omit<ConnectionRecord, 'connectedAt' | 'lastHeartbeat'>): Promise<ConnectionRecord> {
    const res = await this.#db.query(
      'INSERT INTO connections (id, session, username, client) VALUES ($1, $2, $3, $4) RETURNING *',
      [c.id, c.session, c.username, c.client ?? null],
    );
    return toConnection(res.rows[0]);
  }

  async get(id: string): Promise<ConnectionRecord | undefined> {
    const res = await this.#db.query('SELECT * FROM connections WHERE id = $1', [id]);
    return res.rows[0] ? toConnection(res.rows[0]) : undefined;
  }

  async heartbeat(id: string): Promise<boolean> {
    return (await this.#db.query('UPDATE connections SET last_heartbeat = now() WHERE id = $1', [id])).rowCount === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.#db.query('DELETE FROM connections WHERE id = $1', [id])).rowCount === 1;
  }

  async listActive(session: string, since: Date): Promise<ConnectionRecord[]> {
    const res = await this.#db.query('SELECT * FROM connections WHERE session = $1 AND last_heartbeat > $2 ORDER BY connected_at, id', [session, since.toISOString()]);
    return res.rows.map(toConnection);
  }

  async expire(before: Date): Promise<number> {
    return (await this.#db.query('DELETE FROM connections WHERE last_heartbeat <= $1', [before.toISOString()])).rowCount;
  }
}

/** Settings in SQL. */
export class SqlSettingStore implements SettingStore {
  readonly #db: SqlRunner;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  async getOrCreate(key: string, create: () => string): Promise<string> {
    const existing = await this.#db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    if (existing.rows[0]) return existing.rows[0].value;
    await this.#db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, create()]);
    const stored = await this.#db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return stored.rows[0].value;
  }
}
