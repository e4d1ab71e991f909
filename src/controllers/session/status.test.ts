import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session, SessionStatus } from '../../apis/stream/v1alpha1/session.ts';
import { runVerdict } from './reconciler.ts';
import { nextStatus, statusPatch, type StatusFacts } from './status.ts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const facts: StatusFacts = { url: 'http://s.example/', podName: 'pod-1', template: 'valid', home: 'bound', now: T0 };

function session(status?: SessionStatus): Session {
  return { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: 's', generation: 3 }, spec: { user: 'u', template: 't' }, status };
}

test('entering Running sets startedAt, url, pod, conditions and observedGeneration; the same again patches nothing', () => {
  const next = nextStatus(session(), { phase: 'Running' }, facts)!;
  assert.equal(next.startedAt, '2025-01-01T12:00:00Z');
  assert.deepEqual([next.url, next.podName, next.observedGeneration], ['http://s.example/', 'pod-1', 3]);
  assert.deepEqual(next.conditions?.map((c) => [c.type, c.status]), [['Ready', 'True'], ['TemplateValid', 'True'], ['HomeVolumeBound', 'True']]);
  const written = { ...next, lastActivity: '2025-01-01T12:05:00Z' } as SessionStatus;
  const later = { ...facts, now: T0 + 3600_000 };
  assert.equal(statusPatch(written, nextStatus(session(written), { phase: 'Running' }, later)), undefined, 'steady state: no write');
});

test('a change patches only what changed, clears with null, keeps transition times of unchanged conditions and never touches lastActivity', () => {
  const running = { ...nextStatus(session(), { phase: 'Running' }, facts)!, lastActivity: '2025-01-01T12:05:00Z' } as SessionStatus;
  const hibernated = nextStatus(session(running), { phase: 'Hibernated' }, { ...facts, podName: undefined, now: T0 + 60_000 })!;
  const patch = statusPatch(running, hibernated)!;
  assert.deepEqual(Object.keys(patch).sort(), ['conditions', 'hibernatedAt', 'phase', 'podName']);
  assert.equal(patch.podName, null);
  assert.equal(patch.hibernatedAt, '2025-01-01T12:01:00Z');
  const conditions = patch.conditions as { type: string; lastTransitionTime: string }[];
  assert.equal(conditions.find((c) => c.type === 'Ready')?.lastTransitionTime, '2025-01-01T12:01:00Z');
  assert.equal(conditions.find((c) => c.type === 'TemplateValid')?.lastTransitionTime, '2025-01-01T12:00:00Z');
  assert.equal(statusPatch(running, nextStatus(session(running), 'unchanged', facts)), undefined);
});

test('Terminated clears the URL; Failed names the reason in Ready', () => {
  const running = nextStatus(session(), { phase: 'Running' }, facts)! as SessionStatus;
  assert.equal(nextStatus(session(running), { phase: 'Terminated' }, facts)?.url, undefined);
  const failed = nextStatus(session(running), { phase: 'Failed', reason: 'TemplateNotFound', message: 'gone' }, { ...facts, template: { reason: 'TemplateNotFound', message: 'gone' } })!;
  assert.deepEqual(failed.conditions?.map((c) => [c.type, c.status, c.reason]), [['Ready', 'False', 'TemplateNotFound'], ['TemplateValid', 'False', 'TemplateNotFound'], ['HomeVolumeBound', 'True', 'Bound']]);
});

test('a running session reports Running when ready, Failed when its pod cannot start, and otherwise keeps quiet unless it was Running or Failed', () => {
  const quiet = { ready: false, podsRemain: true };
  assert.deepEqual(runVerdict(session(), { ...quiet, ready: true, readyPod: 'p' }), { phase: 'Running' });
  assert.equal(runVerdict(session(), quiet), 'unchanged', 'a new session writes no Pending');
  assert.deepEqual(runVerdict(session({ phase: 'Hibernated' }), quiet), { phase: 'Pending', reason: 'Waking', message: 'Waking: waiting for the session pod to be ready' }, 'a wake shows while it happens');
  assert.equal(runVerdict(session({ phase: 'Pending' }), quiet), 'unchanged', 'and is written once');
  assert.deepEqual(runVerdict(session({ phase: 'Running' }), quiet), { phase: 'Pending', reason: 'PodNotReady', message: 'The session pod is not ready' });
  assert.equal(runVerdict(session({ phase: 'Failed' }), quiet) !== 'unchanged' && (runVerdict(session({ phase: 'Failed' }), quiet) as { phase: string }).phase, 'Pending');
  const failure = { pod: 'p', reason: 'ImagePullBackOff', message: 'nope' };
  assert.deepEqual(runVerdict(session(), { ...quiet, failure }), { phase: 'Failed', reason: 'ImagePullBackOff', message: 'nope' });
});
