/**
 * The API's foundation over real HTTP: probes, metrics, the OpenAPI document, the error shape
 * for bad input (400 with the field, never 500), body and content-type limits, and the per-user
 * rate limit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERRORS } from '../../src/api/errors.ts';
import { ADMIN_PASSWORD, startApiHarness, type ApiHarness } from './harness.ts';

describe('API foundation', () => {
  let h: ApiHarness;
  let admin: string;
  let user: string;
  before(async () => {
    h = await startApiHarness({ bodyLimitBytes: 4096 });
    admin = await h.login('admin', ADMIN_PASSWORD);
    user = await h.userToken('fay');
    await h.createTemplate('firefox', admin);
  });
  after(() => h?.stop());

  it('answers /health, and /ready once Kubernetes, the cache and the database answer', async () => {
    assert.deepEqual((await h.request('GET', '/health')).json, { status: 'ok' });
    const ready = await h.request('GET', '/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json.checks, { kubernetes: 'ok', cache: 'ok', database: 'ok' });
  });

  it('reports not ready (503) when the database is gone', async () => {
    await h.restartApi({});
    await h.api.repo.close();
    const ready = await h.request('GET', '/ready');
    assert.equal(ready.status, 503);
    assert.equal(ready.json.checks.kubernetes, 'ok');
    assert.match(ready.json.checks.database, /database \(pglite\)/);
    await h.restartApi({});
    admin = await h.login('admin', ADMIN_PASSWORD);
    user = await h.userToken('fay');
  });

  it('serves Prometheus metrics with request durations and heartbeat counters', async () => {
    await h.request('GET', '/api/v1/templates', { token: user });
    const res = await h.request('GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.text, /streamspace_api_request_duration_seconds_bucket\{.*route="\/api\/v1\/templates\/?".*\}/);
    assert.match(res.text, /streamspace_api_heartbeats_received_total/);
    assert.match(res.text, /streamspace_api_heartbeats_coalesced_total/);
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const doc = (await h.request('GET', '/api/openapi.json')).json;
    assert.equal(doc.openapi, '3.1.0');
    const create = doc.paths['/api/v1/sessions'].post;
    assert.deepEqual(create.requestBody.content['application/json'].schema.required, ['template']);
    assert.ok(create.responses['202']);
    assert.equal(create.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/Error');
    assert.ok(doc.paths['/api/v1/sessions/{id}/heartbeat'].post);
    assert.equal(doc.paths['/api/v1/auth/login'].post.security, undefined, 'login is public');
    assert.ok(doc.paths['/api/v1/users'].post);
    assert.deepEqual(doc.components.schemas.Error.required, ['error', 'message']);
  });

  it('answers bad input with 400 naming the field, never 500', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/sessions', {}, 'body.template'],
      ['POST', '/api/v1/sessions', { template: 'firefox', colour: 'red' }, 'body.colour'],
      ['POST', '/api/v1/sessions', { template: 'firefox', state: 'paused' }, 'body.state'],
      ['POST', '/api/v1/sessions', { template: 'firefox', idleTimeout: 'soon' }, 'body.idleTimeout'],
      ['POST', '/api/v1/sessions', { template: 'no-such-template' }, 'body.template'],
      ['POST', '/api/v1/sessions', { template: 'Not_A_Name' }, 'body.template'],
      ['POST', '/api/v1/sessions', { template: 'firefox', persistentHome: 'sometimes' }, 'body.persistentHome'],
      ['GET', '/api/v1/sessions?state=paused', undefined, 'query.state'],
      ['GET', '/api/v1/sessions/Bad_Name', undefined, 'params.id'],
      ['POST', '/api/v1/auth/login', { username: 'x' }, 'body.password'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await h.request(method, path, { token: user, body });
      assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.json.error, 'SS_ERR_INVALID_INPUT');
      assert.equal(res.json.field, field, `${method} ${path} ${JSON.stringify(body)}`);
      assert.equal(typeof res.json.message, 'string');
    }
  });

  it('answers broken JSON with 400, wrong media types with 415 and oversized bodies with 413', async () => {
    const broken = await h.request('POST', '/api/v1/sessions', { token: user, body: '{"template": ' });
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error, 'SS_ERR_INVALID_JSON');
    const text = await h.request('POST', '/api/v1/sessions', { token: user, body: 'template=firefox', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
    assert.equal(text.json.error, 'SS_ERR_UNSUPPORTED_MEDIA_TYPE');
    const big = await h.request('POST', '/api/v1/sessions', { token: user, body: { template: 'firefox', tags: ['x'.repeat(5000)] } });
    assert.equal(big.status, 413);
    assert.equal(big.json.error, 'SS_ERR_BODY_TOO_LARGE');
  });

  it('answers unknown routes with the catalogue shape', async () => {
    const res = await h.request('GET', '/api/v1/nothing-here', { token: user });
    assert.equal(res.status, 404);
    assert.equal(res.json.error, 'SS_ERR_ROUTE_NOT_FOUND');
  });

  it('rate-limits each user separately (429 with Retry-After)', async () => {
    // Logins count against the caller's address (4 of the 5 here), requests after that against each user.
    await h.restartApi({ rateLimit: { requestsPerSecond: 0.5, burst: 5 } });
    const token = await h.userToken('gus');
    const other = await h.userToken('hal');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await h.request('GET', '/api/v1/templates', { token })).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    const limited = await h.request('GET', '/api/v1/templates', { token });
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error, 'SS_ERR_RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await h.request('GET', '/api/v1/templates', { token: other })).status, 200, 'another user has their own bucket');
    await h.restartApi({});
  });

  it('lists every catalogue code with a 4xx or 5xx status', () => {
    for (const [code, entry] of Object.entries(ERRORS)) {
      assert.match(code, /^SS_ERR_[A-Z_]+$/);
      assert.ok(entry.status >= 400 && entry.status < 600, code);
    }
  });
});
