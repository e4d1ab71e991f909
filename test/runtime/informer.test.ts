/**
 * The informer against the embedded control plane: a large initial list followed by a watch
 * with no event lost while writes continue, recovery from dropped watches, from 410 Expired,
 * and from a silent watch (the staleness watchdog).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isNotFound, type KubeClient } from '../../src/runtime/client.ts';
import { eventually } from '../../src/runtime/testing/eventually.ts';
import { rawRequest, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { CONFIGMAP, configMap, inParallel, startConfigMapInformer, type ConfigMapInformer } from './informer-harness.ts';

let cluster: TestCluster;
let writer: KubeClient;

before(async () => {
  cluster = await startTestCluster();
  const { KubeClient } = await import('../../src/runtime/client.ts');
  writer = new KubeClient({ kubeConfig: cluster.kc, fieldManager: 'writer' });
});

after(async () => {
  await cluster.stop();
});

interface Write {
  name: string;
  resourceVersion: string;
}

async function createNamespace(name: string): Promise<void> {
  await writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

async function put(ns: string, name: string, data: Record<string, string>): Promise<Write> {
  const existing = await writer.get(CONFIGMAP, { namespace: ns, name }).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  const obj = existing ? await writer.update({ ...existing, data }) : await writer.create(configMap(ns, name, data));
  return { name, resourceVersion: obj.metadata.resourceVersion! };
}

/** The cache and the server agree on every name and resourceVersion. */
async function converged(inf: ConfigMapInformer, ns: string): Promise<boolean> {
  const server = await writer.list(CONFIGMAP, { namespace: ns });
  const want = new Map(server.items.map((o) => [o.metadata.name!, o.metadata.resourceVersion]));
  const have = inf.cache.list(CONFIGMAP, { namespace: ns });
  return have.length === want.size && have.every((o) => want.get(o.metadata.name!) === o.metadata.resourceVersion);
}

/** Every write newer than the first list was delivered as an event carrying its resourceVersion. */
function assertNoWriteLost(inf: ConfigMapInformer, writes: Write[]): void {
  const listRv = Number(inf.listWatcher.listVersions[0]);
  const delivered = new Set(inf.events.filter((e) => e.type !== 'delete').map((e) => `${e.name}@${e.resourceVersion}`));
  const afterList = writes.filter((w) => Number(w.resourceVersion) > listRv);
  const lost = afterList.filter((w) => !delivered.has(`${w.name}@${w.resourceVersion}`));
  assert.deepEqual(lost, [], `${lost.length} of ${afterList.length} writes after the list were never delivered`);
}

test('1,000 ConfigMaps: paged list, then watch; no event lost while writes continue', async () => {
  const ns = 'informer-bulk';
  await createNamespace(ns);
  await inParallel(Array.from({ length: 1000 }, (_, i) => i), 25, (i) => writer.create(configMap(ns, `cm-${i}`, { v: '0' })));

  const inf = startConfigMapInformer(cluster.kc, ns);
  try {
    // Phase 1 races the initial list: some writes land in the list, the rest must come as events.
    const racing = inParallel(Array.from({ length: 200 }, (_, i) => i), 10, (i) =>
      i < 100 ? put(ns, `cm-${i}`, { v: '1' }) : put(ns, `new-${i}`, { v: '1' }));
    assert.equal(await inf.informer.waitForSync(AbortSignal.timeout(30_000)), true);
    const writes = await racing;
    // Phase 2 after sync: updates, creates and deletes.
    writes.push(...await inParallel(Array.from({ length: 200 }, (_, i) => i), 10, (i) => put(ns, `cm-${200 + i}`, { v: '2' })));
    const deleted = Array.from({ length: 50 }, (_, i) => `cm-${900 + i}`);
    await inParallel(deleted, 10, (name) => writer.delete({ ...CONFIGMAP, metadata: { name, namespace: ns } }));

    await eventually(() => converged(inf, ns), { timeoutMs: 30_000, message: 'cache to match the server' });
    assert.equal(inf.cache.list(CONFIGMAP).length, 1000 + 100 - 50);
    assertNoWriteLost(inf, writes);
    const deleteEvents = new Set(inf.events.filter((e) => e.type === 'delete' && !e.stateUnknown).map((e) => e.name));
    assert.deepEqual(deleted.filter((n) => !deleteEvents.has(n)), [], 'every delete arrived as a watch event');
    assert.ok(inf.client.requestStats().reads >= 2, 'the initial list of 1,000+ items came in pages of 500');
    assert.equal(inf.listWatcher.listVersions.length, 1, 'no relist was needed');
    const initial = inf.events.filter((e) => e.initial).length;
    assert.ok(initial >= 1000, `${initial} objects delivered as initial adds`);
  } finally {
    await inf.stop();
  }
});

test('dropped watches are resumed from the last resourceVersion without losing events', async () => {
  const ns = 'informer-drop';
  await createNamespace(ns);
  await inParallel(Array.from({ length: 20 }, (_, i) => i), 10, (i) => writer.create(configMap(ns, `cm-${i}`)));
  const inf = startConfigMapInformer(cluster.kc, ns);
  try {
    assert.equal(await inf.informer.waitForSync(AbortSignal.timeout(10_000)), true);
    const writes: Write[] = [];
    for (let round = 0; round < 5; round++) {
      writes.push(...await inParallel(Array.from({ length: 20 }, (_, i) => i), 5, (i) => put(ns, `cm-${i}`, { round: String(round) })));
      const watchesBefore = inf.listWatcher.watches;
      const dropped = await rawRequest(cluster.cp, 'POST', '/debug/watches/drop');
      assert.equal(dropped.status, 200);
      // Write while the informer is reconnecting, too.
      writes.push(await put(ns, `during-drop-${round}`, {}));
      // The next drop must find the new watch: wait until it delivers (no relist happens, so only it can).
      await eventually(() => inf.listWatcher.watches > watchesBefore && inf.cache.get(CONFIGMAP, { namespace: ns, name: `during-drop-${round}` }),
        { message: `a new watch delivering after drop ${round + 1}` });
    }
    await eventually(() => converged(inf, ns), { timeoutMs: 20_000, message: 'cache to match the server' });
    assertNoWriteLost(inf, writes);
    assert.ok(inf.listWatcher.watches >= 6, `re-watched after each drop (${inf.listWatcher.watches} watches)`);
    assert.equal(inf.listWatcher.listVersions.length, 1, 'resumed from the resourceVersion, no relist');
  } finally {
    await inf.stop();
  }
});

test('410 Expired after missed history: relist and deliver what changed, including deletions', async () => {
  const ns = 'informer-expired';
  await createNamespace(ns);
  await inParallel(['keep', 'change', 'vanish'], 3, (name) => writer.create(configMap(ns, name)));
  const inf = startConfigMapInformer(cluster.kc, ns);
  try {
    assert.equal(await inf.informer.waitForSync(AbortSignal.timeout(10_000)), true);
    // Cut the informer off: its watch is dropped and every new watch fails until the faults are cleared.
    await rawRequest(cluster.cp, 'PUT', '/debug/faults', { rules: [{ verb: 'watch', resource: 'configmaps', code: 500 }] });
    await rawRequest(cluster.cp, 'POST', '/debug/watches/drop');
    await eventually(() => inf.listWatcher.watches >= 2, { message: 'a failed re-watch' });
    const changed = await put(ns, 'change', { v: '2' });
    await writer.delete({ ...CONFIGMAP, metadata: { name: 'vanish', namespace: ns } });
    const added = await put(ns, 'added', { v: '1' });
    await rawRequest(cluster.cp, 'POST', '/debug/compact');
    await rawRequest(cluster.cp, 'PUT', '/debug/faults', { rules: [] });

    await eventually(() => inf.listWatcher.listVersions.length === 2, { timeoutMs: 10_000, message: 'a relist after 410' });
    await eventually(() => converged(inf, ns), { message: 'cache to match the server' });
    const after410 = inf.events.slice(3);
    assert.deepEqual(after410.find((e) => e.name === 'change'), {
      type: 'update', name: 'change', resourceVersion: changed.resourceVersion, oldResourceVersion: after410.find((e) => e.name === 'change')!.oldResourceVersion,
    });
    assert.deepEqual(after410.find((e) => e.name === 'vanish')?.type, 'delete');
    assert.equal(after410.find((e) => e.name === 'vanish')?.stateUnknown, true, 'a deletion inferred from the relist');
    assert.deepEqual(after410.find((e) => e.name === 'added'), { type: 'add', name: 'added', resourceVersion: added.resourceVersion, initial: false });
    assert.equal(inf.cache.get(CONFIGMAP, { namespace: ns, name: 'vanish' }), undefined);
  } finally {
    await rawRequest(cluster.cp, 'PUT', '/debug/faults', { rules: [] });
    await inf.stop();
  }
});

test('the staleness watchdog re-opens a watch that has been silent too long, and events still flow', async () => {
  const ns = 'informer-watchdog';
  await createNamespace(ns);
  const inf = startConfigMapInformer(cluster.kc, ns, { watchdogMs: 200 });
  try {
    assert.equal(await inf.informer.waitForSync(AbortSignal.timeout(10_000)), true);
    await eventually(() => inf.listWatcher.watches >= 4, { message: 'watchdog restarts of the silent watch' });
    const w = await put(ns, 'after-restarts', { x: '1' });
    await eventually(() => inf.events.some((e) => e.name === 'after-restarts' && e.resourceVersion === w.resourceVersion));
    assert.equal(inf.listWatcher.listVersions.length, 1, 'restarts resume the watch; they do not relist');
  } finally {
    await inf.stop();
  }
});
