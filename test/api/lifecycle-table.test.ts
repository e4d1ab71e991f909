/**
 * The session lifecycle as a table: every phase a session can be in × every operation a user or an
 * admin can apply to it, through the door they would use (the API for state changes and deletes,
 * the real kubectl, deletion of the namespace). The whole platform runs as `streamspace up` runs
 * it: the embedded control plane, the controllers with StreamSpace's admission webhooks, the API.
 * Each row asserts the end state, the children (Deployment, Service, route, pods), the home volume,
 * and that nothing is left stuck (no Session held by its finalizer, no namespace left Terminating).
 *
 * How each phase is reached, for real:
 * - Running, Hibernated, Terminated: through the API;
 * - Failed: a template whose image the simulated kubelet cannot pull;
 * - Pending: a Running session whose pod is lost while no node accepts a new one (all cordoned).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { ClaimKind, DeploymentKind, IngressKind, PodKind, ServiceKind, SessionKind } from '../../src/controllers/kinds.ts';
import { createControllerProcess } from '../../src/cli/controller-process.ts';
import { homeClaimName, LABELS } from '../../src/apis/stream/v1alpha1/naming.ts';
import { readControllerSettings } from '../../src/controllers/settings.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import type { KindRef } from '../../src/runtime/resources.ts';
import { startWebhookServer } from '../controlplane/admission-webhook-server.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import { kubectlFor, type Kubectl } from '../support/kubectl.ts';
import { createTemplate, read, templateSpec } from '../controllers/support.ts';
import { ADMIN_PASSWORD, NAMESPACE, startApiHarness, type ApiHarness } from './harness.ts';

const PHASES = ['Pending', 'Running', 'Hibernated', 'Failed', 'Terminated'] as const;
const OPERATIONS = ['hibernate', 'wake', 'terminate', 'delete via the API', 'delete via kubectl', 'delete of its namespace'] as const;
type Phase = (typeof PHASES)[number];
type Operation = (typeof OPERATIONS)[number];

const USER = 'lee';
/** Images under this registry fail to pull in the simulated cluster. */
const BROKEN_IMAGE = 'registry.invalid/broken:1';
const NodeKind: KindRef = { apiVersion: 'v1', kind: 'Node' };
const NamespaceKind: KindRef = { apiVersion: 'v1', kind: 'Namespace' };

let h: ApiHarness;
let kubectl: Kubectl;
let token: string;
const stopControllers = new AbortController();
let controllers: Promise<unknown> = Promise.resolve();

before(async () => {
  h = await startApiHarness();
  await rawRequest(h.cluster.cp, 'PUT', '/debug/simulation', {
    podStartDelayMs: 5, podReadyDelayMs: 5, podStopDelayMs: 5, failImages: ['^registry\\.invalid/'],
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(h.cluster.cp.kubeconfig);
  const settings = readControllerSettings([], { STREAMSPACE_LEADER_ELECT: 'false', STREAMSPACE_METRICS_BIND_ADDRESS: '127.0.0.1', STREAMSPACE_METRICS_PORT: '0' });
  const ctrl = createControllerProcess({
    kubeConfig, settings, http: false, logger: pino({ level: 'silent' }), webhooks: { port: 0 },
    cache: { backoffInitialMs: 50, backoffMaxMs: 500 },
  });
  controllers = ctrl.start(stopControllers.signal).catch((err: unknown) => err);
  for (const plural of ['validatingwebhookconfigurations', 'mutatingwebhookconfigurations']) {
    await eventually(`${plural} registered`, async () => (await rawRequest(h.cluster.cp, 'GET', `/apis/admissionregistration.k8s.io/v1/${plural}`)).json?.items?.length > 0);
  }
  const admin = await h.login('admin', ADMIN_PASSWORD);
  await h.createTemplate('desktop', admin, { ...templateSpec() });
  await h.createTemplate('broken', admin, { ...templateSpec({ baseImage: BROKEN_IMAGE }) });
  token = await h.userToken(USER);
  kubectl = kubectlFor(h.cluster.kubeconfigPath, h.cluster.tmp);
});

after(async () => {
  stopControllers.abort();
  await controllers;
  await h?.stop();
});

/** Where a row's session lives and how it was made. */
interface Row {
  namespace: string;
  name: string;
}

function phaseOf(row: Row): Promise<string | undefined> {
  return read<Session>(h.kube, SessionKind, row.namespace, row.name).then((s) => s?.status?.phase);
}

function waitForPhase(row: Row, phase: string): Promise<Session> {
  return eventually(`${row.namespace}/${row.name} to be ${phase}`, async () => {
    const s = await read<Session>(h.kube, SessionKind, row.namespace, row.name);
    return s?.status?.phase === phase ? s : undefined;
  }, 20_000);
}

async function podsOf(row: Row) {
  return (await h.kube.list(PodKind, { namespace: row.namespace, labelSelector: `${LABELS.session}=${row.name}` })).items;
}

async function setNodesUnschedulable(unschedulable: boolean): Promise<void> {
  for (const node of (await h.kube.list(NodeKind, {})).items) {
    await h.kube.patch(node, mergePatch({ spec: { unschedulable: unschedulable || null } }));
  }
}

/** Creates the row's session: through the API in the API's namespace, or as kubectl would in a namespace of its own. */
async function createRowSession(index: number, phase: Phase, operation: Operation): Promise<Row> {
  const template = phase === 'Failed' ? 'broken' : 'desktop';
  if (operation !== 'delete of its namespace') {
    const created = await h.request('POST', '/api/v1/sessions', { token, body: { template } });
    assert.equal(created.status, 202, created.text);
    return { namespace: NAMESPACE, name: created.json.metadata.name as string };
  }
  const namespace = `row-${index}`;
  await h.kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await createTemplate(h.kube, namespace, template, templateSpec(phase === 'Failed' ? { baseImage: BROKEN_IMAGE } : {}));
  const name = `row-${index}`;
  await h.kube.create({ apiVersion: SessionKind.apiVersion, kind: 'Session', metadata: { name, namespace }, spec: { user: USER, template } });
  return { namespace, name };
}

function setState(row: Row, state: string): Promise<Session> {
  return h.kube.patch<Session>({ ...SessionKind, metadata: { namespace: row.namespace, name: row.name } }, mergePatch({ spec: { state } }));
}

/** Brings a new session of the row into `phase`. */
async function bringTo(row: Row, phase: Phase): Promise<void> {
  if (phase === 'Failed') {
    await waitForPhase(row, 'Failed');
    return;
  }
  await waitForPhase(row, 'Running');
  if (phase === 'Hibernated' || phase === 'Terminated') {
    await setState(row, phase === 'Hibernated' ? 'hibernated' : 'terminated');
    await waitForPhase(row, phase);
  } else if (phase === 'Pending') {
    await setNodesUnschedulable(true);
    for (const pod of await podsOf(row)) await h.kube.delete(pod);
    await waitForPhase(row, 'Pending');
  }
}

/** Asks for a state through the API; returns the HTTP status. */
async function askState(row: Row, state: string): Promise<{ status: number; text: string }> {
  if (row.namespace === NAMESPACE) return h.request('PATCH', `/api/v1/sessions/${row.name}`, { token, body: { state } });
  try {
    await setState(row, state);
    return { status: 202, text: '' };
  } catch (err) {
    return { status: (err as { code: number }).code, text: String(err) };
  }
}

async function child(kind: KindRef, row: Row) {
  return read(h.kube, kind, row.namespace, `ss-${row.name}`);
}

async function assertHomeKept(row: Row): Promise<void> {
  assert.ok(await read(h.kube, ClaimKind, row.namespace, homeClaimName(USER)), 'the home volume is kept');
}

async function assertWorkloadGone(row: Row): Promise<void> {
  await eventually('the Deployment, Service, route and pods removed', async () =>
    !(await child(DeploymentKind, row)) && !(await child(ServiceKind, row)) && !(await child(IngressKind, row)) && (await podsOf(row)).length === 0);
}

async function assertGone(row: Row): Promise<void> {
  await eventually(`${row.namespace}/${row.name} removed`, async () => !(await read(h.kube, SessionKind, row.namespace, row.name)), 15_000);
  await assertWorkloadGone(row);
  await assertHomeKept(row);
}

async function assertRefused(row: Row, state: string, before: string | undefined): Promise<void> {
  const answer = await askState(row, state);
  assert.ok(answer.status >= 400 && answer.status < 500, `asking a terminated session for ${state}: ${answer.status} ${answer.text}`);
  assert.match(answer.text, /terminated/);
  assert.equal(await phaseOf(row), before);
}

async function hibernate(row: Row, phase: Phase): Promise<void> {
  if (phase === 'Terminated') return assertRefused(row, 'hibernated', 'Terminated');
  assert.equal((await askState(row, 'hibernated')).status, 202);
  await waitForPhase(row, 'Hibernated');
  assert.equal((await child(DeploymentKind, row))?.spec.replicas, 0);
  assert.equal((await podsOf(row)).length, 0, 'no pod remains');
  assert.ok(await child(ServiceKind, row), 'the Service stays for the wake');
  await assertHomeKept(row);
}

async function wake(row: Row, phase: Phase): Promise<void> {
  if (phase === 'Terminated') return assertRefused(row, 'running', 'Terminated');
  assert.equal((await askState(row, 'running')).status, 202);
  if (phase === 'Failed') {
    // The image still cannot be pulled: the session stays Failed with the pull error, not stuck.
    const failed = await waitForPhase(row, 'Failed');
    assert.match(String(failed.status?.reason), /ImagePull/);
    return;
  }
  if (phase === 'Pending') await setNodesUnschedulable(false);
  await waitForPhase(row, 'Running');
  assert.equal((await child(DeploymentKind, row))?.spec.replicas, 1);
  await assertHomeKept(row);
}

async function terminate(row: Row): Promise<void> {
  assert.equal((await askState(row, 'terminated')).status, 202);
  await waitForPhase(row, 'Terminated');
  await assertWorkloadGone(row);
  await assertHomeKept(row);
}

async function deleteViaApi(row: Row): Promise<void> {
  const answer = await h.request('DELETE', `/api/v1/sessions/${row.name}`, { token });
  assert.equal(answer.status, 202, answer.text);
  await assertGone(row);
}

async function deleteViaKubectl(row: Row): Promise<void> {
  // kubectl waits for the finalizer by default: it returns only once the Session is gone.
  await kubectl.ok(['delete', 'ss', row.name, '-n', row.namespace, '--timeout=30s']);
  await assertGone(row);
}

async function deleteNamespace(row: Row): Promise<void> {
  await kubectl.ok(['delete', 'namespace', row.namespace, '--timeout=30s']);
  assert.equal(await read(h.kube, NamespaceKind, '', row.namespace), undefined, 'the namespace finished deleting');
  assert.equal(await read(h.kube, SessionKind, row.namespace, row.name), undefined);
}

async function apply(row: Row, phase: Phase, operation: Operation): Promise<void> {
  switch (operation) {
    case 'hibernate': return hibernate(row, phase);
    case 'wake': return wake(row, phase);
    case 'terminate': return terminate(row);
    case 'delete via the API': return deleteViaApi(row);
    case 'delete via kubectl': return deleteViaKubectl(row);
    case 'delete of its namespace': return deleteNamespace(row);
  }
}

describe('every phase × every operation ends where it should, with nothing stuck', () => {
  let index = 0;
  for (const phase of PHASES) {
    for (const operation of OPERATIONS) {
      const rowIndex = index++;
      it(`${phase} session, ${operation}`, async () => {
        const row = await createRowSession(rowIndex, phase, operation);
        try {
          await bringTo(row, phase);
          await apply(row, phase, operation);
        } finally {
          if (phase === 'Pending') await setNodesUnschedulable(false);
        }
      });
    }
  }
});

describe('other doors and stubborn refusals', () => {
  it('a Running session owned by another object goes with its owner (garbage collector cascade), home kept', async () => {
    const owner = await h.kube.create<KubeObject>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'session-owner', namespace: NAMESPACE }, data: {} });
    const row = { namespace: NAMESPACE, name: 'owned-1' };
    await h.kube.create({
      apiVersion: SessionKind.apiVersion, kind: 'Session',
      metadata: { ...row, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'session-owner', uid: owner.metadata.uid!, blockOwnerDeletion: true }] },
      spec: { user: USER, template: 'desktop' },
    });
    await waitForPhase(row, 'Running');
    await kubectl.ok(['delete', 'configmap', 'session-owner', '-n', NAMESPACE, '--cascade=foreground', '--timeout=30s']);
    await assertGone(row);
  });

  it('a write the API server keeps refusing is shown on the session as a Warning Event and a condition, then clears', async () => {
    const hooks = await startWebhookServer();
    try {
      // A policy of someone else's: Sessions may not lose finalizers. The controller's cleanup is refused.
      hooks.handle('/deny', (review) => {
        const lost = (review.request.oldObject?.metadata.finalizers ?? []).length > (review.request.object?.metadata.finalizers ?? []).length;
        return { response: { allowed: !lost, status: lost ? { code: 403, message: 'finalizers are frozen by policy' } : undefined } };
      });
      await h.kube.create({
        apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'freeze-finalizers' },
        webhooks: [{
          name: 'freeze.finalizers.test', clientConfig: { url: hooks.url('/deny'), caBundle: hooks.caBundle }, sideEffects: 'None', admissionReviewVersions: ['v1'],
          rules: [{ apiGroups: ['stream.streamspace.io'], apiVersions: ['v1alpha1'], resources: ['sessions'], operations: ['UPDATE'] }],
        }],
      });
      const created = await h.request('POST', '/api/v1/sessions', { token, body: { template: 'desktop' } });
      const row = { namespace: NAMESPACE, name: created.json.metadata.name as string };
      await waitForPhase(row, 'Running');
      assert.equal((await h.request('DELETE', `/api/v1/sessions/${row.name}`, { token })).status, 202);
      const stuck = await eventually('the refusal on the session', async () => {
        const s = await read<Session>(h.kube, SessionKind, row.namespace, row.name);
        const c = s?.status?.conditions?.find((x) => x.type === 'Reconciled');
        return c?.status === 'False' ? c : undefined;
      }, 15_000);
      assert.equal(stuck.reason, 'WriteRefused');
      assert.match(stuck.message ?? '', /finalizers are frozen by policy/);
      const events = (await h.kube.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: NAMESPACE })).items
        .filter((e: any) => e.involvedObject?.name === row.name && e.reason === 'WriteRefused');
      assert.equal(events.length, 1, 'one aggregated Warning Event');
      assert.equal((events[0] as any).type, 'Warning');
      assert.match((events[0] as any).message, /freeze\.finalizers\.test.*finalizers are frozen by policy/);

      await h.kube.delete({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'freeze-finalizers' } });
      await assertGone(row);
    } finally {
      await hooks.stop();
    }
  });
});
