import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { instanceStatus, podProblem } from './status.ts';

function session(state: 'running' | 'hibernated' | 'terminated', phase?: string, deleting = false): Session {
  return {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session',
    metadata: { name: 's', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { user: 'u', template: 't', state }, status: phase ? { phase: phase as any } : undefined,
  };
}

function pod(status: Record<string, unknown>, deleting = false): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) }, status };
}

const ready = pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
const initializing = pod({ phase: 'Pending', initContainerStatuses: [{ name: 'repository-fetch', state: { running: {} } }] });
const initCrash = pod({ phase: 'Pending', initContainerStatuses: [{ name: 'repository-fetch', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } } }] });
const initFailed = pod({ phase: 'Pending', initContainerStatuses: [{ name: 'repository-checkout', state: { terminated: { exitCode: 2, message: 'could not clone' } } }] });

test('each status from phase and pods', () => {
  assert.equal(instanceStatus(session('running'), []), 'PENDING');
  assert.equal(instanceStatus(session('running'), [initializing]), 'STARTING');
  assert.equal(instanceStatus(session('running', 'Pending'), [ready]), 'STARTING', 'ready pod but the controller has not said Running');
  assert.equal(instanceStatus(session('running', 'Running'), [ready]), 'RUNNING');
  assert.equal(instanceStatus(session('running', 'Running'), [pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] })]), 'STARTING');
  assert.equal(instanceStatus(session('running', 'Failed'), []), 'ERROR');
  assert.equal(instanceStatus(session('running', 'Pending'), [initCrash]), 'ERROR');
  assert.equal(instanceStatus(session('running', 'Pending'), [initFailed]), 'ERROR');
  assert.equal(instanceStatus(session('hibernated', 'Running'), [ready]), 'STOPPING');
  assert.equal(instanceStatus(session('hibernated', 'Hibernated'), [pod({}, true)]), 'STOPPING', 'a terminating pod remains');
  assert.equal(instanceStatus(session('hibernated', 'Hibernated'), []), 'STOPPED');
  assert.equal(instanceStatus(session('running', 'Hibernated'), []), 'PENDING', 'waking, nothing scheduled yet');
  assert.equal(instanceStatus(session('terminated', 'Terminated'), []), 'STOPPED');
  assert.equal(instanceStatus(session('running', 'Running', true), [ready]), 'STOPPING');
});

test('podProblem names the container and the reason', () => {
  assert.equal(podProblem(ready), undefined);
  assert.equal(podProblem(initCrash), 'repository-fetch: back-off');
  assert.equal(podProblem(initFailed), 'repository-checkout: could not clone');
});
