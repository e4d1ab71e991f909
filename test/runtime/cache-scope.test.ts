/**
 * Per-kind cache narrowing (controller-runtime's cache.ByObject) against the embedded control
 * plane: the server sends only objects matching the label selector, an object that stops
 * matching leaves the cache, and the transform trims what is kept. Other kinds are unaffected.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { InformerCache } from '../../src/runtime/cache.ts';
import { KubeClient } from '../../src/runtime/client.ts';
import { realClock } from '../../src/runtime/clock.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import { eventually } from '../../src/runtime/testing/eventually.ts';
import { startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { CONFIGMAP, configMap } from './informer-harness.ts';

const NS = 'scope';
const SECRET = { apiVersion: 'v1', kind: 'Secret' } as const;

let cluster: TestCluster;
let writer: KubeClient;
let cache: InformerCache;
const stop = new AbortController();

function labelled(name: string, team: string | undefined): KubeObject {
  const cm = configMap(NS, name, { big: 'x'.repeat(1000) });
  if (team) cm.metadata.labels = { team };
  return cm;
}

before(async () => {
  cluster = await startTestCluster();
  writer = new KubeClient({ kubeConfig: cluster.kc, fieldManager: 'writer' });
  await writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await writer.create(labelled('ours-1', 'ours'));
  await writer.create(labelled('theirs-1', 'theirs'));
  await writer.create(labelled('unlabelled', undefined));
  await writer.create({ ...SECRET, metadata: { namespace: NS, name: 's' }, stringData: { k: 'v' } });
  const reader = new KubeClient({ kubeConfig: cluster.kc, fieldManager: 'reader' });
  cache = new InformerCache({
    client: reader, clock: realClock, logger: pino({ level: 'silent' }), namespace: NS,
    byObject: [{
      kind: CONFIGMAP, labelSelector: 'team=ours',
      transform: (obj) => { delete (obj as { data?: unknown }).data; return obj; },
    }],
  });
  cache.getInformer(CONFIGMAP);
  cache.getInformer(SECRET);
  void cache.start(stop.signal);
  assert.equal(await cache.waitForCacheSync(), true);
});

after(async () => {
  stop.abort();
  await cluster.stop();
});

const cachedNames = (): string[] => cache.list(CONFIGMAP).map((o) => o.metadata.name ?? '').sort();

test('only objects matching the selector are cached, trimmed by the transform', () => {
  assert.deepEqual(cachedNames(), ['ours-1']);
  const cached = cache.get(CONFIGMAP, { namespace: NS, name: 'ours-1' });
  assert.equal((cached as { data?: unknown }).data, undefined, 'the transform dropped data');
  assert.equal(cached?.metadata.labels?.team, 'ours');
  assert.equal(cache.list(SECRET).length, 1, 'a kind without narrowing caches everything');
});

test('objects that start or stop matching enter and leave the cache', async () => {
  await writer.create(labelled('ours-2', 'ours'));
  await writer.patch({ ...CONFIGMAP, metadata: { namespace: NS, name: 'theirs-1' } }, mergePatch({ metadata: { labels: { team: 'ours' } } }));
  await writer.patch({ ...CONFIGMAP, metadata: { namespace: NS, name: 'ours-1' } }, mergePatch({ metadata: { labels: { team: null } } }));
  await eventually(() => cachedNames().join(',') === 'ours-2,theirs-1', { message: 'the cache to follow the labels' });
});
