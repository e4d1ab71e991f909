/**
 * The event recorder against the embedded control plane: repeats aggregate into one Event whose
 * count rises; distinct messages get their own Event.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { KubeClient } from '../../src/runtime/client.ts';
import { realClock } from '../../src/runtime/clock.ts';
import { KubeEventRecorder } from '../../src/runtime/event-recorder.ts';
import { startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { configMap } from './informer-harness.ts';

let cluster: TestCluster;
let client: KubeClient;

before(async () => {
  cluster = await startTestCluster();
  client = new KubeClient({ kubeConfig: cluster.kc, fieldManager: 'session-controller' });
  await client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'events' } });
});

after(async () => {
  await cluster.stop();
});

test('repeated events aggregate into one Event with a rising count; other messages stay separate', async () => {
  const subject: KubeObject = await client.create(configMap('events', 'subject'));
  const recorder = new KubeEventRecorder({ client, component: 'session-controller', host: 'test-host', clock: realClock, logger: pino({ level: 'silent' }) });
  for (let i = 0; i < 3; i++) recorder.event(subject, 'Warning', 'FailedMount', 'volume home is not ready');
  recorder.event(subject, 'Normal', 'Started', 'session started');
  await recorder.flush();
  recorder.event(subject, 'Warning', 'FailedMount', 'volume home is not ready');
  await recorder.flush();

  const events = (await client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'events' })).items
    .filter((e: any) => e.involvedObject?.name === 'subject');
  assert.equal(events.length, 2);
  const failed: any = events.find((e: any) => e.reason === 'FailedMount');
  const started: any = events.find((e: any) => e.reason === 'Started');
  assert.equal(failed.count, 4);
  assert.equal(failed.type, 'Warning');
  assert.equal(failed.message, 'volume home is not ready');
  assert.deepEqual(failed.source, { component: 'session-controller', host: 'test-host' });
  assert.equal(failed.involvedObject.uid, subject.metadata.uid);
  assert.equal(failed.involvedObject.kind, 'ConfigMap');
  assert.ok(Date.parse(failed.lastTimestamp) >= Date.parse(failed.firstTimestamp));
  assert.equal(started.count, 1);
  assert.equal(started.type, 'Normal');
});
