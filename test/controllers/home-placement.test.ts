/**
 * One user's sessions share a ReadWriteOnce home volume (issue 24, item 7), over HTTPS against
 * the embedded control plane: the simulated cluster refuses to attach such a volume on a second
 * node, as kubelets and the attach/detach controller do (the pod stays ContainerCreating with a
 * Multi-Attach FailedAttachVolume event), and the platform places a user's session pods on the
 * node already holding their home (required pod affinity, which a real scheduler honours too).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { ClaimKind, PodKind } from '../../src/controllers/kinds.ts';
import { homeClaimName, LABELS } from '../../src/apis/stream/v1alpha1/naming.ts';
import { eventually } from '../support/control-plane.ts';
import {
  createSession, createTemplate, listOf, read, startControllerCluster, startControllers, waitForPhase,
  type ControllerTestCluster, type RunningControllers,
} from './support.ts';

const NS = 'team';

let cluster: ControllerTestCluster;
let controllers: RunningControllers;

before(async () => {
  cluster = await startControllerCluster([NS]);
  controllers = startControllers(cluster);
  await createTemplate(cluster.api, NS, 'firefox');
});

after(async () => {
  const stopped = await controllers.stop();
  await cluster.stop();
  assert.equal(stopped, undefined, `the manager stopped cleanly (${String(stopped)})`);
});

function createClaim(name: string, accessMode: string): Promise<KubeObject> {
  return cluster.api.create({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: NS },
    spec: { accessModes: [accessMode], resources: { requests: { storage: '1Gi' } } },
  });
}

/** A pod on `node` (bypassing the scheduler, as a DaemonSet's would) mounting `claim`. */
function createPod(name: string, node: string, claim: string): Promise<KubeObject> {
  return cluster.api.create({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS },
    spec: {
      nodeName: node,
      containers: [{ name: 'app', image: 'busybox:1.36', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }],
    },
  });
}

function pod(name: string): Promise<KubeObject | undefined> {
  return read(cluster.api, PodKind, NS, name);
}

function waitForPodPhase(name: string, phase: string): Promise<KubeObject> {
  return eventually(`pod ${name} to be ${phase}`, async () => {
    const p = await pod(name);
    return p?.status?.phase === phase ? p : undefined;
  });
}

async function eventsAbout(name: string): Promise<KubeObject[]> {
  return (await listOf(cluster.api, { apiVersion: 'v1', kind: 'Event' }, NS)).filter((e) => e.involvedObject?.name === name);
}

// First, on an empty cluster: the scheduler would spread the two sessions over two nodes.
describe('a user\'s sessions', () => {
  test('run on the node holding their home, so a second session does not wait for a Multi-Attach', async () => {
    const claim = homeClaimName('kim');
    await createSession(cluster.api, NS, 'kim-1', { user: 'kim', template: 'firefox' });
    await waitForPhase(cluster.api, NS, 'kim-1', 'Running');
    await createSession(cluster.api, NS, 'kim-2', { user: 'kim', template: 'firefox' });
    await createSession(cluster.api, NS, 'kim-3', { user: 'kim', template: 'firefox', persistentHome: false });
    await waitForPhase(cluster.api, NS, 'kim-2', 'Running');
    await waitForPhase(cluster.api, NS, 'kim-3', 'Running');

    const podOf = async (session: string) => (await listOf(cluster.api, PodKind, NS, `${LABELS.session}=${session}`))[0];
    const [first, second, homeless] = [await podOf('kim-1'), await podOf('kim-2'), await podOf('kim-3')];
    assert.equal(second.spec.nodeName, first.spec.nodeName, 'the second session shares the node its home is attached to');
    const term = second.spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.[0];
    assert.deepEqual(term, { labelSelector: { matchLabels: { 'stream.streamspace.io/home-claim': claim } }, topologyKey: 'kubernetes.io/hostname' });
    assert.equal(second.metadata.labels?.['stream.streamspace.io/home-claim'], claim);
    assert.equal(homeless.spec.affinity, undefined, 'a session without the home is placed freely');
    for (const name of [first.metadata.name!, second.metadata.name!]) {
      assert.ok(!(await eventsAbout(name)).some((e) => e.reason === 'FailedAttachVolume'), `${name} never waited for its home`);
    }
  });
});

describe('the simulated cluster', () => {
  test('refuses a ReadWriteOnce volume on a second node until the first pod is gone', async () => {
    await createClaim('shared-rwo', 'ReadWriteOnce');
    await createPod('holder', 'node-1', 'shared-rwo');
    await waitForPodPhase('holder', 'Running');
    await createPod('latecomer', 'node-2', 'shared-rwo');
    const refused = await eventually('a FailedAttachVolume event', async () =>
      (await eventsAbout('latecomer')).find((e) => e.reason === 'FailedAttachVolume'));
    const volume = (await read(cluster.api, ClaimKind, NS, 'shared-rwo'))?.spec.volumeName;
    assert.equal(refused.type, 'Warning');
    assert.equal(refused.message, `Multi-Attach error for volume "${volume}" Volume is already used by pod(s) holder`);
    assert.equal(refused.source?.component, 'attachdetach-controller');
    const stuck = (await pod('latecomer'))!;
    assert.equal(stuck.status?.phase, 'Pending');
    assert.equal(stuck.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');

    await cluster.api.delete({ ...PodKind, metadata: { namespace: NS, name: 'holder' } });
    await waitForPodPhase('latecomer', 'Running');
  });

  test('schedules by required pod affinity, and says so when no node has a matching pod', async () => {
    const affinity = (value: string) => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: { matchLabels: { group: value } }, topologyKey: 'kubernetes.io/hostname' }] } });
    const create = (name: string, labels: Record<string, string>, value: string, node?: string) => cluster.api.create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels },
      spec: { ...(node ? { nodeName: node } : {}), affinity: affinity(value), containers: [{ name: 'app', image: 'busybox:1.36' }] },
    });
    await create('anchor', { group: 'g' }, 'g', 'node-3');
    await create('follower', { group: 'g' }, 'g');
    assert.equal((await waitForPodPhase('follower', 'Running')).spec.nodeName, 'node-3');
    await create('loner', {}, 'nobody');
    const refused = await eventually('loner unschedulable', async () => {
      const scheduled = (await pod('loner'))?.status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled');
      return scheduled?.reason === 'Unschedulable' ? scheduled : undefined;
    });
    assert.equal(refused.message, "0/3 nodes are available: 3 node(s) didn't match pod affinity rules.");
  });

  test('attaches a ReadWriteMany volume on several nodes', async () => {
    await createClaim('shared-rwx', 'ReadWriteMany');
    await createPod('rwx-1', 'node-1', 'shared-rwx');
    await createPod('rwx-2', 'node-2', 'shared-rwx');
    await waitForPodPhase('rwx-1', 'Running');
    await waitForPodPhase('rwx-2', 'Running');
  });
});
