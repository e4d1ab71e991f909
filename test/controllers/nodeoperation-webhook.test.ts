/**
 * The NodeOperation validating webhook through the real kubectl: the embedded control plane calls
 * the handler of src/webhooks/nodeoperation.ts, served by a small HTTPS webhook server made for the
 * test (test/controlplane/admission-webhook-server.ts, certificates from src/tls/certificates.ts),
 * registered with the webhook entry the module exports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { installCrds } from '../../src/controllers/install.ts';
import { streamspaceResources } from '../../src/controllers/kinds.ts';
import { NodeOperationKind, registerNodeOperationKinds } from '../../src/controllers/nodeoperation/kinds.ts';
import { KubeClient, type KubeApiError } from '../../src/runtime/client.ts';
import { eventually } from '../../src/runtime/testing/eventually.ts';
import {
  NODE_OPERATION_WEBHOOK, nodeExistsVia, nodeOperationAdmissionHandler, nodeOperationValidatingWebhook,
} from '../../src/webhooks/nodeoperation.ts';
import { startWebhookServer, type WebhookServer } from '../controlplane/admission-webhook-server.ts';
import { startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { kubectlFor, type Kubectl } from '../support/kubectl.ts';

function manifest(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'NodeOperation', metadata: { name }, spec });
}

void describe('NodeOperation admission webhook', () => {
  let c: TestCluster;
  let wh: WebhookServer;
  let kubectl: Kubectl;
  let api: KubeClient;

  before(async () => {
    [c, wh] = await Promise.all([startTestCluster(), startWebhookServer()]);
    api = new KubeClient({ kubeConfig: c.kc, fieldManager: 'test', resources: streamspaceResources() });
    registerNodeOperationKinds(api.resources);
    await installCrds(api);
    await eventually(() => api.list(NodeOperationKind, { limit: 1 }), { message: 'NodeOperations served' });
    const handler = nodeOperationAdmissionHandler(nodeExistsVia(api));
    wh.handle(NODE_OPERATION_WEBHOOK.path, async (review) => ({ response: { ...(await handler.handle(review.request)) } }));
    const webhook = nodeOperationValidatingWebhook({ url: wh.url(NODE_OPERATION_WEBHOOK.path), caBundle: wh.caBundle });
    await api.create({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'nodeoperations' }, webhooks: [webhook] });
    kubectl = kubectlFor(c.kubeconfigPath, c.tmp);
  });
  after(async () => {
    await c?.stop();
    await wh?.stop();
  });

  async function refused(name: string, spec: Record<string, unknown>): Promise<string> {
    const r = await kubectl.run(['apply', '-f', '-'], manifest(name, spec));
    assert.notEqual(r.code, 0, `kubectl apply of ${name} should fail`);
    assert.equal(r.stdout, '');
    return r.stderr.trim();
  }

  void it('refuses an operation on a node that does not exist', async () => {
    const err = await refused('lost', { nodeName: 'node-9', operation: 'cordon' });
    assert.equal(err, 'The NodeOperation "lost" is invalid: spec.nodeName: Not found: "node-9"');
    // The Status behind kubectl's rendering: 422 from the webhook, with the field cause.
    const status = await api.create({ ...NodeOperationKind, metadata: { name: 'lost' }, spec: { nodeName: 'node-9', operation: 'cordon' } }).then(
      () => assert.fail('created'), (e: unknown) => e as KubeApiError);
    assert.equal(status.code, 422);
    assert.equal(status.message, 'admission webhook "validate.nodeoperations.stream.streamspace.io" denied the request: NodeOperation.stream.streamspace.io "lost" is invalid: spec.nodeName: Not found: "node-9"');
    assert.deepEqual(status.details?.causes, [{ reason: 'FieldValueNotFound', field: 'spec.nodeName', message: 'Not found: "node-9"' }]);
  });

  void it('refuses label and taint keys that belong to Kubernetes, naming the field', async () => {
    const hostname = await refused('hostname', { nodeName: 'node-1', operation: 'label', parameters: { labels: { 'kubernetes.io/hostname': 'x' } } });
    assert.equal(hostname, 'The NodeOperation "hostname" is invalid: spec.parameters.labels[kubernetes.io/hostname]: '
      + 'Forbidden: label keys in the kubernetes.io and k8s.io domains belong to Kubernetes; a NodeOperation may not set them');
    const role = await refused('role', { nodeName: 'node-1', operation: 'unlabel', parameters: { labels: { 'node-role.kubernetes.io/control-plane': '' } } });
    assert.match(role, /spec\.parameters\.labels\[node-role\.kubernetes\.io\/control-plane\]: Forbidden: .* may not remove them/);
    const cordonTaint = await refused('unschedulable', {
      nodeName: 'node-1', operation: 'taint', parameters: { taint: { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } },
    });
    assert.equal(cordonTaint, 'The NodeOperation "unschedulable" is invalid: spec.parameters.taint.key: '
      + 'Forbidden: node.kubernetes.io/unschedulable is kept by Kubernetes in step with spec.unschedulable; use operation cordon or uncordon instead');
    const notReady = await refused('not-ready', { nodeName: 'node-1', operation: 'untaint', parameters: { taint: { key: 'node.kubernetes.io/not-ready' } } });
    assert.match(notReady, /spec\.parameters\.taint\.key: Forbidden: taint keys in the kubernetes\.io and k8s\.io domains belong to Kubernetes/);
  });

  void it('refuses parameters that do not fit the operation, every problem at once', async () => {
    const err = await refused('mixed', { nodeName: 'node-1', operation: 'taint', parameters: { taint: { key: 'maintenance' }, labels: { a: 'b' } } });
    assert.equal(err, [
      'The NodeOperation "mixed" is invalid: ',
      '* spec.parameters.taint.effect: Required value',
      '* spec.parameters.labels: Forbidden: not used by operation "taint"; only by label and unlabel',
    ].join('\n'));
    const empty = await refused('empty', { nodeName: 'node-1', operation: 'label' });
    assert.match(empty, /spec\.parameters\.labels: Required value: the labels to set/);
  });

  void it('admits a valid operation and changes of anything but its request', async () => {
    const created = await kubectl.ok(['apply', '-f', '-'], manifest('ok', { nodeName: 'node-1', operation: 'label', parameters: { labels: { pool: 'gpu' } } }));
    assert.equal(created.trim(), 'nodeoperation.stream.streamspace.io/ok created');
    assert.equal((await kubectl.ok(['annotate', 'nodeop', 'ok', 'note=kept'])).trim(), 'nodeoperation.stream.streamspace.io/ok annotated');
    assert.equal((await kubectl.ok(['patch', 'nodeop', 'ok', '--type=merge', '-p', '{"spec":{"ttlSecondsAfterFinished":60}}'])).trim(), 'nodeoperation.stream.streamspace.io/ok patched');

    const moved = await kubectl.run(['patch', 'nodeop', 'ok', '--type=merge', '-p', '{"spec":{"nodeName":"node-2","parameters":{"labels":{"pool":"cpu"}}}}']);
    assert.notEqual(moved.code, 0);
    assert.match(moved.stderr, /\* spec\.nodeName: Invalid value: "node-2": field is immutable\n\* spec\.parameters: Invalid value: .*: field is immutable/);
    const stored = JSON.parse(await kubectl.ok(['get', 'nodeop', 'ok', '-o', 'json']));
    assert.equal(stored.spec.nodeName, 'node-1');
    assert.equal(stored.spec.ttlSecondsAfterFinished, 60);
    assert.ok(wh.on(NODE_OPERATION_WEBHOOK.path).length >= 10, 'every write went through the webhook');
  });
});
