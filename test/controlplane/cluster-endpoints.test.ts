/**
 * The simulated Endpoints controller over HTTPS: a Service's Endpoints list ready pod IPs with the
 * target port resolved by container port name, move pods between addresses and notReadyAddresses
 * as readiness changes (a readiness gate set through pods/status), and go with the Service.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { MERGE_PATCH } from './cluster-fixtures.ts';

const GATE = 'example.com/warm';
/** Strategic merge on pods/status merges conditions by type, keeping the kubelet's. */
const STRATEGIC = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

function gatedPod(name: string): k8s.V1Pod {
  return {
    metadata: { name, labels: { app: 'api' } },
    spec: { readinessGates: [{ conditionType: GATE }], containers: [{ name: 'main', image: 'api:1', ports: [{ name: 'web', containerPort: 9090 }] }] },
  };
}

describe('simulated Endpoints', () => {
  let c: TestCluster;
  const ns = 'default';
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => c.stop());

  const endpoints = () => c.core.readNamespacedEndpoints({ namespace: ns, name: 'api' });

  it('follows pod readiness and resolves named target ports', async () => {
    await c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'api' }, spec: { selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] } } });
    await c.core.createNamespacedPod({ namespace: ns, body: gatedPod('api-1') });
    await c.core.createNamespacedPod({ namespace: ns, body: gatedPod('api-2') });
    // Running but held back by the readiness gate: both listed as not ready.
    const pending = await eventually('two not-ready addresses', async () => {
      const ep = await endpoints();
      return ep.subsets?.[0]?.notReadyAddresses?.length === 2 ? ep : undefined;
    });
    assert.equal(pending.subsets?.[0]?.addresses, undefined);
    assert.deepEqual(pending.subsets?.[0]?.ports?.map((p) => ({ ...p })), [{ name: 'http', port: 9090, protocol: 'TCP' }]);

    await c.core.patchNamespacedPodStatus({
      namespace: ns, name: 'api-1', body: { status: { conditions: [{ type: GATE, status: 'True', lastTransitionTime: new Date() }] } },
    }, STRATEGIC);
    const ready = await eventually('api-1 ready', async () => {
      const ep = await endpoints();
      return ep.subsets?.[0]?.addresses?.length === 1 ? ep : undefined;
    });
    const pod1 = await c.core.readNamespacedPod({ namespace: ns, name: 'api-1' });
    assert.equal(ready.subsets?.[0]?.addresses?.[0]?.ip, pod1.status?.podIP);
    assert.equal(ready.subsets?.[0]?.addresses?.[0]?.targetRef?.name, 'api-1');
    assert.equal(ready.subsets?.[0]?.addresses?.[0]?.nodeName, pod1.spec?.nodeName);
    assert.equal(ready.subsets?.[0]?.notReadyAddresses?.[0]?.targetRef?.name, 'api-2');
  });

  it('drops pods that stop matching and removes the Endpoints with the Service', async () => {
    await c.core.patchNamespacedPod({ namespace: ns, name: 'api-2', body: { metadata: { labels: { app: 'other' } } } }, MERGE_PATCH);
    await eventually('api-2 dropped', async () => !(await endpoints()).subsets?.[0]?.notReadyAddresses);
    await c.core.deleteNamespacedService({ namespace: ns, name: 'api' });
    await eventually('endpoints gone', async () => (await c.core.listNamespacedEndpoints({ namespace: ns, fieldSelector: 'metadata.name=api' })).items.length === 0);
  });

  it('leaves Endpoints of a Service without selector alone', async () => {
    await c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'external' }, spec: { ports: [{ port: 5432 }] } } });
    await c.core.createNamespacedEndpoints({ namespace: ns, body: { metadata: { name: 'external' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 5432 }] }] } });
    // A later pod event in the namespace must not touch them.
    await c.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'noise', labels: { app: 'noise' } }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] } } });
    await eventually('noise scheduled', async () => Boolean((await c.core.readNamespacedPod({ namespace: ns, name: 'noise' })).status?.podIP));
    const ep = await c.core.readNamespacedEndpoints({ namespace: ns, name: 'external' });
    assert.equal(ep.subsets?.[0]?.addresses?.[0]?.ip, '192.0.2.10');
  });
});
