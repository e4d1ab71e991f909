import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../apimachinery/object.ts';
import {
  and, annotationChanged, generationChanged, labelChanged, not, or, predicateFuncs, resourceVersionChanged, type Predicate,
} from './predicate.ts';

function obj(meta: Partial<KubeObject['metadata']>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', ...meta } };
}

const base = obj({ generation: 1, resourceVersion: '10', labels: { app: 'x' }, annotations: { note: 'n' } });
const update = (p: Predicate, changed: Partial<KubeObject['metadata']>): boolean =>
  p.update({ objectOld: base, objectNew: obj({ ...base.metadata, ...changed }) });

test('generationChanged passes spec changes, skips status/metadata-only writes and resyncs', () => {
  const p = generationChanged();
  assert.equal(update(p, { generation: 2, resourceVersion: '11' }), true);
  assert.equal(update(p, { resourceVersion: '11' }), false, 'status-only write keeps generation');
  assert.equal(update(p, { resourceVersion: '11', labels: { app: 'y' } }), false);
  assert.equal(p.update({ objectOld: base, objectNew: base }), false, 'resync');
  assert.equal(p.create({ object: base, isInInitialList: true }), true);
  assert.equal(p.delete({ object: base, deleteStateUnknown: false }), true);
  assert.equal(p.generic({ object: base }), true);
});

test('resourceVersionChanged skips resyncs only', () => {
  const p = resourceVersionChanged();
  assert.equal(update(p, { resourceVersion: '11' }), true);
  assert.equal(p.update({ objectOld: base, objectNew: base }), false);
});

test('labelChanged and annotationChanged compare their maps by value', () => {
  assert.equal(update(labelChanged(), { labels: { app: 'y' } }), true);
  assert.equal(update(labelChanged(), { labels: { app: 'x' }, resourceVersion: '12' }), false);
  assert.equal(update(labelChanged(), { labels: undefined }), true, 'labels removed');
  assert.equal(update(annotationChanged(), { annotations: { note: 'm' } }), true);
  assert.equal(update(annotationChanged(), { annotations: { note: 'n' }, generation: 5 }), false);
  assert.equal(labelChanged().update({ objectOld: obj({}), objectNew: obj({ labels: {} }) }), false, 'absent equals empty');
});

test('and / or / not combine per event kind', () => {
  const gen = generationChanged();
  const lbl = labelChanged();
  assert.equal(update(and(gen, lbl), { generation: 2 }), false);
  assert.equal(update(and(gen, lbl), { generation: 2, labels: {} }), true);
  assert.equal(update(or(gen, lbl), { labels: {} }), true);
  assert.equal(update(or(gen, lbl), { annotations: {} }), false);
  assert.equal(update(not(gen), { generation: 2 }), false);
  assert.equal(not(gen).create({ object: base, isInInitialList: false }), false);
  assert.equal(and().update({ objectOld: base, objectNew: base }), true, 'empty and is true');
  assert.equal(or().update({ objectOld: base, objectNew: base }), false, 'empty or is false');
});

test('and short-circuits, or short-circuits', () => {
  let calls = 0;
  const counting = predicateFuncs({ create: () => { calls++; return true; } });
  const no = predicateFuncs({ create: () => false });
  and(no, counting).create({ object: base, isInInitialList: false });
  or(predicateFuncs({}), counting).create({ object: base, isInInitialList: false });
  assert.equal(calls, 0);
});

test('predicateFuncs lets events through for missing functions', () => {
  const p = predicateFuncs({ delete: () => false });
  assert.equal(p.create({ object: base, isInInitialList: false }), true);
  assert.equal(p.delete({ object: base, deleteStateUnknown: false }), false);
});
