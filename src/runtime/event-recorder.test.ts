import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../apimachinery/object.ts';
import { KubeClient } from './client.ts';
import { TestClock } from './clock.ts';
import { KubeEventRecorder } from './event-recorder.ts';
import { MemoryTransport } from './testing/memory-transport.ts';

const EVENTS = '/api/v1/namespaces/u1/events';

function setup(): { transport: MemoryTransport; clock: TestClock; recorder: KubeEventRecorder } {
  const transport = new MemoryTransport();
  const clock = new TestClock(Date.UTC(2026, 4, 1, 12, 0, 0));
  const client = new KubeClient({ transport, fieldManager: 'session-controller' });
  const recorder = new KubeEventRecorder({ client, component: 'session-controller', host: 'node-1', clock, logger: pino({ level: 'silent' }) });
  return { transport, clock, recorder };
}

const session: KubeObject = {
  apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session',
  metadata: { name: 's1', namespace: 'u1', uid: 'uid-1', resourceVersion: '42' },
};

test('an event is written as a core/v1 Event about the object', async () => {
  const { transport, recorder } = setup();
  recorder.event(session, 'Normal', 'Hibernated', 'Session s1 hibernated after 30m idle');
  await recorder.flush();
  const [event] = transport.list(EVENTS);
  assert.match(event.metadata.name, /^s1\.[0-9a-f]+$/);
  assert.equal(event.metadata.namespace, 'u1');
  assert.deepEqual(event.involvedObject, {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', name: 's1', namespace: 'u1', uid: 'uid-1', resourceVersion: '42',
  });
  assert.equal(event.type, 'Normal');
  assert.equal(event.reason, 'Hibernated');
  assert.equal(event.message, 'Session s1 hibernated after 30m idle');
  assert.deepEqual(event.source, { component: 'session-controller', host: 'node-1' });
  assert.equal(event.count, 1);
  assert.equal(event.firstTimestamp, '2026-05-01T12:00:00Z');
  assert.equal(event.lastTimestamp, '2026-05-01T12:00:00Z');
  assert.equal(transport.requests[0].query.fieldManager, 'session-controller');
});

test('repeats of the same reason and message on the same object bump count with a patch', async () => {
  const { transport, clock, recorder } = setup();
  recorder.event(session, 'Warning', 'FailedMount', 'volume home not ready');
  recorder.event(session, 'Warning', 'FailedMount', 'volume home not ready'); // queued behind the create
  await recorder.flush();
  clock.advance(65_000);
  recorder.event(session, 'Warning', 'FailedMount', 'volume home not ready');
  await recorder.flush();
  const events = transport.list(EVENTS);
  assert.equal(events.length, 1);
  assert.equal(events[0].count, 3);
  assert.equal(events[0].firstTimestamp, '2026-05-01T12:00:00Z');
  assert.equal(events[0].lastTimestamp, '2026-05-01T12:01:05Z');
  assert.deepEqual(transport.requests.map((r) => r.method), ['POST', 'PATCH', 'PATCH']);
  assert.equal(transport.requests[1].contentType, 'application/merge-patch+json');
});

test('a different message, type, reason or object makes a separate Event', async () => {
  const { transport, recorder } = setup();
  recorder.event(session, 'Warning', 'FailedMount', 'a');
  recorder.event(session, 'Warning', 'FailedMount', 'b');
  recorder.event(session, 'Normal', 'FailedMount', 'a');
  recorder.event(session, 'Warning', 'Other', 'a');
  recorder.event({ ...session, metadata: { ...session.metadata, name: 's2', uid: 'uid-2' } }, 'Warning', 'FailedMount', 'a');
  await recorder.flush();
  const events = transport.list(EVENTS);
  assert.equal(events.length, 5);
  assert.equal(new Set(events.map((e: any) => e.metadata.name)).size, 5, 'unique names even within one millisecond');
});

test('if the aggregated Event was deleted, the next repeat creates a new one', async () => {
  const { transport, recorder } = setup();
  recorder.event(session, 'Normal', 'Started', 'ok');
  await recorder.flush();
  transport.objects.clear();
  recorder.event(session, 'Normal', 'Started', 'ok');
  await recorder.flush();
  const events = transport.list(EVENTS);
  assert.equal(events.length, 1);
  assert.equal(events[0].count, 1);
  assert.deepEqual(transport.requests.map((r) => r.method), ['POST', 'PATCH', 'POST']);
});

test('cluster-scoped objects get their events in the default namespace', async () => {
  const { transport, recorder } = setup();
  recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'x' } }, 'Normal', 'Drained', 'drained');
  await recorder.flush();
  assert.equal(transport.list('/api/v1/namespaces/default/events').length, 1);
});

test('recording never throws; failed writes are only logged', async () => {
  const { transport, recorder } = setup();
  transport.fail(() => 500);
  recorder.event(session, 'Normal', 'X', 'y');
  await recorder.flush();
  assert.equal(transport.list(EVENTS).length, 0);
});
