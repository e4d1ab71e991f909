import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/object.ts';
import { POD_AFFINITY_REASON, podAffinityFilter } from './pod-affinity.ts';

const nodes: KubeObject[] = ['n1', 'n2'].map((name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } }));
const term = { labelSelector: { matchLabels: { home: 'h' } }, topologyKey: 'kubernetes.io/hostname' };
const affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } };

function pod(name: string, opts: { node?: string; namespace?: string; affinity?: boolean; phase?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, uid: name, namespace: opts.namespace ?? 'ns', labels: { home: 'h' } },
    spec: { nodeName: opts.node, containers: [], ...(opts.affinity === false ? {} : { affinity }) },
    status: { phase: opts.phase ?? 'Running' },
  };
}

const verdicts = (p: KubeObject, pods: KubeObject[]) => nodes.map(podAffinityFilter(p, pods, nodes));

test('a pod with required affinity goes where a matching pod runs', () => {
  assert.deepEqual(verdicts(pod('b'), [pod('a', { node: 'n2' })]), [POD_AFFINITY_REASON, undefined]);
});

test('the first pod matching its own terms goes anywhere; one that does not match them goes nowhere', () => {
  assert.deepEqual(verdicts(pod('a'), []), [undefined, undefined]);
  const stranger = { ...pod('a'), metadata: { name: 'a', uid: 'a', namespace: 'ns', labels: {} } };
  assert.deepEqual(verdicts(stranger, []), [POD_AFFINITY_REASON, POD_AFFINITY_REASON]);
});

test('finished, unscheduled and other-namespace pods do not count; pods without terms pass', () => {
  const others = [pod('x', { node: 'n1', phase: 'Succeeded' }), pod('y'), pod('z', { node: 'n1', namespace: 'other' })];
  assert.deepEqual(verdicts(pod('b'), others), [undefined, undefined]);
  assert.deepEqual(verdicts(pod('c', { affinity: false }), [pod('a', { node: 'n2' })]), [undefined, undefined]);
});
