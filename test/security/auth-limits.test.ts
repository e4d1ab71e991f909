/**
 * Issue 18, item 5: limits before authentication. Failed authentications (bad API keys, bad
 * tokens, wrong passwords) are limited per address and per account with a doubling back-off,
 * answered 429 with Retry-After before the credentials are looked at; the attempts are audited.
 * Concurrent password hashing is capped, so a crowd of anonymous logins cannot starve a real one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SCRYPT_COST } from '../../src/api/auth/password-hash.ts';
import { ADMIN_PASSWORD, startApiHarness, type ApiHarness } from '../api/harness.ts';

describe('limits before authentication', () => {
  let h: ApiHarness;
  let admin: string;
  before(async () => {
    // Long enough back-off that it cannot lapse between two requests on a loaded machine.
    h = await startApiHarness({ authFailureLimit: { freeFailures: 6, baseBlockMs: 60_000, maxBlockMs: 600_000 } });
    admin = await h.login('admin', ADMIN_PASSWORD);
    await h.userToken('vera');
  });
  after(async () => { await h?.stop(); });

  it('blocks an account after repeated wrong passwords, even with the right one, and audits the attempts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.request('POST', '/api/v1/auth/login', { body: { username: 'vera', password: `wrong-${i}` } })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429], 'the third failure for the account starts the back-off');
    const right = await h.request('POST', '/api/v1/auth/login', { body: { username: 'vera', password: 'vera-password' } });
    assert.equal(right.status, 429, right.text);
    assert.match(right.json.message, /for this account; retry in \d+ s/);
    assert.ok(Number(right.headers.get('retry-after')) >= 1);
    const audit = await h.request('GET', '/api/v1/audit?action=auth.login&target=vera&result=429', { token: admin });
    assert.equal(audit.json.items.length, 2, 'the refused attempts are audited');
  });

  it('blocks an address after repeated bad API keys, before looking at credentials', async () => {
    const statuses: number[] = [];
    // Three failures are already counted for this address by the previous test.
    for (let i = 0; i < 4; i++) statuses.push((await h.request('GET', '/api/v1/sessions', { token: `ssk_guess${i}` })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    const valid = await h.request('GET', '/api/v1/sessions', { token: admin });
    assert.equal(valid.status, 429, 'blocked before authentication, whatever the credentials');
    assert.match(valid.json.message, /from this address/);
  });
});

describe('password hashing under a crowd of logins', () => {
  let h: ApiHarness;
  // The real scrypt cost, so hashes take long enough for a crowd to queue.
  before(async () => { h = await startApiHarness({ auth: { adminPassword: ADMIN_PASSWORD, scryptCost: DEFAULT_SCRYPT_COST } }); });
  after(async () => { await h?.stop(); });

  it('refuses logins beyond the hashing queue with 429 instead of queueing without bound', async () => {
    const admin = await h.login('admin', ADMIN_PASSWORD);
    // An account whose hash has the real cost (unknown names are checked against a decoy hash).
    assert.equal((await h.request('POST', '/api/v1/users', { token: admin, body: { username: 'crowd', password: 'crowd-password' } })).status, 201);
    const crowd = await Promise.all(Array.from({ length: 80 }, () => h.request('POST', '/api/v1/auth/login', { body: { username: 'crowd', password: 'wrong' } })));
    const statuses = [...new Set(crowd.map((r) => r.status))];
    assert.ok(statuses.every((s) => s === 401 || s === 429), statuses.join(','));
    assert.ok(crowd.some((r) => r.status === 429 && /Too many sign-ins at once/.test(r.json.message)), `some of 80 simultaneous logins are turned away: ${statuses.join(',')}`);
    assert.equal((await h.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).status, 200, 'a real login succeeds once the crowd is gone');
  });
});
