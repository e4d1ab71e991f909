/**
 * The defaulting and validation webhooks end to end, through kubectl and @kubernetes/client-node:
 * defaults from the template and the settings, labels, idempotence (a second call answers with no
 * patch) and reinvocation after another mutating webhook, Session rules (immutable fields,
 * terminated is final, the template must exist and be valid), Template rules, the NodeOperation
 * webhook served alongside, and the metrics.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { userLabelValue } from '../../src/apis/stream/v1alpha1/naming.ts';
import { startWebhookServer as startTestWebhookServer, type WebhookServer as TestWebhookServer } from '../controlplane/admission-webhook-server.ts';
import {
  createNamespaced, GROUP, mergePatch, rejection, sample, scrape, session, startWebhookCluster, template, VERSION, type WebhookCluster, withMetadata,
} from './webhook-cluster.ts';

const NS = 'defaults';
const RESOURCES = { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } };

/** Posts an AdmissionReview straight to the webhook, trusting only the CA bundle published in its configuration. */
function postReview(url: string, caBundle: string, request: Record<string, unknown>): Promise<any> {
  const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'POST', ca: Buffer.from(caBundle, 'base64').toString('utf8'), headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

void describe('Session defaults and validation webhooks', () => {
  let w: WebhookCluster;
  let other: TestWebhookServer;

  const patchSession = (name: string, body: unknown, opts: { dryRun?: boolean } = {}) => mergePatch(w, { plural: 'sessions', namespace: NS, name }, body, opts);
  const patchTemplate = (name: string, body: unknown) => mergePatch(w, { plural: 'templates', namespace: NS, name }, body);

  before(async () => {
    w = await startWebhookCluster({ defaults: { idleTimeout: '45m', maxSessionDuration: '8h' } }, [NS]);
    other = await startTestWebhookServer();
    await createNamespaced(w, template(NS, 'firefox', { defaultResources: RESOURCES }));
  });
  after(async () => {
    await w?.stop();
    await other?.stop();
  });

  async function getSession(name: string): Promise<any> {
    return w.c.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: 'sessions', name });
  }

  async function mutatingConfiguration(): Promise<any> {
    return w.c.objects.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'streamspace-webhooks' } });
  }

  void it('fills in defaults from the template and the settings, and labels user and template', async () => {
    const created = await w.kubectl.run(['create', '-f', '-', '-o', 'json'], JSON.stringify(session(NS, 's1', 'alice@example.com', 'firefox')));
    assert.equal(created.code, 0, created.stderr);
    const s = JSON.parse(created.stdout);
    assert.deepEqual(s.spec, {
      user: 'alice@example.com', template: 'firefox', state: 'running', resources: RESOURCES,
      idleTimeout: '45m', maxSessionDuration: '8h', persistentHome: true,
    });
    assert.equal(s.metadata.labels['stream.streamspace.io/template'], 'firefox');
    assert.equal(s.metadata.labels['stream.streamspace.io/user'], userLabelValue('alice@example.com'), 'the Session controller\'s label value');
    assert.match(s.metadata.labels['stream.streamspace.io/user'], /^alice-example\.com-[0-9a-f]{10}$/);
    const selected = await w.kubectl.ok(['get', 'sessions', '-n', NS, '-l', `stream.streamspace.io/user=${s.metadata.labels['stream.streamspace.io/user']}`, '-o', 'name']);
    assert.equal(selected, 'session.stream.streamspace.io/s1\n');
  });

  void it('keeps what the session sets, and corrects labels that contradict spec', async () => {
    const own = { resources: { limits: { cpu: '2' } }, idleTimeout: '5m', persistentHome: false, state: 'hibernated' };
    const s = await createNamespaced(w, withMetadata(session(NS, 's2', 'bob', 'firefox', own), { labels: { 'stream.streamspace.io/user': 'mallory', team: 'a' } }));
    assert.deepEqual(s.spec, { user: 'bob', template: 'firefox', ...own, maxSessionDuration: '8h' });
    assert.deepEqual(s.metadata.labels, { 'stream.streamspace.io/user': userLabelValue('bob'), 'stream.streamspace.io/template': 'firefox', team: 'a' });
  });

  void it('answers its own result with no patch at all (idempotent)', async () => {
    const config = await mutatingConfiguration();
    const { url, caBundle } = config.webhooks[0].clientConfig;
    const raw = session(NS, 's3', 'carol', 'firefox');
    const request = { uid: 'first', operation: 'CREATE', namespace: NS, name: 's3', userInfo: { username: 'admin' }, object: raw };
    const first = await postReview(url, caBundle, request);
    assert.equal(first.response.uid, 'first');
    assert.equal(first.response.allowed, true);
    assert.equal(first.response.patchType, 'JSONPatch');
    const ops = JSON.parse(Buffer.from(first.response.patch, 'base64').toString('utf8'));
    assert.deepEqual(ops.map((o: { path: string }) => o.path).sort(), [
      '/metadata/labels', '/spec/idleTimeout', '/spec/maxSessionDuration', '/spec/persistentHome', '/spec/resources', '/spec/state',
    ]);

    const defaulted = await getSession('s1');
    const second = await postReview(url, caBundle, { ...request, uid: 'second', object: defaulted });
    assert.deepEqual(second, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'second', allowed: true } });
  });

  void it('is called again after a later mutating webhook changes the session: restores its labels, redoes no defaults', async () => {
    other.handle('/label', (review) => {
      const labels = review.request.object.metadata.labels;
      // Removes our template label and adds its own: reinvocation must restore the former and keep the latter.
      const ops = [{ op: 'remove', path: '/metadata/labels/stream.streamspace.io~1template' }, { op: 'add', path: '/metadata/labels/reviewed', value: 'yes' }];
      return { response: { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(labels?.reviewed ? [] : ops)).toString('base64') } };
    });
    await w.c.objects.create({
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'zz-reviewer' },
      webhooks: [{
        name: 'reviewer.test.streamspace.io', clientConfig: { url: other.url('/label'), caBundle: other.caBundle }, sideEffects: 'None',
        admissionReviewVersions: ['v1'], rules: [{ operations: ['CREATE'], apiGroups: [GROUP], apiVersions: ['*'], resources: ['sessions'] }],
      }],
    } as k8s.KubernetesObject);
    const calls = sample('controller_runtime_webhook_requests_total', { webhook: '/mutate-session', code: '200' });
    const before = (await scrape(w)).get(calls)!;

    const s = await createNamespaced(w, session(NS, 's4', 'dave', 'firefox'));
    assert.equal((await scrape(w)).get(calls), before + 2, 'the defaulting webhook is called twice');
    assert.equal(other.on('/label').length, 1);
    const seenByOther = other.on('/label')[0].review.request.object;
    assert.equal(seenByOther.spec.idleTimeout, '45m', 'ours runs first');
    assert.deepEqual(s.metadata.labels, { 'stream.streamspace.io/user': userLabelValue('dave'), 'stream.streamspace.io/template': 'firefox', reviewed: 'yes' });
    assert.deepEqual(s.spec, seenByOther.spec, 'the second call left the spec alone');
    await w.c.objects.delete({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'zz-reviewer' } });
  });

  void it('refuses a session whose template is missing or invalid', async () => {
    const missing = await w.kubectl.run(['create', '-f', '-'], JSON.stringify(session(NS, 's5', 'erin', 'nope')));
    // kubectl prints a 422 with causes from its details, as for the API server's own validation.
    assert.equal(missing.stderr, 'The Session "s5" is invalid: spec.template: Not found: "nope"\n');

    await createNamespaced(w, template(NS, 'broken'));
    const marked = await mergePatch(w, { plural: 'templates', namespace: NS, name: 'broken', subresource: 'status' }, { status: { valid: false, message: 'image cannot be pulled' } });
    assert.equal(marked.status, 200);
    const invalid = await rejection(createNamespaced(w, session(NS, 's5', 'erin', 'broken')));
    assert.equal(invalid.code, 422);
    assert.equal(invalid.message, 'admission webhook "validate.sessions.stream.streamspace.io" denied the request: '
      + 'Session.stream.streamspace.io "s5" is invalid: spec.template: Invalid value: "broken": Template "broken" is invalid: image cannot be pulled');
    assert.deepEqual(invalid.details.causes, [{ reason: 'FieldValueInvalid', field: 'spec.template', message: 'Invalid value: "broken": Template "broken" is invalid: image cannot be pulled' }]);
  });

  void it('keeps user and template immutable and terminated final', async () => {
    const userLabel = (await getSession('s1')).metadata.labels['stream.streamspace.io/user'];
    const user = await patchSession('s1', { spec: { user: 'mallory', template: 'broken' } });
    assert.equal(user.status, 422);
    assert.equal(user.json.message, 'admission webhook "validate.sessions.stream.streamspace.io" denied the request: Session.stream.streamspace.io "s1" is invalid: '
      + '[spec.user: Invalid value: "mallory": field is immutable, spec.template: Invalid value: "broken": field is immutable, '
      + `metadata.labels[stream.streamspace.io/user]: Invalid value: "${userLabel}": must be "${userLabelValue('mallory')}", derived from spec, `
      + 'metadata.labels[stream.streamspace.io/template]: Invalid value: "firefox": must be "broken", derived from spec]');

    assert.equal((await patchSession('s1', { spec: { state: 'terminated' } })).status, 200);
    const restart = await w.kubectl.run(['patch', 'session', 's1', '-n', NS, '--type=merge', '-p', '{"spec":{"state":"running"}}']);
    assert.equal(restart.code, 1);
    assert.equal(restart.stderr, 'The Session "s1" is invalid: spec.state: Invalid value: "running": a terminated session cannot be started or hibernated again; create a new session\n');
    // Changes that leave the state alone still pass.
    assert.equal((await patchSession('s1', { metadata: { annotations: { note: 'done' } } })).status, 200);
  });

  void it('refuses an invalid template up front, with a cause per field', async () => {
    const bad = template(NS, 'bad', { baseImage: 'Not An Image', vnc: { enabled: false }, ports: [{ containerPort: 8080 }, { containerPort: 8080 }] });
    const created = await w.kubectl.run(['create', '-f', '-'], JSON.stringify(bad));
    assert.equal(created.code, 1);
    assert.equal(created.stderr, 'The Template "bad" is invalid: \n'
      + '* spec.baseImage: Invalid value: "Not An Image": invalid reference format\n'
      + '* spec.ports[1].containerPort: Duplicate value: 8080\n'
      + '* spec: Required value: at least one of vnc.enabled or webapp.enabled must be true\n');
    const refused = await rejection(createNamespaced(w, bad));
    assert.equal(refused.message, 'admission webhook "validate.templates.stream.streamspace.io" denied the request: '
      + 'Template.stream.streamspace.io "bad" is invalid: [spec.baseImage: Invalid value: "Not An Image": invalid reference format, '
      + 'spec.ports[1].containerPort: Duplicate value: 8080, spec: Required value: at least one of vnc.enabled or webapp.enabled must be true]');

    const breaking = await patchTemplate('firefox', { spec: { webapp: { enabled: true } } });
    assert.equal(breaking.status, 422);
    assert.deepEqual(breaking.json.details.causes, [{ reason: 'FieldValueRequired', field: 'spec.webapp.port', message: 'Required value: the port the web application listens on, when webapp.enabled is true' }]);
    assert.equal((await patchTemplate('firefox', { spec: { webapp: { enabled: true, port: 8080 } } })).status, 200);
  });

  void it('serves the NodeOperation webhook too: refuses an operation on a node that does not exist', async () => {
    const op = (name: string, nodeName: string) => ({
      apiVersion: `${GROUP}/${VERSION}`, kind: 'NodeOperation', metadata: { name }, spec: { nodeName, operation: 'cordon' },
    });
    const missing = await w.kubectl.run(['create', '-f', '-'], JSON.stringify(op('cordon-9', 'node-9')));
    assert.equal(missing.stderr, 'The NodeOperation "cordon-9" is invalid: spec.nodeName: Not found: "node-9"\n');
    const ok = await w.kubectl.run(['create', '-f', '-'], JSON.stringify(op('cordon-1', 'node-1')));
    assert.equal(ok.stdout, 'nodeoperation.stream.streamspace.io/cordon-1 created\n', ok.stderr);
  });

  void it('exports controller-runtime webhook metrics per path', async () => {
    const m = await scrape(w);
    for (const webhook of ['/mutate-session', '/validate-session', '/validate-template', '/validate-nodeoperation']) {
      assert.ok(m.get(sample('controller_runtime_webhook_requests_total', { webhook, code: '200' }))! > 0, webhook);
      assert.ok(m.get(sample('controller_runtime_webhook_latency_seconds_count', { webhook }))! > 0, webhook);
      assert.equal(m.get(sample('controller_runtime_webhook_requests_in_flight', { webhook })), 0, webhook);
    }
    assert.equal(m.get(sample('streamspace_webhook_quota_reservations')), 0, 'every admitted session has reached the informer');
  });
});
