/**
 * The simulated kubelet, over HTTPS: pod lifecycle with init containers, addresses and conditions,
 * the node's Events, container logs, injected failures (image pull back-off by annotation and by
 * the failImages option set through /debug/simulation, crash loops with rising restart counts),
 * missing ConfigMaps, per-pod delays and graceful deletion.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { eventually, rawRequest, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { conditionOf, eventsAbout, pod, setSimulation } from './cluster-fixtures.ts';

describe('simulated kubelet', () => {
  let c: TestCluster;
  const ns = 'default';
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => c.stop());

  const read = (name: string) => c.core.readNamespacedPod({ namespace: ns, name });
  async function ready(name: string): Promise<k8s.V1Pod> {
    return eventually(`${name} ready`, async () => {
      const p = await read(name);
      return conditionOf(p, 'Ready')?.status === 'True' ? p : undefined;
    });
  }

  it('runs init containers to completion, then the app container to Ready, with addresses and events', async () => {
    await c.core.createNamespacedPod({
      namespace: ns,
      body: pod('lifecycle', { initContainers: [{ name: 'setup', image: 'busybox:1.36' }] }, { annotations: { 'sim.streamspace.io/log': 'listening on :8080\nready' } }),
    });
    const p = await ready('lifecycle');
    assert.equal(p.status?.phase, 'Running');
    assert.match(p.status?.podIP ?? '', /^10\.244\.\d+\.\d+$/);
    assert.match(p.status?.hostIP ?? '', /^172\.18\.0\.\d+$/);
    assert.ok(p.status?.startTime);
    for (const type of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'PodScheduled']) assert.equal(conditionOf(p, type)?.status, 'True', type);
    const init = p.status?.initContainerStatuses?.[0];
    assert.equal(init?.state?.terminated?.reason, 'Completed');
    assert.equal(init?.state?.terminated?.exitCode, 0);
    const main = p.status?.containerStatuses?.[0];
    assert.equal(main?.ready, true);
    assert.equal(main?.started, true);
    assert.ok(main?.state?.running?.startedAt);
    assert.match(main?.containerID ?? '', /^containerd:\/\/[0-9a-f]{64}$/);

    const reasons = await eventually('kubelet events', async () => {
      const list = (await eventsAbout(c, ns, 'lifecycle')).filter((e) => e.source?.component === 'kubelet');
      return list.filter((e) => e.reason === 'Started').length === 2 ? list : undefined;
    });
    const started = reasons.find((e) => e.reason === 'Started' && e.involvedObject.fieldPath === 'spec.containers{main}');
    assert.equal(started?.message, 'Started container main');
    assert.equal(started?.source?.host, p.spec?.nodeName);
    assert.ok(reasons.some((e) => e.reason === 'Created' && e.message === 'Created container: setup'));

    const log = await rawRequest(c.cp, 'GET', `/api/v1/namespaces/${ns}/pods/lifecycle/log`);
    assert.equal(log.status, 200);
    const lines = log.text.trim().split('\n');
    assert.match(lines[0], /^\d{4}-\d{2}-\d{2}T[\d:.]+Z Started container main$/);
    assert.match(lines[2], /Z ready$/);
    const tail = await rawRequest(c.cp, 'GET', `/api/v1/namespaces/${ns}/pods/lifecycle/log?tailLines=1`);
    assert.equal(tail.text.trim().split('\n').length, 1);
  });

  it('keeps a pod Pending in ImagePullBackOff (annotation) and reports the pull failure', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('nopull', {}, { annotations: { 'sim.streamspace.io/fail': 'ImagePullBackOff' } }) });
    const p = await eventually('ImagePullBackOff', async () => {
      const x = await read('nopull');
      return x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' ? x : undefined;
    });
    assert.equal(p.status?.phase, 'Pending');
    assert.equal(conditionOf(p, 'Ready')?.status, 'False');
    assert.equal(p.status?.containerStatuses?.[0]?.ready, false);
    const events = await eventsAbout(c, ns, 'nopull');
    assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'Failed' && e.message === 'Error: ErrImagePull'));
    assert.ok(events.some((e) => e.reason === 'BackOff' && e.message === 'Back-off pulling image "busybox:1.36"'));
    const logs = await rawRequest(c.cp, 'GET', `/api/v1/namespaces/${ns}/pods/nopull/log`);
    assert.equal(logs.status, 400, 'no log before the container started');
  });

  it('fails pulls of images matching failImages (set at runtime) and recovers when the option is cleared', async () => {
    await setSimulation(c, { failImages: ['^registry\\.example\\.com/broken'] });
    await c.core.createNamespacedPod({ namespace: ns, body: pod('broken', { containers: [{ name: 'main', image: 'registry.example.com/broken:1' }] }) });
    await eventually('ErrImagePull or back-off', async () => {
      const reason = (await read('broken')).status?.containerStatuses?.[0]?.state?.waiting?.reason;
      return reason === 'ErrImagePull' || reason === 'ImagePullBackOff';
    });
    const failed = (await eventsAbout(c, ns, 'broken')).find((e) => e.message?.startsWith('Failed to pull image'));
    assert.match(failed?.message ?? '', /registry\.example\.com\/broken:1.*not found/);
    await setSimulation(c, { failImages: null });
    await ready('broken');
  });

  it('crash-loops with a rising restart count and CrashLoopBackOff', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('crashy', {}, { annotations: { 'sim.streamspace.io/fail': 'CrashLoopBackOff' } }) });
    const p = await eventually('restartCount >= 2', async () => {
      const x = await read('crashy');
      const cs = x.status?.containerStatuses?.[0];
      return (cs?.restartCount ?? 0) >= 2 && cs?.state?.waiting?.reason === 'CrashLoopBackOff' ? x : undefined;
    });
    const cs = p.status!.containerStatuses![0];
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
    assert.equal(cs.lastState?.terminated?.reason, 'Error');
    assert.equal(p.status?.phase, 'Running');
    assert.equal(conditionOf(p, 'Ready')?.status, 'False');
    assert.ok((await eventsAbout(c, ns, 'crashy')).some((e) => e.type === 'Warning' && e.reason === 'BackOff' && e.message?.startsWith('Back-off restarting failed container main')));
  });

  it('waits for a missing ConfigMap (CreateContainerConfigError) and starts once it exists', async () => {
    await c.core.createNamespacedPod({
      namespace: ns,
      body: pod('needs-config', { containers: [{ name: 'main', image: 'busybox:1.36', envFrom: [{ configMapRef: { name: 'app-config' } }] }] }),
    });
    const waiting = await eventually('CreateContainerConfigError', async () => {
      const w = (await read('needs-config')).status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'CreateContainerConfigError' ? w : undefined;
    });
    assert.equal(waiting.message, 'configmap "app-config" not found');
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'app-config' }, data: { MODE: 'test' } } });
    await ready('needs-config');
  });

  it('honours per-pod delays and finishes a graceful deletion', async () => {
    await c.core.createNamespacedPod({ namespace: ns, body: pod('slow', {}, { annotations: { 'sim.streamspace.io/start-delay-ms': '300' } }) });
    const early = await eventually('acknowledged', async () => {
      const x = await read('slow');
      return x.status?.containerStatuses ? x : undefined;
    });
    assert.equal(early.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
    assert.equal(early.status?.phase, 'Pending');
    await ready('slow');
    // The answer to a graceful delete is the object as stored, still there with a deletionTimestamp
    // (reading it again would race the kubelet's short stop delay on a busy machine).
    const terminating = await c.core.deleteNamespacedPod({ namespace: ns, name: 'slow' }) as k8s.V1Pod;
    assert.ok(terminating.metadata?.deletionTimestamp, 'graceful: still there with a deletionTimestamp');
    await eventually('gone', async () => !(await c.core.listNamespacedPod({ namespace: ns, fieldSelector: 'metadata.name=slow' })).items.length);
    assert.ok((await eventsAbout(c, ns, 'slow')).some((e) => e.reason === 'Killing' && e.message === 'Stopping container main'));
  });

  it('rejects unknown or invalid simulation options with 400', async () => {
    const bad = await rawRequest(c.cp, 'PUT', '/debug/simulation', { podStartDelayMs: -1 });
    assert.equal(bad.status, 400);
    const unknown = await rawRequest(c.cp, 'PUT', '/debug/simulation', { nodez: 3 });
    assert.equal(unknown.status, 400);
    const ok = await rawRequest(c.cp, 'PUT', '/debug/simulation', { podReadyDelayMs: 10 });
    assert.equal(ok.json.podReadyDelayMs, 10);
  });
});
