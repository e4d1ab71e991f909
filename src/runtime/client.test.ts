/**
 * KubeClient on the wire: a small HTTP stub records what arrives through client-node's HTTP
 * stack (paths, query, Content-Type, bodies) and answers with canned bodies. Behaviour of a
 * real API server is covered by the integration tests.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { ApiException, KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { KubeClient, ignoreAlreadyExists, ignoreNotFound, isAlreadyExists, isConflict, isNotFound, toApiError, KubeApiError } from './client.ts';
import { RuntimeMetrics } from './metrics.ts';
import { applyPatch, jsonPatch, mergePatch } from './patch.ts';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  userAgent: string | undefined;
  authorization: string | undefined;
  body: string;
}

let server: Server;
let url = '';
const seen: Seen[] = [];
let reply: { status: number; body: string } = { status: 200, body: '{}' };

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, contentType: req.headers['content-type'], userAgent: req.headers['user-agent'], authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() });
      res.writeHead(reply.status, { 'Content-Type': 'application/json' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));

beforeEach(() => {
  seen.length = 0;
  reply = { status: 200, body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}' };
});

function newClient(metrics?: RuntimeMetrics): KubeClient {
  const kc = new KubeConfig();
  kc.loadFromString(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${url}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: secret-token}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
  const client = new KubeClient({ kubeConfig: kc, fieldManager: 'streamspace-test', metrics });
  client.resources.register({ apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', plural: 'sessions', namespaced: true });
  return client;
}

const CM = { apiVersion: 'v1', kind: 'ConfigMap' };
const SESSION = { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session' };
const status = (code: number, reason: string, message: string): string => JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });

test('reads use generic paths (core, group, cluster-scoped, all namespaces) with the kubeconfig credentials', async () => {
  const c = newClient();
  await c.get(CM, { namespace: 'ns', name: 'a' });
  await c.get(SESSION, { namespace: 'u1', name: 's1' });
  await c.get({ apiVersion: 'v1', kind: 'Namespace' }, { name: 'u1' });
  reply = { status: 200, body: '{"items":[],"metadata":{"resourceVersion":"5"}}' };
  await c.list(SESSION);
  await c.list(CM, { namespace: 'ns', labelSelector: 'app=x,tier in (a,b)', limit: 10, continue: 'tok' });
  assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), [
    'GET /api/v1/namespaces/ns/configmaps/a',
    'GET /apis/stream.streamspace.io/v1alpha1/namespaces/u1/sessions/s1',
    'GET /api/v1/namespaces/u1',
    'GET /apis/stream.streamspace.io/v1alpha1/sessions',
    'GET /api/v1/namespaces/ns/configmaps?labelSelector=app%3Dx%2Ctier+in+%28a%2Cb%29&limit=10&continue=tok',
  ]);
  assert.equal(seen[0].userAgent, 'streamspace/streamspace-test');
  assert.equal(seen[0].authorization, 'Bearer secret-token');
});

test('every write names the field manager; create/update/status go to the right paths', async () => {
  const c = newClient();
  const obj = { ...SESSION, metadata: { name: 's1', namespace: 'u1', resourceVersion: '3' }, spec: { user: 'a' } };
  await c.create(obj);
  await c.update(obj);
  await c.updateStatus(obj, { dryRun: true });
  assert.deepEqual(seen.map((s) => `${s.method} ${s.url}`), [
    'POST /apis/stream.streamspace.io/v1alpha1/namespaces/u1/sessions?fieldManager=streamspace-test',
    'PUT /apis/stream.streamspace.io/v1alpha1/namespaces/u1/sessions/s1?fieldManager=streamspace-test',
    'PUT /apis/stream.streamspace.io/v1alpha1/namespaces/u1/sessions/s1/status?fieldManager=streamspace-test&dryRun=All',
  ]);
  assert.equal(seen[0].contentType, 'application/json');
  assert.deepEqual(JSON.parse(seen[1].body), obj);
});

test('patches carry their strategy as Content-Type; apply sends force only when asked', async () => {
  const c = newClient();
  const target = { ...SESSION, metadata: { name: 's1', namespace: 'u1' } };
  await c.patch(target, mergePatch({ metadata: { labels: { a: 'b' } } }));
  await c.patch(target, jsonPatch([{ op: 'remove', path: '/metadata/finalizers/0' }]));
  await c.patch(target, applyPatch({ ...target, spec: { x: 1 } }, { force: true }));
  await c.apply({ ...target, spec: { x: 2 } });
  await c.patchStatus(target, mergePatch({ status: { phase: 'Running' } }));
  assert.deepEqual(seen.map((s) => [s.url.replace('/apis/stream.streamspace.io/v1alpha1/namespaces/u1/sessions/', ''), s.contentType]), [
    ['s1?fieldManager=streamspace-test', 'application/merge-patch+json'],
    ['s1?fieldManager=streamspace-test', 'application/json-patch+json'],
    ['s1?fieldManager=streamspace-test&force=true', 'application/apply-patch+yaml'],
    ['s1?fieldManager=streamspace-test', 'application/apply-patch+yaml'],
    ['s1/status?fieldManager=streamspace-test', 'application/merge-patch+json'],
  ]);
  assert.deepEqual(JSON.parse(seen[1].body), [{ op: 'remove', path: '/metadata/finalizers/0' }]);
  assert.deepEqual(JSON.parse(seen[2].body).spec, { x: 1 });
});

test('delete sends DeleteOptions only when given, and accepts a Status reply', async () => {
  const c = newClient();
  reply = { status: 200, body: '{"kind":"Status","status":"Success"}' };
  await c.delete({ ...CM, metadata: { name: 'a', namespace: 'ns' } });
  await c.delete({ ...CM, metadata: { name: 'a', namespace: 'ns' } }, { propagationPolicy: 'Foreground' });
  assert.equal(seen[0].body, '');
  assert.deepEqual(JSON.parse(seen[1].body), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground' });
});

test('failures become KubeApiError with code, reason and message from the Status body', async () => {
  const c = newClient();
  reply = { status: 404, body: status(404, 'NotFound', 'configmaps "a" not found') };
  const err = await c.get(CM, { namespace: 'ns', name: 'a' }).catch((e: unknown) => e);
  assert.ok(err instanceof KubeApiError);
  assert.equal(err.headers['content-type'], 'application/json', 'response headers kept, as on client-node ApiExceptions');
  assert.equal(err.code, 404);
  assert.equal(err.reason, 'NotFound');
  assert.equal(err.message, 'configmaps "a" not found');
  assert.equal(typeof err.body, 'string');
  assert.equal(isNotFound(err), true);
  assert.equal(await c.get(CM, { namespace: 'ns', name: 'a' }).catch(ignoreNotFound), undefined);

  reply = { status: 409, body: status(409, 'AlreadyExists', 'configmaps "a" already exists') };
  const exists = await c.create({ ...CM, metadata: { name: 'a', namespace: 'ns' } }).catch((e: unknown) => e);
  assert.equal(isAlreadyExists(exists), true);
  assert.equal(isConflict(exists), false, 'AlreadyExists is a 409 but not a Conflict');
  assert.equal(await c.create({ ...CM, metadata: { name: 'a', namespace: 'ns' } }).catch(ignoreAlreadyExists), undefined);
  await assert.rejects(c.get(CM, { namespace: 'ns', name: 'a' }).catch(ignoreNotFound), (e) => isAlreadyExists(e));

  reply = { status: 409, body: status(409, 'Conflict', 'Operation cannot be fulfilled on configmaps "a": the object has been modified') };
  assert.equal(isConflict(await c.update({ ...CM, metadata: { name: 'a', namespace: 'ns' } }).catch((e: unknown) => e)), true);
});

test('a non-Status error body still yields a typed error', async () => {
  const c = newClient();
  reply = { status: 503, body: 'upstream unavailable' };
  const err = toApiError(await c.get(CM, { namespace: 'ns', name: 'a' }).catch((e: unknown) => e));
  assert.equal(err?.code, 503);
  assert.equal(err?.reason, 'ServiceUnavailable');
  assert.match(err!.message, /upstream unavailable/);
});

test('toApiError parses client-node ApiExceptions from generated APIs', () => {
  const raw = new ApiException(409, 'x', status(409, 'Conflict', 'modified'), {});
  assert.equal(isConflict(raw), true);
  assert.equal(toApiError(raw)?.message, 'modified');
  assert.equal(toApiError(new Error('plain')), undefined);
  assert.equal(isNotFound(new Error('plain')), false);
});

test('requests are counted: writes for benchmarks, rest_client_requests_total by code/method/host', async () => {
  const metrics = new RuntimeMetrics(new Registry());
  const c = newClient(metrics);
  const obj = { ...CM, metadata: { name: 'a', namespace: 'ns' } };
  await c.get(CM, { namespace: 'ns', name: 'a' });
  await c.create(obj);
  await c.patch(obj, mergePatch({ data: {} }));
  reply = { status: 404, body: status(404, 'NotFound', 'gone') };
  await c.delete(obj).catch(ignoreNotFound);
  assert.deepEqual(c.requestStats(), { reads: 1, writes: 3, byMethod: { GET: 1, POST: 1, PATCH: 1, DELETE: 1 } });
  const text = await metrics.registry.metrics();
  const host = new URL(url).host;
  assert.match(text, new RegExp(`rest_client_requests_total\\{code="200",method="GET",host="${host}"\\} 1`));
  assert.match(text, new RegExp(`rest_client_requests_total\\{code="404",method="DELETE",host="${host}"\\} 1`));
});

test('unknown kinds fail loudly before any request', async () => {
  const c = newClient();
  await assert.rejects(c.get({ apiVersion: 'x.io/v1', kind: 'Thing' }, { name: 'a' }), /not in the resource table/);
  assert.equal(seen.length, 0);
});

test('a fieldManager is mandatory', () => {
  assert.throws(() => new KubeClient({ fieldManager: '', kubeConfig: new KubeConfig() }), /fieldManager/);
});
