/**
 * Sessions and the lifecycle of their Template, over HTTPS against the embedded control plane
 * (issue 24, items 2 and 6): a running session keeps the template revision it started with until
 * it next starts, says when a newer one waits, and hibernates, terminates and is deleted after
 * its Template is gone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import type { Template } from '../../src/apis/stream/v1alpha1/template.ts';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { DeploymentKind, PodKind, ServiceKind, SessionKind, TemplateKind } from '../../src/controllers/kinds.ts';
import { LABELS } from '../../src/apis/stream/v1alpha1/naming.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import { eventually } from '../support/control-plane.ts';
import {
  createSession, createTemplate, listOf, read, session, setState, startControllerCluster, startControllers,
  templateSpec, waitForPhase, type ControllerTestCluster, type RunningControllers,
} from './support.ts';

const NS = 'team';
const OLD_IMAGE = 'lscr.io/linuxserver/firefox:1.0';
const NEW_IMAGE = 'lscr.io/linuxserver/firefox:2.0';

let cluster: ControllerTestCluster;
let controllers: RunningControllers;

before(async () => {
  cluster = await startControllerCluster([NS]);
  controllers = startControllers(cluster);
});

after(async () => {
  const stopped = await controllers.stop();
  await cluster.stop();
  assert.equal(stopped, undefined, `the manager stopped cleanly (${String(stopped)})`);
});

function writes(): number {
  return controllers.ctrl.objectRequests().writes;
}

async function podsOf(name: string): Promise<KubeObject[]> {
  return (await listOf(cluster.api, PodKind, NS, `${LABELS.session}=${name}`)).filter((p) => !p.metadata.deletionTimestamp);
}

async function imageOf(name: string): Promise<string | undefined> {
  return (await read(cluster.api, DeploymentKind, NS, `ss-${name}`))?.spec.template.spec.containers[0].image;
}

function conditionOf(s: Session | undefined, type: string) {
  return s?.status?.conditions?.find((c) => c.type === type);
}

/** Waits until the session's condition `type` has `status` (and `reason`, when given). */
function waitForCondition(name: string, type: string, status: string, reason?: string): Promise<Session> {
  return eventually(`session ${name}: ${type}=${status}${reason ? ` (${reason})` : ''}`, async () => {
    const s = await read<Session>(cluster.api, SessionKind, NS, name);
    const c = conditionOf(s, type);
    return c?.status === status && (!reason || c.reason === reason) ? s : undefined;
  });
}

function patchTemplate(name: string, spec: Record<string, unknown>): Promise<unknown> {
  return cluster.api.patch({ ...TemplateKind, metadata: { namespace: NS, name } }, mergePatch({ spec }));
}

describe('editing a Template', () => {
  test('leaves running sessions on the revision they started with, says an update waits, and applies it at the next start', async () => {
    await createTemplate(cluster.api, NS, 'editable', templateSpec({ baseImage: OLD_IMAGE }));
    await createSession(cluster.api, NS, 'ed-1', { user: 'ed', template: 'editable' });
    await createSession(cluster.api, NS, 'flo-1', { user: 'flo', template: 'editable' });
    const started = await waitForPhase(cluster.api, NS, 'ed-1', 'Running');
    await waitForPhase(cluster.api, NS, 'flo-1', 'Running');
    assert.equal(conditionOf(started, 'TemplateUpdateAvailable')?.status, 'False');
    const [edPod] = await podsOf('ed-1');
    const [floPod] = await podsOf('flo-1');

    // A catalog-only change is not an update of the workload.
    await patchTemplate('editable', { description: 'Firefox, now described' });
    await eventually('the Template controller to observe generation 2', async () =>
      (await read<Template>(cluster.api, TemplateKind, NS, 'editable'))?.status?.observedGeneration === 2);
    const start = writes();
    await patchTemplate('editable', { baseImage: NEW_IMAGE });
    const waiting = await waitForCondition('ed-1', 'TemplateUpdateAvailable', 'True', 'TemplateChanged');
    await waitForCondition('flo-1', 'TemplateUpdateAvailable', 'True', 'TemplateChanged');
    assert.match(conditionOf(waiting, 'TemplateUpdateAvailable')?.message ?? '', /Template "editable" changed \(generation 1 → 3\).*next starts/);
    assert.equal(waiting.status?.phase, 'Running');
    // One status write per session, and the Template controller's own status write; no Deployment is touched.
    assert.ok(writes() - start <= 3, `reporting the update took ${writes() - start} writes`);
    assert.equal(await imageOf('ed-1'), OLD_IMAGE);
    assert.equal(await imageOf('flo-1'), OLD_IMAGE);
    assert.deepEqual((await podsOf('ed-1')).map((p) => p.metadata.uid), [edPod.metadata.uid], 'the open desktop keeps its pod');
    assert.deepEqual((await podsOf('flo-1')).map((p) => p.metadata.uid), [floPod.metadata.uid]);

    // Hibernating keeps the recorded revision (only the replica count changes); waking takes the new one.
    await setState(cluster.api, NS, 'ed-1', 'hibernated');
    await waitForPhase(cluster.api, NS, 'ed-1', 'Hibernated');
    assert.equal(await imageOf('ed-1'), OLD_IMAGE);
    await setState(cluster.api, NS, 'ed-1', 'running');
    const woken = await waitForPhase(cluster.api, NS, 'ed-1', 'Running');
    assert.equal(await imageOf('ed-1'), NEW_IMAGE);
    assert.equal(conditionOf(woken, 'TemplateUpdateAvailable')?.status, 'False');
    assert.equal((await podsOf('ed-1'))[0]?.spec.containers[0].image, NEW_IMAGE);

    // The other session is still untouched, and a lost pod comes back as it was.
    assert.equal(conditionOf(await session(cluster.api, NS, 'flo-1'), 'TemplateUpdateAvailable')?.status, 'True');
    await cluster.api.delete(floPod);
    const replaced = await eventually('flo-1 to get a new pod', async () => {
      const pods = await podsOf('flo-1');
      return pods.length === 1 && pods[0].metadata.uid !== floPod.metadata.uid ? pods[0] : undefined;
    });
    assert.equal(replaced.spec.containers[0].image, OLD_IMAGE, 'a replaced pod runs the recorded revision');
    await waitForPhase(cluster.api, NS, 'flo-1', 'Running');
    assert.equal(await imageOf('flo-1'), OLD_IMAGE, 'a session coming back from a lost pod is not a new start');
  });

  test('a hand-edited Deployment is still put back to the recorded revision, not the newer template', async () => {
    await waitForPhase(cluster.api, NS, 'flo-1', 'Running');
    await cluster.api.patch({ ...DeploymentKind, metadata: { namespace: NS, name: 'ss-flo-1' } },
      mergePatch({ spec: { template: { spec: { containers: [{ name: 'session', image: 'evil/miner:latest' }] } } } }));
    await eventually('the recorded image restored', async () => (await imageOf('flo-1')) === OLD_IMAGE);
  });
});

describe('deleting a Template in use', () => {
  test('running sessions run on and say so; they hibernate, terminate and are deleted without it; a wake waits for it', async () => {
    await createTemplate(cluster.api, NS, 'doomed');
    for (const name of ['gil-1', 'hal-1', 'ivy-1']) await createSession(cluster.api, NS, name, { user: name.slice(0, 3), template: 'doomed' });
    for (const name of ['gil-1', 'hal-1', 'ivy-1']) await waitForPhase(cluster.api, NS, name, 'Running');
    const [gilPod] = await podsOf('gil-1');

    await cluster.api.delete({ ...TemplateKind, metadata: { namespace: NS, name: 'doomed' } });
    const orphan = await waitForCondition('gil-1', 'TemplateValid', 'False', 'TemplateNotFound');
    assert.equal(orphan.status?.phase, 'Running', 'the session runs on (and counts against its quota as running)');
    assert.match(conditionOf(orphan, 'TemplateValid')?.message ?? '', /Template "doomed" not found.*keeps what it started with.*cannot start again/);
    assert.deepEqual((await podsOf('gil-1')).map((p) => p.metadata.uid), [gilPod.metadata.uid]);

    await setState(cluster.api, NS, 'gil-1', 'hibernated');
    const hibernated = await waitForPhase(cluster.api, NS, 'gil-1', 'Hibernated');
    assert.equal((await read(cluster.api, DeploymentKind, NS, 'ss-gil-1'))?.spec.replicas, 0);
    assert.equal((await podsOf('gil-1')).length, 0, 'no pod runs outside the quota');
    assert.equal(conditionOf(hibernated, 'TemplateValid')?.reason, 'TemplateNotFound');

    await setState(cluster.api, NS, 'hal-1', 'terminated');
    await waitForPhase(cluster.api, NS, 'hal-1', 'Terminated');
    assert.equal(await read(cluster.api, DeploymentKind, NS, 'ss-hal-1'), undefined);
    assert.equal(await read(cluster.api, ServiceKind, NS, 'ss-hal-1'), undefined);

    await cluster.api.delete({ ...SessionKind, metadata: { namespace: NS, name: 'ivy-1' } });
    await eventually('ivy-1 gone with its children', async () =>
      !(await read(cluster.api, SessionKind, NS, 'ivy-1')) && !(await read(cluster.api, DeploymentKind, NS, 'ss-ivy-1')));

    // Waking needs the template: it fails naming it, without a pod, and recovers once it exists again.
    await setState(cluster.api, NS, 'gil-1', 'running');
    const failed = await waitForPhase(cluster.api, NS, 'gil-1', 'Failed');
    assert.equal(failed.status?.reason, 'TemplateNotFound');
    assert.equal((await podsOf('gil-1')).length, 0);
    await createTemplate(cluster.api, NS, 'doomed', templateSpec({ baseImage: NEW_IMAGE }));
    await waitForPhase(cluster.api, NS, 'gil-1', 'Running');
    assert.equal(await imageOf('gil-1'), NEW_IMAGE);
  });
});
