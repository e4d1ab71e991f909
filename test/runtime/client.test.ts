/**
 * KubeClient against the embedded control plane: typed errors for the answers controllers
 * branch on, every patch strategy, server-side apply ownership under our field manager.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  KubeClient, ignoreAlreadyExists, ignoreNotFound, isAlreadyExists, isConflict, isNotFound, toApiError,
} from '../../src/runtime/client.ts';
import { applyPatch, jsonPatch, mergePatch, strategicMergePatch } from '../../src/runtime/patch.ts';
import { startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { CONFIGMAP, configMap } from './informer-harness.ts';

let cluster: TestCluster;
let client: KubeClient;
const NS = 'client-test';

before(async () => {
  cluster = await startTestCluster();
  client = new KubeClient({ kubeConfig: cluster.kc, fieldManager: 'streamspace-operator' });
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});

after(async () => {
  await cluster.stop();
});

test('NotFound, AlreadyExists and Conflict come back as typed errors', async () => {
  const missing = await client.get(CONFIGMAP, { namespace: NS, name: 'missing' }).catch((e: unknown) => e);
  assert.equal(isNotFound(missing), true);
  assert.equal(toApiError(missing)?.message, 'configmaps "missing" not found');
  assert.equal(await client.get(CONFIGMAP, { namespace: NS, name: 'missing' }).catch(ignoreNotFound), undefined);

  const first = await client.create(configMap(NS, 'a', { v: '1' }));
  const again = await client.create(configMap(NS, 'a')).catch((e: unknown) => e);
  assert.equal(isAlreadyExists(again), true);
  assert.equal(await client.create(configMap(NS, 'a')).catch(ignoreAlreadyExists), undefined);

  await client.update({ ...first, data: { v: '2' } });
  const stale = await client.update({ ...first, data: { v: '3' } }).catch((e: unknown) => e);
  assert.equal(isConflict(stale), true, 'an update carrying a stale resourceVersion conflicts');
  assert.equal(toApiError(stale)?.code, 409);
});

test('merge, JSON and strategic merge patches; apply records our field manager', async () => {
  const obj = await client.create(configMap(NS, 'patched', { a: '1' }));
  const merged = await client.patch(obj, mergePatch({ data: { b: '2' } }));
  assert.deepEqual(merged.data, { a: '1', b: '2' });
  const json = await client.patch(obj, jsonPatch([{ op: 'remove', path: '/data/a' }]));
  assert.deepEqual(json.data, { b: '2' });
  const strategic = await client.patch(obj, strategicMergePatch({ metadata: { labels: { tier: 'x' } } }));
  assert.equal(strategic.metadata.labels?.tier, 'x');

  const applied = await client.patch({ ...CONFIGMAP, metadata: { name: 'applied', namespace: NS } },
    applyPatch({ ...CONFIGMAP, metadata: { name: 'applied', namespace: NS }, data: { owned: 'yes' } }));
  assert.equal(applied.data.owned, 'yes');
  const managers = (applied.metadata.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
  assert.deepEqual(managers, ['streamspace-operator/Apply']);

  const other = new KubeClient({ kubeConfig: cluster.kc, fieldManager: 'someone-else' });
  const conflict = await other.apply({ ...CONFIGMAP, metadata: { name: 'applied', namespace: NS }, data: { owned: 'no' } }).catch((e: unknown) => e);
  assert.equal(isConflict(conflict), true, 'applying a field another manager owns conflicts without force');
  const forced = await other.apply({ ...CONFIGMAP, metadata: { name: 'applied', namespace: NS }, data: { owned: 'no' } }, { force: true });
  assert.equal(forced.data.owned, 'no');
});

test('delete, then ignoreNotFound on a second delete', async () => {
  const obj = await client.create(configMap(NS, 'doomed'));
  await client.delete(obj);
  assert.equal(await client.delete(obj).catch(ignoreNotFound), undefined);
  assert.equal(isNotFound(await client.get(CONFIGMAP, { namespace: NS, name: 'doomed' }).catch((e: unknown) => e)), true);
  assert.ok(client.requestStats().writes > 0);
});
