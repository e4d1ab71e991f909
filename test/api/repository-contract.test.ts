/**
 * The repository contract, run against every backend: embedded PGlite in memory, PGlite on
 * disk (reopened, to prove it persists), and a real PostgreSQL server (started by
 * test/support/postgres.ts, installed from Debian's packages when missing).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appliedVersions, MIGRATIONS, migrate } from '../../src/api/db/migrations.ts';
import { PGliteDriver } from '../../src/api/db/pglite-driver.ts';
import { PostgresDriver } from '../../src/api/db/postgres-driver.ts';
import type { Repository } from '../../src/api/db/repository.ts';
import type { SqlDriver } from '../../src/api/db/sql-driver.ts';
import { SqlRepository } from '../../src/api/db/sql-repository.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

/** The shared suite: `open` returns a migrated driver on an empty database. */
function repositoryContract(name: string, open: () => Promise<SqlDriver>): void {
  describe(`repository contract: ${name}`, () => {
    let driver: SqlDriver;
    let repo: Repository;
    before(async () => {
      driver = await open();
      await migrate(driver);
      repo = new SqlRepository(driver);
    });
    after(() => repo.close());

    it('records every migration once, and a second run applies nothing', async () => {
      assert.deepEqual(await appliedVersions(driver), MIGRATIONS.map((m) => m.version));
      assert.deepEqual(await migrate(driver), []);
      await repo.ping();
    });

    it('creates, reads, updates, lists and deletes users; names are unique', async () => {
      assert.equal(await repo.users.create({ username: 'ann', role: 'user', disabled: false, passwordHash: 'h1', email: 'ann@x' }), true);
      assert.equal(await repo.users.create({ username: 'ann', role: 'admin', disabled: false }), false);
      assert.equal(await repo.users.create({ username: 'bob', role: 'admin', disabled: false }), true);
      const ann = await repo.users.get('ann');
      assert.equal(ann?.role, 'user');
      assert.equal(ann?.passwordHash, 'h1');
      assert.match(ann?.createdAt ?? '', /^\d{4}-\d\d-\d\dT/);
      const changed = await repo.users.update('ann', { role: 'admin', disabled: true });
      assert.equal(changed?.role, 'admin');
      assert.equal(changed?.disabled, true);
      assert.equal(changed?.passwordHash, 'h1', 'unchanged fields are kept');
      assert.equal(await repo.users.update('nobody', { role: 'user' }), undefined);
      assert.deepEqual((await repo.users.list()).map((u) => u.username), ['ann', 'bob']);
      assert.equal(await repo.users.count(), 2);
      assert.equal(await repo.users.delete('bob'), true);
      assert.equal(await repo.users.delete('bob'), false);
      assert.equal(await repo.users.get('bob'), undefined);
    });

    it('revokes a refresh token exactly once and whole families and users at a time', async () => {
      const expiresAt = new Date(Date.now() + 60_000).toISOString();
      await repo.refreshTokens.insert({ id: 'r1', tokenHash: 'th1', username: 'ann', familyId: 'f1', expiresAt });
      await repo.refreshTokens.insert({ id: 'r2', tokenHash: 'th2', username: 'ann', familyId: 'f1', expiresAt });
      await repo.refreshTokens.insert({ id: 'r3', tokenHash: 'th3', username: 'ann', familyId: 'f2', expiresAt });
      const found = await repo.refreshTokens.findByHash('th1');
      assert.equal(found?.id, 'r1');
      assert.equal(found?.revokedAt, undefined);
      const wins = await Promise.all([repo.refreshTokens.revoke('r1'), repo.refreshTokens.revoke('r1')]);
      assert.deepEqual(wins.sort(), [false, true], 'only one concurrent revoke wins');
      assert.ok((await repo.refreshTokens.findByHash('th1'))?.revokedAt);
      assert.equal(await repo.refreshTokens.revokeFamily('f1'), 1, 'r2 only; r1 was already revoked');
      assert.equal(await repo.refreshTokens.revokeUser('ann'), 1, 'r3 only');
      assert.equal(await repo.refreshTokens.findByHash('nope'), undefined);
    });

    it('stores API keys by hash, lists them per user and revokes them', async () => {
      await repo.apiKeys.insert({ id: 'k1', keyHash: 'kh1', username: 'ann', role: 'user', name: 'ci' });
      await repo.apiKeys.insert({ id: 'k2', keyHash: 'kh2', username: 'carl', role: 'user', name: 'bot', expiresAt: new Date(Date.now() + 1000).toISOString() });
      assert.equal((await repo.apiKeys.findByHash('kh1'))?.id, 'k1');
      assert.ok((await repo.apiKeys.get('k2'))?.expiresAt);
      assert.deepEqual((await repo.apiKeys.list('ann')).map((k) => k.id), ['k1']);
      assert.equal((await repo.apiKeys.list()).length, 2);
      await repo.apiKeys.touch('k1');
      assert.ok((await repo.apiKeys.get('k1'))?.lastUsedAt);
      assert.equal(await repo.apiKeys.revoke('k1'), true);
      assert.equal(await repo.apiKeys.revoke('k1'), false);
      assert.ok((await repo.apiKeys.findByHash('kh1'))?.revokedAt);
    });

    it('appends audit entries and pages them newest first with filters', async () => {
      for (let i = 0; i < 5; i++) await repo.audit.append({ actor: i % 2 ? 'ann' : 'bob', action: 'session.create', target: `s${i}`, result: 202 });
      await repo.audit.append({ actor: 'ann', action: 'session.delete', target: 's0', result: 403, sourceIp: '10.0.0.1', detail: 'not yours' });
      const first = await repo.audit.query({ limit: 4 });
      assert.equal(first.items.length, 4);
      assert.equal(first.items[0].action, 'session.delete');
      assert.equal(first.items[0].sourceIp, '10.0.0.1');
      assert.ok(first.nextCursor);
      const second = await repo.audit.query({ limit: 4, before: first.nextCursor });
      assert.deepEqual(second.items.map((e) => e.target), ['s1', 's0']);
      assert.equal(second.nextCursor, undefined);
      const anns = await repo.audit.query({ limit: 10, actor: 'ann', action: 'session.create' });
      assert.deepEqual(anns.items.map((e) => e.target), ['s3', 's1']);
      assert.equal((await repo.audit.query({ limit: 10, result: 403 })).items.length, 1);
      const future = new Date(Date.now() + 3600_000).toISOString();
      assert.equal((await repo.audit.query({ limit: 10, since: future })).items.length, 0);
      assert.equal((await repo.audit.query({ limit: 10, until: future })).items.length, 6);
    });

    it('orders the audit log by number, not text: pages of any size add up to the whole log, newest first', async () => {
      // Past 9 and 99, text order would put 9 before 13 and 99 before 100.
      for (let i = 0; i < 127; i++) await repo.audit.append({ actor: 'paging', action: 'page.test', target: `p${i}`, result: 200 });
      const all = await repo.audit.query({ limit: 500, actor: 'paging' });
      assert.deepEqual(all.items.map((e) => e.target), Array.from({ length: 127 }, (_, i) => `p${126 - i}`));
      const ids = all.items.map((e) => BigInt(e.id));
      assert.ok(ids.every((id, i) => i === 0 || id < ids[i - 1]), 'ids strictly decrease');
      for (const limit of [3, 10]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await repo.audit.query({ limit, actor: 'paging', before: cursor });
          seen.push(...page.items.map((e) => e.target!));
          cursor = page.nextCursor;
        } while (cursor);
        assert.deepEqual(seen, all.items.map((e) => e.target), `pages of ${limit}`);
      }
    });

    it('writes an entry before a change and records its outcome after', async () => {
      const id = await repo.audit.begin({ actor: 'anonymous', action: 'auth.login', sourceIp: '10.0.0.2' });
      const pending = (await repo.audit.query({ limit: 1, action: 'auth.login' })).items[0];
      assert.equal(pending.id, id);
      assert.equal(pending.result, undefined, 'no result while the call runs');
      await repo.audit.finish(id, { actor: 'dora', target: 'dora', result: 401, detail: 'wrong password' });
      const done = (await repo.audit.query({ limit: 1, action: 'auth.login' })).items[0];
      assert.deepEqual({ ...done, at: undefined }, { id, at: undefined, actor: 'dora', action: 'auth.login', target: 'dora', result: 401, sourceIp: '10.0.0.2', detail: 'wrong password' });
    });

    it('tracks connections: heartbeat, active listing, expiry and delete', async () => {
      const c = await repo.connections.insert({ id: 'c1', session: 's1', username: 'ann', client: 'browser' });
      assert.equal(c.session, 's1');
      await repo.connections.insert({ id: 'c2', session: 's1', username: 'ann' });
      assert.equal(await repo.connections.heartbeat('c1'), true);
      assert.equal(await repo.connections.heartbeat('zz'), false);
      const longAgo = new Date(Date.now() - 3600_000);
      assert.deepEqual((await repo.connections.listActive('s1', longAgo)).map((x) => x.id), ['c1', 'c2']);
      assert.equal((await repo.connections.listActive('s1', new Date(Date.now() + 3600_000))).length, 0);
      assert.equal(await repo.connections.expire(longAgo), 0);
      assert.equal(await repo.connections.delete('c2'), true);
      assert.equal(await repo.connections.expire(new Date(Date.now() + 1000)), 1);
      assert.equal(await repo.connections.get('c1'), undefined);
    });

    it('keeps the first value of a setting', async () => {
      assert.equal(await repo.settings.getOrCreate('k', () => 'first'), 'first');
      assert.equal(await repo.settings.getOrCreate('k', () => 'second'), 'first');
    });
  });
}

/** Upgrading a database from before account ids (migration 1 only): `open` returns a driver on an empty database. */
function accountIdUpgrade(name: string, open: () => Promise<SqlDriver>): void {
  describe(`account ids on upgrade: ${name}`, () => {
    it('leaves existing accounts and keys without an id (sessions and homes stay keyed by name) and gives every new account its own', async () => {
      const driver = await open();
      try {
        await migrate(driver, MIGRATIONS.filter((m) => m.version === 1));
        await driver.query(`INSERT INTO users (username, role) VALUES ('legacy', 'user')`);
        await driver.query(`INSERT INTO api_keys (id, key_hash, username, role, name) VALUES ('k0', 'kh0', 'legacy', 'user', 'old key')`);
        await migrate(driver);
        const repo = new SqlRepository(driver);
        assert.equal((await repo.users.get('legacy'))?.uid, undefined);
        assert.equal((await repo.apiKeys.get('k0'))?.accountUid, undefined);
        assert.equal(await repo.users.create({ username: 'fresh', role: 'user', disabled: false }), true);
        const fresh = (await repo.users.get('fresh'))?.uid;
        assert.match(fresh ?? '', /^[0-9a-f-]{36}$/);
        await repo.users.delete('fresh');
        await repo.users.create({ username: 'fresh', role: 'user', disabled: false });
        assert.notEqual((await repo.users.get('fresh'))?.uid, fresh, 'a name reused gets a new id');
        await repo.apiKeys.insert({ id: 'k1', keyHash: 'kh1', username: 'fresh', accountUid: 'acc-1', role: 'user', name: 'bound' });
        assert.equal((await repo.apiKeys.get('k1'))?.accountUid, 'acc-1');
      } finally {
        await driver.close();
      }
    });
  });
}

repositoryContract('PGlite in memory', () => PGliteDriver.open());
accountIdUpgrade('PGlite in memory', () => PGliteDriver.open());

const pgliteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-pglite-'));
repositoryContract('PGlite on disk', () => PGliteDriver.open(pgliteDir));

describe('PGlite on disk keeps data across reopening', () => {
  after(() => fs.rmSync(pgliteDir, { recursive: true, force: true }));
  it('finds the users written by the contract suite', async () => {
    const driver = await PGliteDriver.open(pgliteDir);
    try {
      assert.deepEqual(await migrate(driver), [], 'already migrated');
      assert.equal(await new SqlRepository(driver).users.count(), 1);
    } finally {
      await driver.close();
    }
  });
});

let server: TestPostgres | undefined;
before(async () => {
  server = await startTestPostgres();
});
after(() => server?.stop());
repositoryContract('PostgreSQL', async () => new PostgresDriver(server!.url));
accountIdUpgrade('PostgreSQL', async () => new PostgresDriver(await server!.createDatabase('account_id_upgrade')));

describe('PostgreSQL migrations under concurrency', () => {
  it('applies each migration exactly once when replicas start together', async () => {
    const url = await server!.createDatabase('concurrent_migrations');
    const drivers = [new PostgresDriver(url), new PostgresDriver(url), new PostgresDriver(url)];
    try {
      const applied = await Promise.all(drivers.map((d) => migrate(d)));
      assert.deepEqual(applied.flat().sort(), MIGRATIONS.map((m) => m.version));
      assert.deepEqual(await appliedVersions(drivers[0]), MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all(drivers.map((d) => d.close()));
    }
  });
});
