/**
 * The SessionQuota webhook end to end: the real control plane calls the webhook server for every
 * Session write; the tests write through kubectl (checking the exact stderr a user sees) and
 * @kubernetes/client-node. Covers each limit, updates that grow usage, the precedence rule and where
 * groups come from, and concurrent creates racing for the last slot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { startWebhookServer as startTestWebhookServer, type WebhookServer as TestWebhookServer } from '../controlplane/admission-webhook-server.ts';
import { userLabelValue } from '../../src/apis/stream/v1alpha1/naming.ts';
import { eventually } from '../support/control-plane.ts';
import {
  clientAs, createNamespaced, createQuota, mergePatch, quota, rejection, sample, scrape, session, startWebhookCluster, template,
  type WebhookCluster, withMetadata,
} from './webhook-cluster.ts';

const NS = 'quota';
const REFUSED = 'admission webhook "validate.sessions.stream.streamspace.io" denied the request: ';
const DENIED = 'Error from server (Forbidden): error when creating "STDIN": admission webhook "validate.sessions.stream.streamspace.io" denied the request:';

void describe('SessionQuota admission', () => {
  let w: WebhookCluster;
  let gate: TestWebhookServer;

  const getSession = (name: string): Promise<any> => w.c.custom.getNamespacedCustomObject({ group: 'stream.streamspace.io', version: 'v1alpha1', namespace: NS, plural: 'sessions', name });
  const patchSession = (name: string, body: unknown, opts: { dryRun?: boolean } = {}) => mergePatch(w, { plural: 'sessions', namespace: NS, name }, body, opts);

  before(async () => {
    w = await startWebhookCluster({}, [NS]);
    gate = await startTestWebhookServer();
    await w.c.objects.create({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'a-race-gate' },
      webhooks: [{
        name: 'gate.test.streamspace.io', clientConfig: { url: gate.url('/gate'), caBundle: gate.caBundle }, sideEffects: 'None', admissionReviewVersions: ['v1'],
        rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: ['stream.streamspace.io'], apiVersions: ['*'], resources: ['sessions'] }],
        objectSelector: { matchLabels: { race: 'gate' } }, timeoutSeconds: 10,
      }],
    } as k8s.KubernetesObject);
    const small = { defaultResources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } };
    await createNamespaced(w, template(NS, 'firefox', small));
    await createNamespaced(w, template(NS, 'chrome', small));
    await createNamespaced(w, template(NS, 'big', { defaultResources: { limits: { cpu: '4', memory: '8Gi' } } }));
  });
  after(async () => {
    await w?.stop();
    await gate?.stop();
  });

  /** Waits until a dry-run create of `s` is refused with a message containing `text` (the quota is in the webhook's cache). */
  async function untilRefused(s: ReturnType<typeof session>, text: string): Promise<void> {
    await eventually(`dry-run create of ${s.metadata!.name} refused with ${text}`, async () => {
      const refused = await createNamespaced(w, s, { dryRun: true }).then(() => undefined, (e: unknown) => e);
      return refused !== undefined && (await rejection(Promise.reject(refused))).message.includes(text);
    });
  }

  async function kubectlCreate(obj: unknown): Promise<{ code: number; stderr: string }> {
    return w.kubectl.run(['create', '-f', '-'], JSON.stringify(obj));
  }

  void it('limits running sessions; hibernated ones do not count, waking one is checked', async () => {
    await createQuota(w, quota('students', { users: ['alice'], limits: { maxRunningSessions: 3 } }));
    for (const name of ['a1', 'a2', 'a3']) await createNamespaced(w, session(NS, name, 'alice', 'firefox'));
    await untilRefused(session(NS, 'a-probe', 'alice', 'firefox'), 'SessionQuota "students"');
    const denied = await kubectlCreate(session(NS, 'a4', 'alice', 'firefox'));
    assert.equal(denied.code, 1);
    assert.equal(denied.stderr, `${DENIED} quota exceeded: user alice has 3 of 3 running sessions (SessionQuota "students")\n`);

    await createNamespaced(w, session(NS, 'a5', 'alice', 'firefox', { state: 'hibernated' }));
    const wake = await patchSession('a5', { spec: { state: 'running' } });
    assert.equal(wake.status, 403);
    assert.equal(wake.json.message, `${REFUSED}quota exceeded: user alice has 3 of 3 running sessions (SessionQuota "students")`);

    assert.equal((await patchSession('a1', { spec: { state: 'hibernated' } })).status, 200);
    await eventually('a5 may wake once a1 hibernates', async () => (await patchSession('a5', { spec: { state: 'running' } }, { dryRun: true })).status === 200);
    assert.equal((await patchSession('a5', { spec: { state: 'running' } })).status, 200);
    // An update that does not add to usage passes even at the limit.
    assert.equal((await patchSession('a2', { spec: { tags: ['work'] } })).status, 200);
  });

  void it('limits sessions until they are terminated', async () => {
    await createQuota(w, quota('two-sessions', { users: ['bob'], limits: { maxSessions: 2 } }));
    await createNamespaced(w, session(NS, 'b1', 'bob', 'firefox'));
    await createNamespaced(w, session(NS, 'b2', 'bob', 'firefox', { state: 'hibernated' }));
    await untilRefused(session(NS, 'b-probe', 'bob', 'firefox', { state: 'hibernated' }), 'two-sessions');
    const denied = await rejection(createNamespaced(w, session(NS, 'b3', 'bob', 'firefox', { state: 'hibernated' })));
    assert.equal(denied.code, 403);
    assert.equal(denied.reason, 'Forbidden');
    assert.equal(denied.message, `${REFUSED}quota exceeded: user bob has 2 of 2 sessions (SessionQuota "two-sessions")`);

    assert.equal((await patchSession('b1', { spec: { state: 'terminated' } })).status, 200);
    await eventually('b3 fits once b1 is terminated', () => createNamespaced(w, session(NS, 'b3', 'bob', 'firefox')).then(() => true));
  });

  void it('limits CPU and memory per session, from the template defaults or the session itself', async () => {
    await createQuota(w, quota('per-session', { users: ['carol'], limits: { maxCPUPerSession: '2', maxMemoryPerSession: '4Gi' } }));
    await untilRefused(session(NS, 'c-probe', 'carol', 'big'), 'per-session');
    const cpu = await kubectlCreate(session(NS, 'c1', 'carol', 'big'));
    assert.equal(cpu.stderr, `${DENIED} quota exceeded: user carol asks for 4 CPU in one session, over the per-session limit of 2 (SessionQuota "per-session")\n`);
    const memory = await kubectlCreate(session(NS, 'c1', 'carol', 'big', { resources: { limits: { cpu: '1500m', memory: '6Gi' } } }));
    assert.equal(memory.stderr, `${DENIED} quota exceeded: user carol asks for 6Gi memory in one session, over the per-session limit of 4Gi (SessionQuota "per-session")\n`);

    await createNamespaced(w, session(NS, 'c1', 'carol', 'big', { resources: { limits: { cpu: '2', memory: '4Gi' } } }));
    const raise = await patchSession('c1', { spec: { resources: { limits: { cpu: '3' } } } });
    assert.equal(raise.status, 403);
    assert.equal(raise.json.message, `${REFUSED}quota exceeded: user carol asks for 3 CPU in one session, over the per-session limit of 2 (SessionQuota "per-session")`);
  });

  void it('limits total CPU and memory over running sessions', async () => {
    await createQuota(w, quota('totals', { users: ['dave'], limits: { maxTotalCPU: '2', maxTotalMemory: '3Gi' } }));
    await createNamespaced(w, session(NS, 'd1', 'dave', 'firefox'));
    await untilRefused(session(NS, 'd-probe', 'dave', 'big'), 'totals');
    const cpu = await kubectlCreate(session(NS, 'd2', 'dave', 'firefox', { resources: { limits: { cpu: '1500m', memory: '1Gi' } } }));
    assert.equal(cpu.stderr, `${DENIED} quota exceeded: user dave uses 1 of 2 CPU in running sessions and this session needs 1500m more (SessionQuota "totals")\n`);

    await createNamespaced(w, session(NS, 'd2', 'dave', 'firefox', { resources: { limits: { cpu: '500m', memory: '1Gi' } } }));
    const memory = await rejection(createNamespaced(w, session(NS, 'd3', 'dave', 'firefox', { resources: { limits: { cpu: '500m', memory: '2Gi' } } })));
    assert.equal(memory.message, `${REFUSED}quota exceeded: user dave uses 2Gi of 3Gi memory in running sessions and this session needs 2Gi more (SessionQuota "totals")`);
    // Hibernated sessions take no CPU or memory.
    await createNamespaced(w, session(NS, 'd3', 'dave', 'firefox', { state: 'hibernated', resources: { limits: { cpu: '500m', memory: '2Gi' } } }));
  });

  void it('limits the home volume size', async () => {
    await createQuota(w, quota('small-disk', { users: ['erin'], limits: { maxStorage: '5Gi' } }));
    await untilRefused(session(NS, 'e-probe', 'erin', 'firefox'), 'small-disk');
    const denied = await kubectlCreate(session(NS, 'e1', 'erin', 'firefox'));
    assert.equal(denied.stderr, `${DENIED} quota exceeded: user erin needs a home volume of 10Gi, over the storage limit of 5Gi (SessionQuota "small-disk")\n`);
    await createNamespaced(w, session(NS, 'e1', 'erin', 'firefox', { persistentHome: false }));
  });

  void it('allows only the templates a quota lists', async () => {
    await createQuota(w, quota('chromium-only', { users: ['frank'], allowedTemplates: ['chrom*'] }));
    await untilRefused(session(NS, 'f-probe', 'frank', 'firefox'), 'chromium-only');
    const denied = await kubectlCreate(session(NS, 'f1', 'frank', 'firefox'));
    assert.equal(denied.stderr, `${DENIED} template not allowed: user frank may not launch template "firefox" (SessionQuota "chromium-only" allows "chrom*")\n`);
    const ok = await w.kubectl.run(['create', '-f', '-'], JSON.stringify(session(NS, 'f1', 'frank', 'chrome')));
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'session.stream.streamspace.io/f1 created\n');
  });

  /**
   * Holds every Session write labelled race=gate in a mutating webhook of the test until `n` have
   * arrived, then lets them all go at once (and later ones straight through): their validations then run at the same moment, before the
   * webhook's informer can have seen any of the resulting sessions.
   */
  async function gateAt(n: number): Promise<void> {
    let arrived = 0;
    const waiting: (() => void)[] = [];
    gate.handle('/gate', () => new Promise((resolve) => {
      waiting.push(() => resolve({ response: { allowed: true } }));
      if (++arrived >= n) for (const release of waiting.splice(0)) release();
    }));
  }

  void it('lets exactly one of many simultaneous creates take the last slot, and one of two simultaneous wakes', async () => {
    await createQuota(w, quota('one-only', { users: ['olivia'], allowedTemplates: ['firefox'], limits: { maxSessions: 1 } }));
    await untilRefused(session(NS, 'o-probe', 'olivia', 'chrome'), 'one-only');
    const racing = { labels: { race: 'gate' } };
    await gateAt(12);
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => createNamespaced(w, withMetadata(session(NS, `o${i}`, 'olivia', 'firefox'), racing))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results.filter((x) => x.status === 'rejected')) {
      const refusal = await rejection(Promise.reject((r as PromiseRejectedResult).reason));
      assert.match(refusal.message, /quota exceeded: user olivia has 1 of 1 sessions \(SessionQuota "one-only"\)$/);
    }
    const listed = await w.c.custom.listNamespacedCustomObject({
      group: 'stream.streamspace.io', version: 'v1alpha1', namespace: NS, plural: 'sessions', labelSelector: `stream.streamspace.io/user=${userLabelValue('olivia')}`,
    });
    assert.equal(listed.items.length, 1);

    await createQuota(w, quota('one-running', { users: ['paul'], limits: { maxRunningSessions: 1 } }));
    await gateAt(1);
    await createNamespaced(w, withMetadata(session(NS, 'p1', 'paul', 'firefox', { state: 'hibernated' }), racing));
    await createNamespaced(w, withMetadata(session(NS, 'p2', 'paul', 'firefox', { state: 'hibernated' }), racing));
    await createNamespaced(w, withMetadata(session(NS, 'p3', 'paul', 'firefox'), racing));
    await eventually('p1 may not wake while p3 runs', async () => (await patchSession('p1', { spec: { state: 'running' } }, { dryRun: true })).status === 403);
    assert.equal((await patchSession('p3', { spec: { state: 'hibernated' } })).status, 200);
    await eventually('p1 may wake', async () => (await patchSession('p1', { spec: { state: 'running' } }, { dryRun: true })).status === 200);
    await gateAt(2);
    const wakes = await Promise.all(['p1', 'p2'].map((name) => patchSession(name, { spec: { state: 'running' } })));
    assert.deepEqual(wakes.map((r) => r.status).sort(), [200, 403]);
    assert.match(wakes.find((r) => r.status === 403)!.json.message, /quota exceeded: user paul has 1 of 1 running sessions \(SessionQuota "one-running"\)$/);
  });

  void it('picks the most specific quota: user over group over default; groups from the requester or a trusted annotation', async () => {
    await createQuota(w, quota('students-group', { groups: ['students'], limits: { maxSessions: 2, maxRunningSessions: 1 } }));
    await createQuota(w, quota('grace-own', { users: ['grace'], limits: { maxSessions: 3 } }));
    await createQuota(w, quota('everyone', { default: true, limits: { maxSessions: 1 } }));
    // The informer sees quotas in the order they were written: once the last one applies, all do.
    await createNamespaced(w, session(NS, 'i1', 'ivan', 'firefox'));
    await untilRefused(session(NS, 'i-probe', 'ivan', 'firefox'), 'everyone');
    const groupsOf = async (name: string) => (await getSession(name)).metadata.annotations?.['stream.streamspace.io/user-groups'];

    // grace, a student, writes her own sessions: her user quota wins over the group's; her groups are recorded.
    const grace = clientAs(w, 'grace', ['students']);
    for (const name of ['g1', 'g2', 'g3']) await createNamespaced(w, session(NS, name, 'grace', 'firefox', { state: 'hibernated' }), { api: grace });
    const g4 = await rejection(createNamespaced(w, session(NS, 'g4', 'grace', 'firefox'), { api: grace }));
    assert.equal(g4.message, `${REFUSED}quota exceeded: user grace has 3 of 3 sessions (SessionQuota "grace-own")`);
    assert.equal(await groupsOf('g1'), 'students,system:authenticated');

    // heidi's sessions are written by the admin (trusted), with her groups in the annotation.
    const asStudent = { annotations: { 'stream.streamspace.io/user-groups': 'physics, students' } };
    await createNamespaced(w, withMetadata(session(NS, 'h1', 'heidi', 'firefox'), asStudent));
    await createNamespaced(w, withMetadata(session(NS, 'h2', 'heidi', 'firefox', { state: 'hibernated' }), asStudent));
    assert.equal(await groupsOf('h1'), 'physics, students');
    const h3 = await rejection(createNamespaced(w, withMetadata(session(NS, 'h3', 'heidi', 'firefox'), asStudent)));
    assert.equal(h3.message, `${REFUSED}quota exceeded: user heidi has 2 of 2 sessions (SessionQuota "students-group")`);
    // Updates are judged with the recorded groups whoever makes them, and only the trusted may change them.
    const robot = clientAs(w, 'robot');
    const wake = await rejection(robot.patchNamespacedCustomObject({
      group: 'stream.streamspace.io', version: 'v1alpha1', namespace: NS, plural: 'sessions', name: 'h2', body: [{ op: 'replace', path: '/spec/state', value: 'running' }],
    }));
    assert.equal(wake.message, `${REFUSED}quota exceeded: user heidi has 1 of 1 running sessions (SessionQuota "students-group")`);
    const regroup = await rejection(robot.patchNamespacedCustomObject({
      group: 'stream.streamspace.io', version: 'v1alpha1', namespace: NS, plural: 'sessions', name: 'h2',
      body: [{ op: 'replace', path: '/metadata/annotations/stream.streamspace.io~1user-groups', value: 'staff' }],
    }));
    assert.equal(regroup.code, 422);
    assert.deepEqual(regroup.details.causes, [{
      reason: 'FieldValueForbidden', field: 'metadata.annotations[stream.streamspace.io/user-groups]',
      message: 'Forbidden: the user\'s groups may only be changed by a requester trusted to state them',
    }]);

    // ivan is in no group: the default quota.
    const i2 = await rejection(createNamespaced(w, session(NS, 'i2', 'ivan', 'firefox')));
    assert.equal(i2.message, `${REFUSED}quota exceeded: user ivan has 1 of 1 sessions (SessionQuota "everyone")`);

    // Claiming a group in the annotation does not help an untrusted writer, for themselves or for others.
    const judy = clientAs(w, 'judy');
    await createNamespaced(w, withMetadata(session(NS, 'j1', 'judy', 'firefox'), asStudent), { api: judy });
    assert.equal(await groupsOf('j1'), 'system:authenticated', 'her own groups replace what she claimed');
    const j2 = await rejection(createNamespaced(w, withMetadata(session(NS, 'j2', 'judy', 'firefox'), asStudent), { api: judy }));
    assert.equal(j2.message, `${REFUSED}quota exceeded: user judy has 1 of 1 sessions (SessionQuota "everyone")`);
    const mallory = clientAs(w, 'mallory');
    await createNamespaced(w, withMetadata(session(NS, 'k1', 'ken', 'firefox'), asStudent), { api: mallory });
    assert.equal(await groupsOf('k1'), undefined, 'an untrusted writer cannot state another user\'s groups');
    const k2 = await rejection(createNamespaced(w, withMetadata(session(NS, 'k2', 'ken', 'firefox'), asStudent), { api: mallory }));
    assert.equal(k2.message, `${REFUSED}quota exceeded: user ken has 1 of 1 sessions (SessionQuota "everyone")`);

    const metrics = await scrape(w);
    assert.ok((metrics.get(sample('streamspace_webhook_quota_denials_total', { limit: 'maxSessions' })) ?? 0) >= 5);
    assert.ok((metrics.get(sample('streamspace_webhook_quota_denials_total', { limit: 'allowedTemplates' })) ?? 0) >= 1);
  });
  void it('writes each user\'s usage into the status of the quota that governs them', async () => {
    await createQuota(w, quota('sam-quota', { users: ['sam'], limits: { maxSessions: 5 } }));
    await createNamespaced(w, session(NS, 'sam1', 'sam', 'firefox'));
    await createNamespaced(w, session(NS, 'sam2', 'sam', 'firefox', { state: 'hibernated' }));
    const statusOf = async (name: string): Promise<any> => (await w.c.custom.getClusterCustomObject({
      group: 'stream.streamspace.io', version: 'v1alpha1', plural: 'sessionquotas', name,
    })).status ?? {};
    const samRow = { user: 'sam', sessions: 2, runningSessions: 1, cpu: '1', memory: '1Gi' };
    const status = await eventually('sam\'s usage in the status', async () => {
      const s = await statusOf('sam-quota');
      return JSON.stringify(s.usage) === JSON.stringify([samRow]) && s;
    });
    assert.equal(status.observedGeneration, 1);
    assert.match(status.lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal((await patchSession('sam1', { spec: { state: 'terminated' } })).status, 200);
    await eventually('the terminated session no longer counts', async () => JSON.stringify((await statusOf('sam-quota')).usage)
      === JSON.stringify([{ ...samRow, sessions: 1, runningSessions: 0, cpu: '0', memory: '0' }]));
    // Precedence with recorded groups: heidi (annotated a student) under the group quota, the others under the default.
    const users = async (name: string) => ((await statusOf(name)).usage ?? []).map((row: { user: string }) => row.user);
    await eventually('group and default quotas list their users', async () => JSON.stringify(await users('students-group')) === '["heidi"]'
      && JSON.stringify(await users('everyone')) === '["ivan","judy","ken"]' && JSON.stringify(await users('grace-own')) === '["grace"]');
  });
});
