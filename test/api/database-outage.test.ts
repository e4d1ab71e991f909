/**
 * The API with its database down (issue 25): two `streamspace api` processes share one
 * PostgreSQL server, which the test stops and starts again. While it is down every change is
 * refused with 503 naming the database (it could not be audited) and nothing changes in
 * Kubernetes; login and API-key creation answer 503, not 500; reads from the cache still work.
 * Once it is back both replicas recover by themselves and changes are audited again.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { SESSION, streamResourceTable } from '../../src/api/kube/kinds.ts';
import { KubeClient } from '../../src/runtime/client.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { ADMIN_PASSWORD, GROUP_VERSION, installCrds, NAMESPACE, send, type Answer, type RequestOptions } from './harness.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/streamspace.js');

/** One `streamspace api` process. */
interface Replica {
  child: ChildProcess;
  url: string;
  request(method: string, urlPath: string, opts?: RequestOptions): Promise<Answer>;
}

async function startReplica(kubeconfig: string, databaseUrl: string): Promise<Replica> {
  const child = spawn(process.execPath, [BIN, 'api', '--kubeconfig', kubeconfig, '--database-url', databaseUrl, '--in-memory', '--port', '0', '--namespace', NAMESPACE], {
    env: { ...process.env, STREAMSPACE_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (err += String(d)));
  const url = await eventually('the API URL printed', () => {
    if (child.exitCode !== null) throw new Error(`streamspace api exited ${child.exitCode}: ${err.slice(-2000)}`);
    return /serving at (http:\/\/\S+)/.exec(out)?.[1];
  }, 60_000);
  return { child, url, request: (method, urlPath, opts) => send(url, method, urlPath, opts) };
}

async function stopReplica(r: Replica | undefined): Promise<void> {
  if (!r || r.child.exitCode !== null) return;
  const exited = new Promise((resolve) => r.child.once('exit', resolve));
  r.child.kill('SIGTERM');
  await exited;
}

function assertDatabaseUnavailable(res: Answer, what: string): void {
  assert.equal(res.status, 503, `${what}: ${res.text}`);
  assert.equal(res.json.error, 'SS_ERR_DATABASE_UNAVAILABLE', what);
  assert.match(res.json.message, /database \(PostgreSQL\) is unavailable/, what);
  assert.equal(res.headers.get('retry-after'), '5', what);
}

describe('two API replicas with their PostgreSQL down', () => {
  let cluster: TestCluster;
  let pg: TestPostgres;
  let kube: KubeClient;
  const replicas: Replica[] = [];
  before(async () => {
    [cluster, pg] = await Promise.all([startTestCluster(), startTestPostgres()]);
    await installCrds(cluster);
    await cluster.core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    kube = new KubeClient({ kubeConfig: cluster.kc, fieldManager: 'api-tests', resources: streamResourceTable() });
    await kube.create({
      apiVersion: GROUP_VERSION, kind: 'Template', metadata: { name: 'firefox', namespace: NAMESPACE },
      spec: { displayName: 'Firefox', baseImage: 'lscr.io/linuxserver/firefox:latest', vnc: { enabled: true, port: 3000 } },
    } as never);
    // One after the other: the first creates the admin account, the second finds it.
    replicas.push(await startReplica(cluster.kubeconfigPath, pg.url));
    replicas.push(await startReplica(cluster.kubeconfigPath, pg.url));
  });
  after(async () => {
    await Promise.all(replicas.map(stopReplica));
    await pg?.stop();
    await cluster?.stop();
  });

  it('refuses changes it cannot audit and answers 503 naming the database, then recovers by itself', async () => {
    const [a, b] = replicas;
    const login = await a.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(login.status, 200, login.text);
    const token = login.json.accessToken as string;
    const key = (await b.request('POST', '/api/v1/api-keys', { token, body: { name: 'ci' } })).json.key as string;
    const created = await a.request('POST', '/api/v1/sessions', { token, body: { template: 'firefox' } });
    assert.equal(created.status, 202, created.text);
    const name = created.json.metadata.name as string;
    await eventually('the session in both caches', async () => (await b.request('GET', `/api/v1/sessions/${name}`, { token })).status === 200);

    await pg.pause();

    for (const [i, r] of replicas.entries()) {
      const who = `replica ${i}`;
      assertDatabaseUnavailable(await r.request('PATCH', `/api/v1/sessions/${name}`, { token, body: { state: 'hibernated' } }), `${who} session update`);
      const refusedCreate = await r.request('POST', '/api/v1/sessions', { token, body: { template: 'firefox' } });
      assertDatabaseUnavailable(refusedCreate, `${who} session create`);
      // Refused before any change: by the account check (revocation reads the account on every
      // request) or, when that passes from a cache, by the audit entry that must come first.
      assert.match(refusedCreate.json.message, /not made because it could not be audited|database \(PostgreSQL\) is unavailable/);
      assertDatabaseUnavailable(await r.request('DELETE', `/api/v1/sessions/${name}`, { token }), `${who} session delete`);
      assertDatabaseUnavailable(await r.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } }), `${who} login`);
      assertDatabaseUnavailable(await r.request('POST', '/api/v1/api-keys', { token, body: { name: 'during-outage' } }), `${who} API key creation`);
      assertDatabaseUnavailable(await r.request('GET', '/api/v1/sessions', { headers: { 'x-api-key': key } }), `${who} API key use`);
      assertDatabaseUnavailable(await r.request('GET', '/api/v1/audit', { token }), `${who} audit read`);
      // Reads too: the caller's account cannot be re-checked, so the token is not trusted (fail closed).
      assertDatabaseUnavailable(await r.request('GET', `/api/v1/sessions/${name}`, { token }), `${who} session read`);
      const ready = await r.request('GET', '/ready');
      assert.equal(ready.status, 503);
      assert.match(ready.json.checks.database, /database \(postgres\)/);
    }
    const live = await kube.get<Session>(SESSION, { namespace: NAMESPACE, name });
    assert.equal(live.spec.state ?? 'running', 'running', 'the refused update changed nothing');
    assert.equal(live.metadata.deletionTimestamp, undefined, 'the refused delete changed nothing');
    assert.deepEqual((await kube.list<Session>(SESSION, { namespace: NAMESPACE })).items.map((s) => s.metadata.name), [name], 'the refused create made nothing');

    await pg.resume();

    for (const r of replicas) {
      await eventually('login works again', async () => (await r.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).status === 200, 30_000);
    }
    const hibernate = await b.request('PATCH', `/api/v1/sessions/${name}`, { token, body: { state: 'hibernated' } });
    assert.equal(hibernate.status, 202, hibernate.text);
    const log = await eventually('the update audited with its result', async () => {
      const res = await a.request('GET', `/api/v1/audit?action=session.update&target=${name}`, { token });
      return res.json.items.every((e: { result?: number }) => e.result !== undefined) ? res.json.items : undefined;
    });
    assert.deepEqual(log.map((e: { result: number; actor: string }) => [e.actor, e.result]), [['admin', 202]], 'only the change that was made is in the log');
    assert.equal((await a.request('GET', '/api/v1/sessions', { headers: { 'x-api-key': key } })).status, 200, 'API keys work again');
  });
});
