/**
 * The informer and its reflector against a scripted list/watch and the test clock: every
 * recovery path (410, errors with backoff, clean closes, the staleness watchdog, resync) is
 * driven here without a server; the integration suite repeats the important ones for real.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../../apimachinery/object.ts';
import { TestClock, settle } from '../clock.ts';
import { SharedInformer, type InformerHandler } from './informer.ts';
import { ScriptedListWatcher as FakeApi } from '../testing/scripted-list-watcher.ts';
import type { ReflectorTiming } from './reflector.ts';

type Recorded = [string, ...unknown[]];

function cm(name: string, rv: string, extra: Partial<KubeObject> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: rv }, ...extra };
}

function recorder(): InformerHandler & { events: Recorded[] } {
  const events: Recorded[] = [];
  return {
    events,
    onAdd: (o, initial) => events.push(['add', o.metadata.name, o.metadata.resourceVersion, initial]),
    onUpdate: (o, n) => events.push(['update', n.metadata.name, o.metadata.resourceVersion, n.metadata.resourceVersion]),
    onDelete: (o, unknown) => events.push(['delete', o.metadata.name, unknown]),
  };
}

const stops: AbortController[] = [];
afterEach(() => { for (const s of stops.splice(0)) s.abort(); });

const TIMING: ReflectorTiming = { backoffInitialMs: 100, backoffMaxMs: 1000, watchdogMs: 60_000, resyncMs: 0, minHealthyWatchMs: 1000 };

interface Started {
  informer: SharedInformer;
  clock: TestClock;
  handler: ReturnType<typeof recorder>;
  run: Promise<void>;
  stop: AbortController;
}

async function startInformer(api: FakeApi, timing: ReflectorTiming = TIMING): Promise<Started> {
  const clock = new TestClock(0);
  const kind = { apiVersion: 'v1', kind: 'ConfigMap' };
  const informer = new SharedInformer({ ...timing, kind, listWatcher: api, clock, logger: pino({ level: 'silent' }) });
  const handler = recorder();
  informer.addHandler(handler);
  const stop = new AbortController();
  stops.push(stop);
  const run = informer.start(stop.signal);
  await settle();
  return { informer, clock, handler, run, stop };
}

test('lists, marks synced, then watches from the list resourceVersion; managedFields are not cached', async () => {
  const api = new FakeApi();
  api.state = { items: [cm('a', '5', { metadata: { name: 'a', namespace: 'ns', resourceVersion: '5', managedFields: [] as never } })], resourceVersion: '7' };
  const { informer, handler } = await startInformer(api);
  assert.equal(informer.hasSynced(), true);
  assert.deepEqual(handler.events, [['add', 'a', '5', true]]);
  assert.equal(api.current.resourceVersion, '7');
  assert.equal('managedFields' in informer.get('ns/a')!.metadata, false);
});

test('watch events reach handlers with the previous object; bookmarks only move the resourceVersion', async () => {
  const api = new FakeApi();
  api.state = { items: [cm('a', '5')], resourceVersion: '7' };
  const { informer, handler } = await startInformer(api);
  const w = api.current;
  w.callbacks.onEvent('MODIFIED', cm('a', '8', { data: { x: '1' }, metadata: { name: 'a', namespace: 'ns', resourceVersion: '8', managedFields: [] as never } }));
  w.callbacks.onEvent('ADDED', cm('b', '9'));
  w.callbacks.onEvent('BOOKMARK', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '12' } });
  w.callbacks.onEvent('DELETED', cm('b', '13'));
  assert.deepEqual(handler.events.slice(1), [['update', 'a', '5', '8'], ['add', 'b', '9', false], ['delete', 'b', false]]);
  assert.equal(informer.reflector.resourceVersion, '13');
  assert.deepEqual(informer.get('ns/a')!.data, { x: '1' });
  assert.equal('managedFields' in informer.get('ns/a')!.metadata, false);
  assert.equal(informer.get('ns/b'), undefined);
});

test('410 as a watch ERROR event: relist at once and diff (add, update, delete-unknown), then watch from the new list', async () => {
  const api = new FakeApi();
  api.state = { items: [cm('keep', '1'), cm('change', '2'), cm('vanish', '3')], resourceVersion: '3' };
  const { informer, handler } = await startInformer(api);
  api.state = { items: [cm('keep', '1'), cm('change', '20'), cm('new', '21')], resourceVersion: '25' };
  const first = api.current;
  first.callbacks.onEvent('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 3 (20)' });
  await settle();
  assert.equal(first.aborted, true);
  assert.equal(api.listCalls, 2);
  assert.deepEqual(handler.events.slice(3), [['update', 'change', '2', '20'], ['add', 'new', '21', false], ['delete', 'vanish', true]]);
  assert.equal(api.current.resourceVersion, '25');
  assert.equal(informer.reflector.stats.expiredRelists, 1);
});

test('410 as an HTTP status when opening the watch also relists', async () => {
  const api = new FakeApi();
  await startInformer(api);
  api.current.callbacks.onDone(Object.assign(new Error('Gone'), { statusCode: 410 }));
  await settle();
  assert.equal(api.listCalls, 2);
  assert.equal(api.watches.length, 2);
});

test('watch errors restart with exponential backoff from the last resourceVersion; events reset it', async () => {
  const api = new FakeApi();
  api.state.resourceVersion = '10';
  const { clock } = await startInformer(api);
  api.current.callbacks.onDone(new Error('ECONNRESET'));
  await clock.advanceAsync(99);
  assert.equal(api.watches.length, 1, 'still backing off');
  await clock.advanceAsync(1);
  assert.equal(api.watches.length, 2);
  assert.equal(api.current.resourceVersion, '10', 'no relist; resumes from the last resourceVersion');
  api.current.callbacks.onDone(new Error('ECONNRESET'));
  await clock.advanceAsync(199);
  assert.equal(api.watches.length, 2, 'second failure: 200 ms');
  await clock.advanceAsync(1);
  assert.equal(api.watches.length, 3);
  api.current.callbacks.onEvent('ADDED', cm('x', '11'));
  api.current.callbacks.onDone(new Error('ECONNRESET'));
  await clock.advanceAsync(100);
  assert.equal(api.watches.length, 4, 'an event reset the backoff to 100 ms');
  assert.equal(api.current.resourceVersion, '11');
  assert.equal(api.listCalls, 1);
});

test('backoff is capped', async () => {
  const api = new FakeApi();
  const { clock } = await startInformer(api);
  for (let i = 0; i < 6; i++) {
    api.current.callbacks.onDone(new Error('down'));
    await clock.advanceAsync(1000);
  }
  assert.equal(api.watches.length, 7, 'each retry came within the 1000 ms cap');
});

test('a clean close or client inactivity timeout after a healthy watch re-watches at once', async () => {
  const api = new FakeApi();
  const { clock } = await startInformer(api);
  await clock.advanceAsync(5000);
  api.current.callbacks.onDone(null);
  await settle();
  assert.equal(api.watches.length, 2);
  await clock.advanceAsync(30_000);
  api.current.callbacks.onDone(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  await settle();
  assert.equal(api.watches.length, 3);
});

test('a watch that closes at once without events backs off instead of spinning', async () => {
  const api = new FakeApi();
  const { clock } = await startInformer(api);
  api.current.callbacks.onDone(null);
  await settle();
  assert.equal(api.watches.length, 1);
  await clock.advanceAsync(100);
  assert.equal(api.watches.length, 2);
});

test('the staleness watchdog restarts a silent watch from its resourceVersion', async () => {
  const api = new FakeApi();
  const { clock, informer } = await startInformer(api, { ...TIMING, watchdogMs: 10_000 });
  await clock.advanceAsync(9_000);
  api.current.callbacks.onEvent('ADDED', cm('a', '50'));
  await clock.advanceAsync(9_999);
  assert.equal(api.watches.length, 1, 'an event re-armed the watchdog');
  await clock.advanceAsync(1);
  assert.equal(api.watches[0].aborted, true);
  assert.equal(api.watches.length, 2);
  assert.equal(api.current.resourceVersion, '50');
  assert.equal(informer.reflector.stats.watchdogRestarts, 1);
  assert.equal(api.listCalls, 1);
});

test('resync re-delivers every cached object as an update with old === new', async () => {
  const api = new FakeApi();
  api.state = { items: [cm('a', '1'), cm('b', '2')], resourceVersion: '2' };
  const { clock, handler } = await startInformer(api, { ...TIMING, resyncMs: 60_000 });
  await clock.advanceAsync(60_000);
  assert.deepEqual(handler.events.slice(2), [['update', 'a', '1', '1'], ['update', 'b', '2', '2']]);
  await clock.advanceAsync(60_000);
  assert.equal(handler.events.length, 6);
});

test('failed lists are retried with backoff; sync waits for the first good list', async () => {
  const api = new FakeApi();
  api.listFailures = 2;
  const { clock, informer } = await startInformer(api);
  assert.equal(informer.hasSynced(), false);
  await clock.advanceAsync(100);
  assert.equal(api.listCalls, 2);
  assert.equal(informer.hasSynced(), false);
  await clock.advanceAsync(200);
  assert.equal(api.listCalls, 3);
  assert.equal(informer.hasSynced(), true);
});

test('a handler added after sync first receives the cache as initial adds', async () => {
  const api = new FakeApi();
  api.state = { items: [cm('a', '1')], resourceVersion: '1' };
  const { informer } = await startInformer(api);
  const late = recorder();
  informer.addHandler(late);
  assert.deepEqual(late.events, [['add', 'a', '1', true]]);
});

test('a throwing handler does not stop the others', async () => {
  const api = new FakeApi();
  const { informer, handler } = await startInformer(api);
  informer.addHandler({ onAdd: () => { throw new Error('bad'); }, onUpdate() {}, onDelete() {} });
  api.current.callbacks.onEvent('ADDED', cm('z', '3'));
  assert.deepEqual(handler.events.at(-1), ['add', 'z', '3', false]);
});

test('abort stops the loop and the watch', async () => {
  const api = new FakeApi();
  const { run, stop } = await startInformer(api);
  stop.abort();
  await run;
  assert.equal(api.current.aborted, true);
  assert.equal(api.watches.length, 1);
});
