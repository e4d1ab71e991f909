import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject, OwnerReference } from '../apimachinery/object.ts';
import { enqueueRequestForObject, enqueueRequestForOwner, enqueueRequestsFromMapFunc, type RequestQueue } from './handler.ts';
import type { Request } from './reconcile.ts';

function collector(): RequestQueue & { requests: Request[] } {
  const requests: Request[] = [];
  return { requests, add: (r) => requests.push(r) };
}

function pod(name: string, owners: OwnerReference[] = [], namespace = 'u1'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, ownerReferences: owners } };
}

const SESSION = { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session' };
const ref = (over: Partial<OwnerReference>): OwnerReference => ({ ...SESSION, name: 's1', uid: 'u', controller: true, ...over });

test('For: the object itself is enqueued, with its namespace', () => {
  const q = collector();
  const h = enqueueRequestForObject();
  h.create({ object: pod('p1'), isInInitialList: false }, q);
  h.update({ objectOld: pod('p1'), objectNew: pod('p1') }, q);
  h.delete({ object: pod('p2', [], ''), deleteStateUnknown: true }, q);
  assert.deepEqual(q.requests, [{ namespace: 'u1', name: 'p1' }, { namespace: 'u1', name: 'p1' }, { namespace: '', name: 'p2' }]);
});

test('Owns: the first controller ownerReference of the owner kind is enqueued', () => {
  const q = collector();
  const h = enqueueRequestForOwner(SESSION);
  h.create({ object: pod('p', [ref({ controller: false, name: 'not-controller' }), ref({ name: 's1' })]), isInInitialList: false }, q);
  assert.deepEqual(q.requests, [{ namespace: 'u1', name: 's1' }]);
});

test('Owns: other kinds, other groups and non-controller refs are ignored; any version matches', () => {
  const q = collector();
  const h = enqueueRequestForOwner(SESSION);
  h.create({ object: pod('a', [ref({ kind: 'Template' })]), isInInitialList: false }, q);
  h.create({ object: pod('b', [ref({ apiVersion: 'other.io/v1alpha1' })]), isInInitialList: false }, q);
  h.create({ object: pod('c', [ref({ controller: undefined })]), isInInitialList: false }, q);
  h.create({ object: pod('d'), isInInitialList: false }, q);
  assert.deepEqual(q.requests, []);
  h.create({ object: pod('e', [ref({ apiVersion: 'stream.streamspace.io/v1', name: 's9' })]), isInInitialList: false }, q);
  assert.deepEqual(q.requests, [{ namespace: 'u1', name: 's9' }]);
});

test('Owns: only the controller reference is considered, even if it is of another kind', () => {
  const q = collector();
  enqueueRequestForOwner(SESSION).create({
    object: pod('p', [ref({ kind: 'ReplicaSet', apiVersion: 'apps/v1', name: 'rs' }), ref({ controller: false, name: 's1' })]),
    isInInitialList: false,
  }, q);
  assert.deepEqual(q.requests, []);
  enqueueRequestForOwner(SESSION, { onlyController: false }).create({
    object: pod('p', [ref({ controller: false, name: 's1' }), ref({ controller: false, name: 's2' })]), isInInitialList: false,
  }, q);
  assert.deepEqual(q.requests, [{ namespace: 'u1', name: 's1' }, { namespace: 'u1', name: 's2' }]);
});

test('Owns: an update enqueues the owners of both versions; cluster-scoped owners get no namespace', () => {
  const q = collector();
  enqueueRequestForOwner(SESSION).update({ objectOld: pod('p', [ref({ name: 'old' })]), objectNew: pod('p', [ref({ name: 'new' })]) }, q);
  assert.deepEqual(q.requests, [{ namespace: 'u1', name: 'old' }, { namespace: 'u1', name: 'new' }]);
  const q2 = collector();
  enqueueRequestForOwner(SESSION, { ownerNamespaced: false }).create({ object: pod('p', [ref({})]), isInInitialList: false }, q2);
  assert.deepEqual(q2.requests, [{ namespace: '', name: 's1' }]);
});

test('Watches: map function results are enqueued once per event', () => {
  const q = collector();
  const h = enqueueRequestsFromMapFunc((o) => [{ namespace: 'x', name: o.metadata.name! }, { namespace: 'x', name: 'shared' }]);
  h.update({ objectOld: pod('a'), objectNew: pod('a') }, q);
  assert.deepEqual(q.requests, [{ namespace: 'x', name: 'a' }, { namespace: 'x', name: 'shared' }]);
});
