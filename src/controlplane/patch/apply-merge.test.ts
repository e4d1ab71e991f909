import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeApplied } from './apply-merge.ts';
import { resolveListTypes } from './list-type.ts';

const listTypes = resolveListTypes('v1/Pod');
const containers = (...names: string[]) => ({ spec: { containers: names.map((name) => ({ name })) } });
const mergedNames = (live: string[], applied: string[]) =>
  (mergeApplied(containers(...live), containers(...applied), listTypes).spec as any).containers.map((c: any) => c.name);

describe('mergeApplied', () => {
  it('orders map lists like structured-merge-diff', () => {
    assert.deepEqual(mergedNames(['a'], ['b']), ['a', 'b'], 'live-only items first, new items after');
    assert.deepEqual(mergedNames(['a', 'x', 'b'], ['a', 'b']), ['a', 'x', 'b'], 'live-only items keep their place');
    assert.deepEqual(mergedNames(['a', 'b'], ['b', 'a']), ['b', 'a'], 'shared items follow the applied order');
    assert.deepEqual(mergedNames(['a', 'b'], ['c', 'a']), ['c', 'a', 'b']);
  });

  it('merges matching items field by field', () => {
    const live = { spec: { containers: [{ name: 'a', image: '1', resources: { limits: { cpu: '1' } } }] } };
    const merged = mergeApplied(live, { spec: { containers: [{ name: 'a', image: '2' }] } }, listTypes) as any;
    assert.deepEqual(merged.spec.containers, [{ name: 'a', image: '2', resources: { limits: { cpu: '1' } } }]);
  });

  it('replaces atomic lists, unions sets, and removes fields set to null', () => {
    const live = { metadata: { finalizers: ['a'], labels: { x: '1', y: '2' } }, spec: { tolerations: [{ key: 'k' }] } };
    const config = { metadata: { finalizers: ['b', 'a', 'b'], labels: { y: null } }, spec: { tolerations: [{ key: 'j' }] } };
    assert.deepEqual(mergeApplied(live, config, listTypes), {
      metadata: { finalizers: ['a', 'b'], labels: { x: '1' } }, spec: { tolerations: [{ key: 'j' }] },
    });
  });

  it('treats a map list as atomic when an applied item has no key', () => {
    const merged = mergeApplied(containers('a'), { spec: { containers: [{ image: 'x' }] } }, listTypes) as any;
    assert.deepEqual(merged.spec.containers, [{ image: 'x' }]);
  });

  it('never mutates its inputs', () => {
    const live = containers('a');
    const config = { spec: { containers: [{ name: 'a', image: 'x' }] } };
    mergeApplied(live, config, listTypes);
    assert.deepEqual(live, containers('a'));
    assert.deepEqual(config, { spec: { containers: [{ name: 'a', image: 'x' }] } });
  });
});
