/**
 * The Session and Template controllers against the embedded control plane over HTTPS: every
 * transition of the session state machine, drift repair, the home volume's survival, failures
 * and their recovery, the cost in API writes, and what kubectl shows. The controllers run
 * in-process as an API client; the tests observe only through the API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import type { Template } from '../../src/apis/stream/v1alpha1/template.ts';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { ClaimKind, DeploymentKind, IngressKind, PodKind, ServiceKind, SessionKind, TemplateKind } from '../../src/controllers/kinds.ts';
import { homeClaimName, LABELS, SESSION_FINALIZER, userLabelValue } from '../../src/apis/stream/v1alpha1/naming.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import { kubectlFor } from '../support/kubectl.ts';
import {
  afterReconciles, createSession, createTemplate, eventReasons, listOf, read, session, setState, startControllerCluster,
  startControllers, templateSpec, waitForPhase, type ControllerTestCluster, type RunningControllers,
} from './support.ts';

const NS = 'team';

let cluster: ControllerTestCluster;
let controllers: RunningControllers;

before(async () => {
  cluster = await startControllerCluster([NS]);
  controllers = startControllers(cluster);
  await createTemplate(cluster.api, NS, 'firefox');
  await eventually('the template judged valid', async () => (await read<Template>(cluster.api, TemplateKind, NS, 'firefox'))?.status?.valid);
});

after(async () => {
  const stopped = await controllers.stop();
  await cluster.stop();
  assert.equal(stopped, undefined, `the manager stopped cleanly (${String(stopped)})`);
});

function child(kind: typeof DeploymentKind | typeof ServiceKind | typeof IngressKind, name: string): Promise<KubeObject | undefined> {
  return read(cluster.api, kind, NS, `ss-${name}`);
}

function writes(): number {
  return controllers.ctrl.objectRequests().writes;
}

function podsOf(name: string): Promise<KubeObject[]> {
  return listOf(cluster.api, PodKind, NS, `${LABELS.session}=${name}`);
}

describe('a running session', () => {
  test('becomes Running with a home claim, a hardened Deployment, a Service and an Ingress, all in at most 6 writes', async () => {
    const start = writes();
    await createSession(cluster.api, NS, 'alice-1', { user: 'alice', template: 'firefox', resources: { requests: { memory: '32Mi' } } });
    const s = await waitForPhase(cluster.api, NS, 'alice-1', 'Running');
    assert.ok(writes() - start <= 6, `reaching Running took ${writes() - start} writes`);
    assert.equal(s.status?.url, 'http://alice-1.streamspace.local/');
    assert.ok(s.status?.startedAt && s.status.podName?.startsWith('ss-alice-1-'));
    assert.deepEqual(s.status?.conditions?.map((c) => [c.type, c.status]), [['Ready', 'True'], ['TemplateValid', 'True'], ['HomeVolumeBound', 'True'], ['TemplateUpdateAvailable', 'False']]);
    assert.ok(s.metadata.finalizers?.includes(SESSION_FINALIZER));

    const deployment = (await child(DeploymentKind, 'alice-1'))!;
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    const owner = deployment.metadata.ownerReferences?.[0];
    assert.deepEqual(owner && [owner.kind, owner.uid, owner.controller, owner.blockOwnerDeletion], ['Session', s.metadata.uid, true, true]);
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(container.image, 'lscr.io/linuxserver/firefox:latest');
    assert.deepEqual(container.ports.map((p: any) => [p.name, p.containerPort]), [['stream', 3000]]);
    assert.deepEqual(container.env, [{ name: 'PUID', value: '1000' }, { name: 'TZ', value: 'Etc/UTC' }]);
    assert.deepEqual(container.resources, { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '1Gi' } }, 'session overrides merged over the template');
    assert.deepEqual(container.readinessProbe.tcpSocket, { port: 'stream' });
    assert.deepEqual([pod.securityContext.runAsNonRoot, pod.securityContext.runAsUser, pod.securityContext.fsGroup, pod.securityContext.seccompProfile.type], [true, 1000, 1000, 'RuntimeDefault']);
    assert.deepEqual([container.securityContext.allowPrivilegeEscalation, container.securityContext.capabilities.drop], [false, ['ALL']]);
    assert.deepEqual(container.volumeMounts, [{ name: 'user-home', mountPath: '/config' }]);
    assert.equal(pod.volumes[0].persistentVolumeClaim.claimName, homeClaimName('alice'));
    const labels = deployment.metadata.labels ?? {};
    assert.deepEqual([labels[LABELS.user], labels[LABELS.template], labels[LABELS.session]], [userLabelValue('alice'), 'firefox', 'alice-1']);

    const service = (await child(ServiceKind, 'alice-1'))!;
    assert.equal(service.metadata.ownerReferences?.[0].uid, s.metadata.uid);
    assert.deepEqual(service.spec.ports.map((p: any) => [p.name, p.port, p.targetPort]), [['stream', 3000, 'stream']]);
    const ingress = (await child(IngressKind, 'alice-1'))!;
    assert.equal(ingress.metadata.ownerReferences?.[0].uid, s.metadata.uid);
    assert.equal(ingress.spec.rules[0].host, 'alice-1.streamspace.local');
    assert.deepEqual(ingress.spec.rules[0].http.paths[0].backend, { service: { name: 'ss-alice-1', port: { name: 'stream' } } });

    const claim = (await read(cluster.api, ClaimKind, NS, homeClaimName('alice')))!;
    assert.equal(claim.metadata.ownerReferences, undefined, 'the home claim has no owner: it outlives sessions');
    assert.deepEqual([claim.spec.accessModes, claim.spec.resources.requests.storage], [['ReadWriteOnce'], '10Gi']);
    await eventually('Created and Started events', async () => {
      const reasons = await eventReasons(cluster.api, NS, 'alice-1');
      return reasons.includes('Created') && reasons.includes('Started');
    });
  });

  test('costs no API writes in steady state, even when reconciled again', async () => {
    await createSession(cluster.api, NS, 'alice-2', { user: 'alice', template: 'firefox' });
    await waitForPhase(cluster.api, NS, 'alice-2', 'Running');
    await eventually('the children\'s own status churn to settle', async () => (await podsOf('alice-2')).length === 1);
    const start = writes();
    // A Template change re-queues every session using it; a label someone adds to a Deployment is not drift.
    await afterReconciles(controllers.ctrl, 'session', 2, async () => {
      await cluster.api.patch({ ...TemplateKind, metadata: { namespace: NS, name: 'firefox' } }, mergePatch({ metadata: { annotations: { touched: '1' } } }));
      await cluster.api.patch({ ...DeploymentKind, metadata: { namespace: NS, name: 'ss-alice-2' } }, mergePatch({ metadata: { labels: { extra: 'yes' } } }));
    });
    assert.equal(writes() - start, 0, 'a reconcile of sessions that match their children writes nothing');
  });

  test('repairs drift: a deleted Service is re-created and a hand-edited image is restored', async () => {
    const original = (await child(ServiceKind, 'alice-1'))!;
    await cluster.api.delete(original);
    await eventually('the Service re-created', async () => {
      const now = await child(ServiceKind, 'alice-1');
      return now && now.metadata.uid !== original.metadata.uid;
    });
    await cluster.api.patch({ ...DeploymentKind, metadata: { namespace: NS, name: 'ss-alice-1' } },
      mergePatch({ spec: { template: { spec: { containers: [{ name: 'session', image: 'evil/miner:latest' }] } } } }));
    await eventually('the image restored', async () => (await child(DeploymentKind, 'alice-1'))?.spec.template.spec.containers[0].image === 'lscr.io/linuxserver/firefox:latest');
    await waitForPhase(cluster.api, NS, 'alice-1', 'Running');
  });

  test('takes back a child stripped of its managed-by label (the controller caches only labelled children)', async () => {
    const stripped = { metadata: { labels: { [LABELS.managedBy]: null } } };
    await cluster.api.patch({ ...DeploymentKind, metadata: { namespace: NS, name: 'ss-alice-1' } }, mergePatch(stripped));
    await cluster.api.patch({ ...ServiceKind, metadata: { namespace: NS, name: 'ss-alice-1' } }, mergePatch(stripped));
    await eventually('the labels restored', async () => {
      const [deployment, service] = [await child(DeploymentKind, 'alice-1'), await child(ServiceKind, 'alice-1')];
      return deployment?.metadata.labels?.[LABELS.managedBy] && service?.metadata.labels?.[LABELS.managedBy];
    });
    await waitForPhase(cluster.api, NS, 'alice-1', 'Running');
  });
});

describe('hibernation, waking and termination', () => {
  test('hibernating scales to zero and keeps Service, Ingress and home; waking scales back; each in at most 2 writes', async () => {
    await createSession(cluster.api, NS, 'carol-1', { user: 'carol', template: 'firefox' });
    const running = await waitForPhase(cluster.api, NS, 'carol-1', 'Running');
    let start = writes();
    await setState(cluster.api, NS, 'carol-1', 'hibernated');
    const hibernated = await waitForPhase(cluster.api, NS, 'carol-1', 'Hibernated');
    assert.ok(writes() - start <= 2, `hibernating took ${writes() - start} writes`);
    assert.ok(hibernated.status?.hibernatedAt);
    assert.equal((await child(DeploymentKind, 'carol-1'))?.spec.replicas, 0);
    assert.equal((await podsOf('carol-1')).length, 0, 'Hibernated only once no pod remains');
    assert.ok(await child(ServiceKind, 'carol-1'));
    assert.ok(await child(IngressKind, 'carol-1'));
    assert.ok(await read(cluster.api, ClaimKind, NS, homeClaimName('carol')));

    start = writes();
    await setState(cluster.api, NS, 'carol-1', 'running');
    const woken = await waitForPhase(cluster.api, NS, 'carol-1', 'Running');
    assert.ok(writes() - start <= 2, `waking took ${writes() - start} writes`);
    assert.equal((await child(DeploymentKind, 'carol-1'))?.spec.replicas, 1);
    assert.notEqual(woken.status?.podName, running.status?.podName, 'a new pod serves the woken session');
    await eventually('Hibernated and Woken events', async () => {
      const reasons = await eventReasons(cluster.api, NS, 'carol-1');
      return reasons.includes('Hibernated') && reasons.includes('Woken');
    });
  });

  test('terminating removes Deployment, Service and Ingress, keeps the home, and is final', async () => {
    await createSession(cluster.api, NS, 'dave-1', { user: 'dave', template: 'firefox' });
    await waitForPhase(cluster.api, NS, 'dave-1', 'Running');
    await setState(cluster.api, NS, 'dave-1', 'terminated');
    const terminated = await waitForPhase(cluster.api, NS, 'dave-1', 'Terminated');
    assert.equal(terminated.status?.url, undefined);
    assert.equal(await child(DeploymentKind, 'dave-1'), undefined);
    assert.equal(await child(ServiceKind, 'dave-1'), undefined);
    assert.equal(await child(IngressKind, 'dave-1'), undefined);
    assert.ok(await read(cluster.api, ClaimKind, NS, homeClaimName('dave')), 'the home claim survives termination');
    await afterReconciles(controllers.ctrl, 'session', 1, () => setState(cluster.api, NS, 'dave-1', 'running'));
    assert.equal((await session(cluster.api, NS, 'dave-1')).status?.phase, 'Terminated', 'Terminated is terminal');
    assert.equal(await child(DeploymentKind, 'dave-1'), undefined);
  });

  test('deleting a session removes its children through the finalizer; the home stays for the user\'s other sessions', async () => {
    await createSession(cluster.api, NS, 'erin-1', { user: 'erin', template: 'firefox' });
    await createSession(cluster.api, NS, 'erin-2', { user: 'erin', template: 'firefox' });
    await waitForPhase(cluster.api, NS, 'erin-1', 'Running');
    await waitForPhase(cluster.api, NS, 'erin-2', 'Running');
    const claims = (await listOf(cluster.api, ClaimKind, NS)).filter((c) => c.metadata.name === homeClaimName('erin'));
    assert.equal(claims.length, 1, 'one home claim per user, shared by the user\'s sessions');
    const running = await session(cluster.api, NS, 'erin-1');
    const seen: string[] = [];
    let watch: { abort(): void } | undefined;
    const deleted = new Promise<void>((resolve, reject) => {
      cluster.api.watch(SessionKind, { namespace: NS, fieldSelector: 'metadata.name=erin-1', resourceVersion: running.metadata.resourceVersion }, {
        onEvent: (type, obj: Session) => {
          seen.push(`${type}:${obj.status?.phase ?? ''}`);
          if (type === 'DELETED') resolve();
        },
        onDone: (err) => reject(err ?? new Error('watch ended before the session was deleted')),
      }).then((w) => { watch = w; }, reject);
    });
    await cluster.api.delete({ ...SessionKind, metadata: { namespace: NS, name: 'erin-1' } });
    await deleted;
    watch?.abort();
    assert.ok(seen.includes('MODIFIED:Terminated'), `the session said Terminated before it went (saw ${seen.join(', ')})`);
    assert.equal(seen.at(-1), 'DELETED:Terminated');
    assert.equal(await child(DeploymentKind, 'erin-1'), undefined);
    assert.equal(await child(ServiceKind, 'erin-1'), undefined);
    assert.equal(await child(IngressKind, 'erin-1'), undefined);
    assert.ok(await read(cluster.api, ClaimKind, NS, homeClaimName('erin')), 'the home claim survives deletion');
    assert.equal((await session(cluster.api, NS, 'erin-2')).status?.phase, 'Running');
  });

  test('users whose names sanitize alike never share a home volume', async () => {
    await createSession(cluster.api, NS, 'jd-dot', { user: 'john.doe', template: 'firefox' });
    await createSession(cluster.api, NS, 'jd-dash', { user: 'john-doe', template: 'firefox' });
    await waitForPhase(cluster.api, NS, 'jd-dot', 'Running');
    await waitForPhase(cluster.api, NS, 'jd-dash', 'Running');
    const claimOf = async (name: string): Promise<string> => (await child(DeploymentKind, name))!.spec.template.spec.volumes[0].persistentVolumeClaim.claimName;
    const [dot, dash] = [await claimOf('jd-dot'), await claimOf('jd-dash')];
    assert.notEqual(dot, dash);
    assert.ok(await read(cluster.api, ClaimKind, NS, dot));
    assert.ok(await read(cluster.api, ClaimKind, NS, dash));
  });
});

describe('failures and recovery', () => {
  test('a missing template fails the session, naming it; creating the template recovers it', async () => {
    await createSession(cluster.api, NS, 'frank-1', { user: 'frank', template: 'chromium' });
    const failed = await waitForPhase(cluster.api, NS, 'frank-1', 'Failed');
    assert.equal(failed.status?.reason, 'TemplateNotFound');
    assert.match(failed.status?.message ?? '', /Template "chromium" not found/);
    assert.equal(failed.status?.conditions?.find((c) => c.type === 'TemplateValid')?.status, 'False');
    await createTemplate(cluster.api, NS, 'chromium');
    await waitForPhase(cluster.api, NS, 'frank-1', 'Running');
  });

  test('an invalid template is marked invalid and fails its sessions until it is fixed', async () => {
    await createTemplate(cluster.api, NS, 'broken', templateSpec({ vnc: { enabled: false } }));
    const invalid = await eventually('the template judged', async () => {
      const t = await read<Template>(cluster.api, TemplateKind, NS, 'broken');
      return t?.status?.valid === false ? t : undefined;
    });
    assert.match(invalid.status?.message ?? '', /vnc\.enabled or webapp\.enabled/);
    assert.equal(invalid.status?.observedGeneration, invalid.metadata.generation);
    assert.deepEqual(invalid.status?.conditions?.map((c) => [c.type, c.status, c.reason]), [['Valid', 'False', 'InvalidSpec']]);
    await createSession(cluster.api, NS, 'grace-1', { user: 'grace', template: 'broken' });
    const failed = await waitForPhase(cluster.api, NS, 'grace-1', 'Failed');
    assert.equal(failed.status?.reason, 'TemplateInvalid');
    assert.match(failed.status?.message ?? '', /Template "broken" is invalid: .*vnc\.enabled/);
    await cluster.api.patch({ ...TemplateKind, metadata: { namespace: NS, name: 'broken' } }, mergePatch({ spec: { vnc: { enabled: true } } }));
    await eventually('the template valid again', async () => (await read<Template>(cluster.api, TemplateKind, NS, 'broken'))?.status?.valid === true);
    await waitForPhase(cluster.api, NS, 'grace-1', 'Running');
  });

  test('a pod that cannot start fails the session; it recovers once the image can be pulled', async () => {
    await rawRequest(cluster.cp, 'PUT', '/debug/simulation', { failImages: ['unpullable'], backoffBaseMs: 20, backoffMaxMs: 100 });
    await createTemplate(cluster.api, NS, 'unpullable', templateSpec({ baseImage: 'example.com/unpullable:1' }));
    await createSession(cluster.api, NS, 'heidi-1', { user: 'heidi', template: 'unpullable' });
    const failed = await waitForPhase(cluster.api, NS, 'heidi-1', 'Failed');
    assert.match(failed.status?.reason ?? '', /ErrImagePull|ImagePullBackOff/);
    await eventually('a Failed warning event', async () => (await eventReasons(cluster.api, NS, 'heidi-1')).includes('Failed'));
    await rawRequest(cluster.cp, 'PUT', '/debug/simulation', { failImages: [] });
    await waitForPhase(cluster.api, NS, 'heidi-1', 'Running', { timeoutMs: 20_000 });
  });
});

describe('kubectl', () => {
  test('`kubectl get ss` shows the printer columns and `kubectl explain session.spec` documents the fields', async () => {
    const kubectl = kubectlFor(cluster.kubeconfigPath, cluster.tmp);
    await waitForPhase(cluster.api, NS, 'alice-1', 'Running');
    const table = await kubectl.ok(['get', 'ss', '-n', NS]);
    const [header, ...rows] = table.trim().split('\n');
    assert.deepEqual(header.split(/\s+/), ['NAME', 'USER', 'TEMPLATE', 'STATE', 'PHASE', 'URL', 'AGE']);
    const alice = rows.find((r) => r.startsWith('alice-1 '))?.split(/\s+/);
    assert.deepEqual(alice?.slice(0, 6), ['alice-1', 'alice', 'firefox', 'running', 'Running', 'http://alice-1.streamspace.local/']);
    const explain = await kubectl.ok(['explain', 'session.spec']);
    for (const field of ['user', 'template', 'state', 'persistentHome', 'idleTimeout', 'maxSessionDuration']) {
      assert.match(explain, new RegExp(`^\\s+${field}\\s`, 'm'), `explain lists ${field}`);
    }
    assert.match(explain, /Name of the user who owns the session/);
  });
});

describe('metrics', () => {
  test('count sessions by phase, starts, hibernations and wakes', async () => {
    const registry = controllers.ctrl.manager.getRegistry();
    const value = async (name: string, labels: Record<string, string> = {}): Promise<number> => {
      const data = await registry.getSingleMetric(name.replace(/_count$/, ''))!.get();
      return data.values
        .filter((v) => ((v as { metricName?: string }).metricName ?? name) === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l))
        .reduce((sum, v) => sum + v.value, 0);
    };
    const sessions = (await listOf(cluster.api, SessionKind, NS)) as Session[];
    assert.equal(await value('streamspace_sessions', { phase: 'Running' }), sessions.filter((s) => s.status?.phase === 'Running').length);
    assert.equal(await value('streamspace_sessions', { phase: 'Terminated' }), 1);
    assert.ok(await value('streamspace_session_starts_total', { template: 'firefox' }) >= 5);
    assert.equal(await value('streamspace_session_hibernations_total', { reason: 'user' }), 1);
    assert.equal(await value('streamspace_session_wakes_total'), 1);
    assert.ok(await value('streamspace_session_time_to_running_seconds_count', { trigger: 'wake' }) >= 1);
  });
});
