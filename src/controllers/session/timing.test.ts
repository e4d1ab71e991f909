import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session, SessionSpec, SessionStatus } from '../../apis/stream/v1alpha1/session.ts';
import { durationMs } from '../../apimachinery/duration.ts';
import { idleDeadline, limitDecision, maxDurationDeadline } from './timing.ts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();
const settings = { idleGraceMs: MIN, maxDurationAction: 'terminate' as const };

function session(spec: Partial<SessionSpec>, status: SessionStatus = { phase: 'Running', startedAt: iso(T0) }): Session {
  return { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: 's' }, spec: { user: 'u', template: 't', ...spec }, status };
}

test('the idle deadline counts from the later of last activity and start, plus timeout and grace', () => {
  assert.equal(idleDeadline(session({ idleTimeout: '30m' }), MIN), T0 + 31 * MIN);
  const active = session({ idleTimeout: '30m' }, { phase: 'Running', startedAt: iso(T0), lastActivity: iso(T0 + 10 * MIN) });
  assert.equal(idleDeadline(active, MIN), T0 + 41 * MIN);
  const stale = session({ idleTimeout: '30m' }, { phase: 'Running', startedAt: iso(T0), lastActivity: iso(T0 - 60 * MIN) });
  assert.equal(idleDeadline(stale, MIN), T0 + 31 * MIN, 'activity from before a wake does not count');
});

test('no idle deadline without a timeout, for 0, or when the session is not running', () => {
  assert.equal(idleDeadline(session({}), MIN), undefined);
  assert.equal(idleDeadline(session({ idleTimeout: '0' }), MIN), undefined);
  assert.equal(idleDeadline(session({ idleTimeout: '30m', state: 'hibernated' }), MIN), undefined);
  assert.equal(idleDeadline(session({ idleTimeout: '30m' }, { phase: 'Hibernated', startedAt: iso(T0) }), MIN), undefined);
});

test('the decision hibernates at the idle deadline, not a millisecond before, and says when to look again', () => {
  const s = session({ idleTimeout: '30m' });
  assert.deepEqual(limitDecision(s, settings, T0 + 31 * MIN - 1), { action: 'none', nextCheckAt: T0 + 31 * MIN });
  assert.equal(limitDecision(s, settings, T0 + 31 * MIN).action, 'hibernate');
});

test('max duration terminates (or hibernates when configured) and wins over idleness', () => {
  const s = session({ idleTimeout: '30m', maxSessionDuration: '20m' });
  assert.equal(maxDurationDeadline(s), T0 + 20 * MIN);
  assert.deepEqual(limitDecision(s, settings, T0), { action: 'none', nextCheckAt: T0 + 20 * MIN });
  const terminate = limitDecision(s, settings, T0 + 40 * MIN);
  assert.deepEqual([terminate.action, 'reason' in terminate && terminate.reason], ['terminate', 'max-duration']);
  assert.equal(limitDecision(s, { ...settings, maxDurationAction: 'hibernate' }, T0 + 20 * MIN).action, 'hibernate');
});

test('durations parse as Go durations; garbage counts as unset', () => {
  assert.equal(durationMs('1h30m'), 90 * MIN);
  assert.equal(durationMs(undefined), 0);
  assert.equal(durationMs('soon'), 0);
});

test('keepRunningUntil holds the idle limit off until then, and maxSessionDuration still bounds it', () => {
  const keep = session({ idleTimeout: '30m', keepRunningUntil: iso(T0 + 120 * MIN) });
  assert.deepEqual(limitDecision(keep, settings, T0 + 60 * MIN), { action: 'none', nextCheckAt: T0 + 120 * MIN }, 'survives its idle timeout');
  assert.equal(limitDecision(keep, settings, T0 + 120 * MIN).action, 'hibernate', 'stops at the keep-running time');
  const past = session({ idleTimeout: '30m', keepRunningUntil: iso(T0 - MIN) });
  assert.equal(idleDeadline(past, MIN), T0 + 31 * MIN, 'a keep-running time in the past changes nothing');
  const bounded = session({ idleTimeout: '30m', maxSessionDuration: '1h', keepRunningUntil: iso(T0 + 120 * MIN) });
  assert.equal(limitDecision(bounded, settings, T0 + 60 * MIN).action, 'terminate');
});
