import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../apimachinery/object.ts';
import { nodeChange } from './node-changes.ts';

function node(spec: Record<string, unknown> = {}, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', resourceVersion: '42', labels }, spec };
}

void describe('nodeChange', () => {
  void it('cordons and uncordons only when needed', () => {
    assert.deepEqual(nodeChange({ nodeName: 'n1', operation: 'cordon' }, node()), { patch: { spec: { unschedulable: true } }, message: 'node n1 cordoned' });
    assert.deepEqual(nodeChange({ nodeName: 'n1', operation: 'cordon' }, node({ unschedulable: true })), { message: 'node n1 was already cordoned' });
    assert.deepEqual(nodeChange({ nodeName: 'n1', operation: 'uncordon' }, node({ unschedulable: true })).patch, { spec: { unschedulable: null } });
    assert.equal(nodeChange({ nodeName: 'n1', operation: 'uncordon' }, node()).patch, undefined);
  });

  void it('patches only the labels that differ, and removes only those present', () => {
    const n = node({}, { a: '1', b: '2' });
    assert.deepEqual(nodeChange({ nodeName: 'n1', operation: 'label', parameters: { labels: { a: '1', b: '3' } } }, n).patch, { metadata: { labels: { b: '3' } } });
    assert.equal(nodeChange({ nodeName: 'n1', operation: 'label', parameters: { labels: { a: '1' } } }, n).patch, undefined);
    assert.deepEqual(nodeChange({ nodeName: 'n1', operation: 'unlabel', parameters: { labels: { a: '', zz: '' } } }, n), {
      patch: { metadata: { labels: { a: null } } }, message: 'removed labels a from node n1',
    });
  });

  void it('adds, replaces and removes taints with the node resourceVersion as precondition', () => {
    const other = { key: 'other', effect: 'NoExecute' };
    const n = node({ taints: [other, { key: 'm', value: 'old', effect: 'NoSchedule' }] });
    assert.deepEqual(nodeChange({ nodeName: 'n1', operation: 'taint', parameters: { taint: { key: 'm', value: 'new', effect: 'NoSchedule' } } }, n).patch, {
      metadata: { resourceVersion: '42' }, spec: { taints: [other, { key: 'm', value: 'new', effect: 'NoSchedule' }] },
    });
    assert.deepEqual(nodeChange({ nodeName: 'n1', operation: 'taint', parameters: { taint: { key: 'm', effect: 'NoExecute' } } }, n).patch, {
      metadata: { resourceVersion: '42' }, spec: { taints: [other, { key: 'm', value: 'old', effect: 'NoSchedule' }, { key: 'm', effect: 'NoExecute' }] },
    });
    assert.equal(nodeChange({ nodeName: 'n1', operation: 'taint', parameters: { taint: { key: 'm', value: 'old', effect: 'NoSchedule' } } }, n).patch, undefined);
    assert.deepEqual(nodeChange({ nodeName: 'n1', operation: 'untaint', parameters: { taint: { key: 'm' } } }, n).patch, {
      metadata: { resourceVersion: '42' }, spec: { taints: [other] },
    });
    assert.deepEqual(nodeChange({ nodeName: 'n1', operation: 'untaint', parameters: { taint: { key: 'other', effect: 'NoExecute' } } }, node({ taints: [other] })).patch, {
      metadata: { resourceVersion: '42' }, spec: { taints: null },
    });
    assert.equal(nodeChange({ nodeName: 'n1', operation: 'untaint', parameters: { taint: { key: 'm', effect: 'NoExecute' } } }, n).patch, undefined);
  });
});
