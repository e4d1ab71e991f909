import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/object.ts';
import type { InformerCache } from '../runtime/cache.ts';
import type { KubeClient } from '../runtime/client.ts';
import { TestClock } from '../runtime/clock.ts';
import type { InformerHandler } from '../runtime/internal/informer.ts';
import { mergePatch } from '../runtime/patch.ts';
import { FreshClient } from './fresh-client.ts';

const Kind = { apiVersion: 'v1', kind: 'ConfigMap' };
const key = { namespace: 'ns', name: 'cm' };

/** A server that numbers its writes, and an informer cache the test feeds by hand. */
function fakes() {
  let revision = 10;
  const server = new Map<string, KubeObject>();
  const cached = new Map<string, KubeObject>();
  const handlers: InformerHandler[] = [];
  const stamp = (obj: KubeObject): KubeObject => ({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(++revision) } });
  const client = {
    async create(obj: KubeObject) { const o = stamp(obj); server.set(o.metadata.name!, o); return o; },
    async patch(target: KubeObject) { const o = stamp({ ...server.get(target.metadata.name!)!, ...target }); server.set(o.metadata.name!, o); return o; },
    async patchStatus(target: KubeObject) { return client.patch(target); },
    async delete(target: KubeObject) { server.delete(target.metadata.name!); },
  };
  const cache = {
    get: (_kind: unknown, k: { name: string }) => (cached.has(k.name) ? structuredClone(cached.get(k.name)) : undefined),
    list: () => [...cached.values()],
    getInformer: () => ({ addHandler: (h: InformerHandler) => { handlers.push(h); return () => undefined; } }),
  };
  /** The informer delivers what the server has now for `name` (or its deletion). */
  const deliver = (name: string): void => {
    const now = server.get(name);
    const old = cached.get(name);
    if (now) cached.set(name, now); else cached.delete(name);
    for (const h of handlers) {
      if (now && old) h.onUpdate(old, now);
      else if (now) h.onAdd(now, false);
      else if (old) h.onDelete(old, false);
    }
  };
  const clock = new TestClock();
  const fresh = new FreshClient({ client: client as unknown as KubeClient, cache: cache as unknown as InformerCache, clock });
  fresh.track(Kind);
  return { fresh, server, deliver, clock };
}

const configMap: KubeObject = { ...Kind, metadata: { ...key }, data: { a: '1' } };

test('reads return our own write until the informer has delivered it', async () => {
  const { fresh, deliver } = fakes();
  assert.equal(fresh.get(Kind, key), undefined);
  const created = await fresh.create(configMap);
  assert.equal(fresh.get(Kind, key)?.metadata.resourceVersion, created.metadata.resourceVersion, 'the cache has not seen it yet, we have');
  deliver('cm');
  assert.equal(fresh.get(Kind, key)?.metadata.resourceVersion, created.metadata.resourceVersion);
});

test('a later change by someone else wins as soon as the cache has it, even a deletion', async () => {
  const { fresh, server, deliver } = fakes();
  await fresh.create(configMap);
  await fresh.patch(configMap, mergePatch({}));
  deliver('cm');
  server.delete('cm');
  deliver('cm');
  assert.equal(fresh.get(Kind, key), undefined, 'deleted by hand after our write: the informer delivered past our write');
});

test('a deletion is remembered until the cache drops the object', async () => {
  const { fresh, deliver } = fakes();
  await fresh.create(configMap);
  deliver('cm');
  await fresh.delete(fresh.get(Kind, key)!);
  assert.equal(fresh.get(Kind, key), undefined, 'the cache still has it, but we deleted it');
  deliver('cm');
  assert.equal(fresh.get(Kind, key), undefined);
});

test('what is remembered expires if the cache never catches up', async () => {
  const { fresh, clock } = fakes();
  await fresh.create(configMap);
  clock.advance(61_000);
  assert.equal(fresh.get(Kind, key), undefined);
});
