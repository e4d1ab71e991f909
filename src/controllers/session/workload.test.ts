import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apimachinery/object.ts';
import { observeWorkload } from './workload.ts';

function pod(name: string, status: Record<string, unknown>, deleting = false): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(deleting ? { deletionTimestamp: '2025-01-01T00:00:00Z' } : {}) }, status };
}

const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
const deployment = (readyReplicas: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, status: { readyReplicas } });

test('ready needs both the Deployment\'s ready replica and a Ready pod that is not going away', () => {
  assert.deepEqual(observeWorkload(deployment(1), [pod('p', ready)]), { ready: true, readyPod: 'p', podsRemain: true, failure: undefined });
  assert.equal(observeWorkload(deployment(0), [pod('p', ready)]).ready, false);
  assert.equal(observeWorkload(deployment(1), [pod('p', ready, true)]).ready, false);
  assert.deepEqual(observeWorkload(deployment(0), []), { ready: false, readyPod: undefined, podsRemain: false, failure: undefined });
});

test('a container stuck pulling its image or crash-looping is a failure; creating it is not', () => {
  const pulling = pod('p', { phase: 'Pending', containerStatuses: [{ name: 'session', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } } }] });
  assert.deepEqual(observeWorkload(deployment(0), [pulling]).failure, { pod: 'p', reason: 'ImagePullBackOff', message: 'Container session of pod p: Back-off pulling image "x"' });
  const creating = pod('p', { phase: 'Pending', containerStatuses: [{ name: 'session', state: { waiting: { reason: 'ContainerCreating' } } }] });
  assert.equal(observeWorkload(deployment(0), [creating]).failure, undefined);
  assert.equal(observeWorkload(deployment(0), [pod('p', { phase: 'Failed', reason: 'Evicted', message: 'low on memory' })]).failure?.reason, 'Evicted');
});
