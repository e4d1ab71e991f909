/**
 * Manager + builder + controller wiring, with scripted list/watch per kind instead of an API
 * server (the integration suite runs the same paths against the embedded control plane).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { KubeObject } from '../apimachinery/object.ts';
import { controllerManagedBy } from './builder.ts';
import { Manager, type ManagerOptions } from './manager.ts';
import { generationChanged } from './predicate.ts';
import type { Request } from './reconcile.ts';
import { ResourceTable, kindKey, type KindRef } from './resources.ts';
import { eventually } from './testing/eventually.ts';
import { ScriptedListWatcher } from './testing/scripted-list-watcher.ts';

const SESSION: KindRef = { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session' };
const CONFIGMAP: KindRef = { apiVersion: 'v1', kind: 'ConfigMap' };
const SECRET: KindRef = { apiVersion: 'v1', kind: 'Secret' };

function session(name: string, generation: number, rv: string): KubeObject {
  return { ...SESSION, metadata: { name, namespace: 'u1', uid: `uid-${name}`, generation, resourceVersion: rv } };
}

interface Harness {
  mgr: Manager;
  apis: Map<string, ScriptedListWatcher>;
  api(kind: KindRef): ScriptedListWatcher;
  stop: AbortController;
  run(): Promise<void>;
}

const stops: AbortController[] = [];
afterEach(() => { for (const s of stops.splice(0)) s.abort(); });

function harness(extra: Partial<ManagerOptions> = {}): Harness {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x',
  });
  const apis = new Map<string, ScriptedListWatcher>();
  const api = (kind: KindRef): ScriptedListWatcher => {
    if (!apis.has(kindKey(kind))) apis.set(kindKey(kind), new ScriptedListWatcher());
    return apis.get(kindKey(kind))!;
  };
  const resources = new ResourceTable([{ ...SESSION, plural: 'sessions', namespaced: true }]);
  const mgr = new Manager({
    kubeConfig: kc, fieldManager: 'test', resources, logger: pino({ level: 'silent' }),
    cache: { listWatcherFor: api, backoffInitialMs: 20, resyncMs: 0 }, ...extra,
  });
  const stop = new AbortController();
  stops.push(stop);
  return { mgr, apis, api, stop, run: () => mgr.start(stop.signal) };
}

function recordingReconciler(calls: Request[], wait?: (req: Request) => Promise<void>) {
  return async (req: Request): Promise<void> => {
    calls.push(req);
    await wait?.(req);
  };
}

const names = (calls: Request[]): string[] => calls.map((r) => r.name);

test('For / Owns / Watches route events to the owning request; predicates filter For updates', async () => {
  const h = harness();
  const calls: Request[] = [];
  h.api(SESSION).state = { items: [session('s1', 1, '10'), session('s2', 1, '11')], resourceVersion: '11' };
  controllerManagedBy(h.mgr)
    .named('session')
    .for(SESSION, { predicates: [generationChanged()] })
    .owns(CONFIGMAP)
    .watches(SECRET, (secret) => [{ namespace: secret.metadata.namespace!, name: secret.metadata.labels!.session }])
    .complete(recordingReconciler(calls));
  const running = h.run();
  await eventually(() => calls.length === 2, { message: 'initial reconciles' });
  assert.deepEqual(names(calls).sort(), ['s1', 's2']);

  h.api(SESSION).emit('MODIFIED', { ...session('s1', 1, '12'), status: { phase: 'Running' } });
  h.api(SESSION).emit('MODIFIED', session('s2', 2, '13'));
  await eventually(() => calls.length === 3);
  assert.equal(calls[2].name, 's2', 'status-only write of s1 was filtered by generationChanged');

  const owner = { ...SESSION, name: 's1', uid: 'uid-s1', controller: true };
  h.api(CONFIGMAP).emit('ADDED', { ...CONFIGMAP, metadata: { name: 'cm', namespace: 'u1', resourceVersion: '14', ownerReferences: [owner] } });
  await eventually(() => calls.length === 4);
  assert.deepEqual(calls[3], { namespace: 'u1', name: 's1' });

  h.api(SECRET).emit('ADDED', { ...SECRET, metadata: { name: 'creds', namespace: 'u1', resourceVersion: '15', labels: { session: 's2' } } });
  await eventually(() => calls.length === 5);
  assert.deepEqual(calls[4], { namespace: 'u1', name: 's2' });

  h.stop.abort();
  await running;
});

test('maxConcurrentReconciles bounds parallel work, and one key never runs twice at once', async () => {
  const h = harness();
  const items = ['a', 'b', 'c', 'd', 'e'].map((n, i) => session(n, 1, String(i + 1)));
  h.api(SESSION).state = { items, resourceVersion: '5' };
  let active = 0;
  let maxActive = 0;
  const activeKeys = new Set<string>();
  let sameKeyOverlap = 0;
  const calls: Request[] = [];
  const c = controllerManagedBy(h.mgr).for(SESSION).withOptions({ maxConcurrentReconciles: 3 }).complete(async (req) => {
    calls.push(req);
    if (activeKeys.has(req.name)) sameKeyOverlap++;
    activeKeys.add(req.name);
    maxActive = Math.max(maxActive, ++active);
    await new Promise((r) => setTimeout(r, 30));
    if (calls.length < 8) c.enqueue(req); // re-adds while processing
    active--;
    activeKeys.delete(req.name);
  });
  const running = h.run();
  await eventually(() => calls.length >= 8 && active === 0);
  assert.equal(maxActive, 3);
  assert.equal(sameKeyOverlap, 0);
  assert.match(await h.mgr.getRegistry().metrics(), /controller_runtime_max_concurrent_reconciles\{controller="session"\} 3/);
  h.stop.abort();
  await running;
});

test('requeueAfter and errors bring a request back; success counts are exported', async () => {
  const h = harness();
  h.api(SESSION).state = { items: [session('s1', 1, '1')], resourceVersion: '1' };
  let n = 0;
  controllerManagedBy(h.mgr).for(SESSION).complete(async () => {
    n++;
    if (n === 1) return { requeueAfterMs: 20 };
    if (n === 2) throw new Error('transient');
    return undefined;
  });
  const running = h.run();
  await eventually(() => n === 3);
  const text = await h.mgr.getRegistry().metrics();
  assert.match(text, /controller_runtime_reconcile_total\{controller="session",result="requeue_after"\} 1/);
  assert.match(text, /controller_runtime_reconcile_total\{controller="session",result="error"\} 1/);
  assert.match(text, /controller_runtime_reconcile_total\{controller="session",result="success"\} 1/);
  assert.match(text, /workqueue_adds_total\{name="session",controller="session"\} 3/);
  h.stop.abort();
  await running;
});

test('stop waits for reconciles in flight, and queued work is not started after stop', async () => {
  const h = harness();
  h.api(SESSION).state = { items: [session('a', 1, '1'), session('b', 1, '2')], resourceVersion: '2' };
  const calls: Request[] = [];
  const release = Promise.withResolvers<void>();
  let finished = false;
  controllerManagedBy(h.mgr).for(SESSION).complete(recordingReconciler(calls, async () => {
    await release.promise;
    finished = true;
  }));
  const running = h.run();
  await eventually(() => calls.length === 1);
  let stopped = false;
  void running.then(() => { stopped = true; });
  h.stop.abort();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(stopped, false, 'manager waits for the reconcile in flight');
  release.resolve();
  await running;
  assert.equal(finished, true);
  assert.equal(calls.length, 1, 'b was queued but not started after stop');
});

test('/healthz, /readyz (after cache sync) and /metrics are served', async () => {
  const h = harness({ http: { port: 0 } });
  h.api(SESSION).listFailures = 3;
  controllerManagedBy(h.mgr).for(SESSION).complete(async () => {});
  const running = h.run();
  await eventually(() => h.mgr.httpUrl());
  const get = (path: string): Promise<Response> => fetch(`${h.mgr.httpUrl()}${path}`);
  assert.equal((await get('/healthz')).status, 200);
  assert.equal((await get('/readyz')).status, 503);
  await eventually(async () => (await get('/readyz')).status === 200, { message: 'ready after the list succeeds' });
  const metrics = await get('/metrics');
  assert.match(metrics.headers.get('content-type')!, /text\/plain/);
  const text = await metrics.text();
  assert.match(text, /controller_runtime_active_workers\{controller="session"\} 0/);
  assert.match(text, /workqueue_depth\{name="session",controller="session"\}/);
  h.stop.abort();
  await running;
  await assert.rejects(get('/healthz'), 'endpoint closed after stop');
});

test('controller names must be unique', () => {
  const h = harness();
  controllerManagedBy(h.mgr).named('x').for(SESSION).complete(async () => {});
  assert.throws(() => controllerManagedBy(h.mgr).named('x').for(CONFIGMAP).complete(async () => {}), /already exists/);
});

test('a failing runnable stops the manager and start() rejects with its error', async () => {
  const h = harness();
  let otherStopped = false;
  h.mgr.add({ start: async (signal) => { await new Promise((r) => signal.addEventListener('abort', r)); otherStopped = true; } });
  h.mgr.add({ start: async () => { throw new Error('cannot start'); }, needsLeaderElection: () => false });
  await assert.rejects(h.run(), /cannot start/);
  assert.equal(otherStopped, true);
});

test('a controller whose cache never syncs fails after cacheSyncTimeout', async () => {
  const h = harness();
  h.api(SESSION).listFailures = 1_000;
  controllerManagedBy(h.mgr).for(SESSION).withOptions({ cacheSyncTimeoutMs: 100 }).complete(async () => {});
  await assert.rejects(h.run(), /timed out waiting for cache to be synced/);
});
