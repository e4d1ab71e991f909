import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeOperation, NodeOperationSpec } from '../apis/stream/v1alpha1/nodeoperation.ts';
import { isSystemKey } from '../apis/stream/v1alpha1/nodeoperation-policy.ts';
import type { AdmissionOperation, AdmissionRequest } from './admission-review.ts';
import { nodeOperationAdmissionHandler, nodeOperationValidatingWebhook, validateNodeOperationAdmission } from './nodeoperation.ts';

function nodeOp(spec: NodeOperationSpec, annotations?: Record<string, string>): NodeOperation {
  return { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'NodeOperation', metadata: { name: 'op', annotations }, spec };
}

function request(operation: AdmissionOperation, object: NodeOperation, oldObject?: NodeOperation): AdmissionRequest {
  return { uid: 'u1', operation, object, oldObject, name: 'op' };
}

function causesOf(decision: ReturnType<typeof validateNodeOperationAdmission>): string[] {
  const details = decision.status?.details as { causes?: { field?: string; message: string }[] } | undefined;
  return (details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
}

void describe('NodeOperation admission', () => {
  void it('admits a valid create on an existing node', () => {
    assert.deepEqual(validateNodeOperationAdmission(request('CREATE', nodeOp({ nodeName: 'n1', operation: 'cordon' })), true), { allowed: true });
  });

  void it('refuses with 422 and a cause per problem', () => {
    const decision = validateNodeOperationAdmission(request('CREATE', nodeOp({
      nodeName: 'n9', operation: 'label', parameters: { labels: { 'node-role.kubernetes.io/worker': '', ok: 'x' }, drain: {} },
    })), false);
    assert.equal(decision.allowed, false);
    assert.equal(decision.status?.code, 422);
    assert.equal(decision.status?.reason, 'Invalid');
    assert.deepEqual(causesOf(decision), [
      'spec.parameters.labels[node-role.kubernetes.io/worker]: Forbidden: label keys in the kubernetes.io and k8s.io domains belong to Kubernetes; a NodeOperation may not set them',
      'spec.parameters.drain: Forbidden: not used by operation "label"; only by drain',
      'spec.nodeName: Not found: "n9"',
    ]);
  });

  void it('admits updates that leave the spec alone or change only the TTL, refuses the rest', () => {
    const old = nodeOp({ nodeName: 'n1', operation: 'cordon' });
    assert.equal(validateNodeOperationAdmission(request('UPDATE', nodeOp(old.spec, { a: 'b' }), old), undefined).allowed, true);
    assert.equal(validateNodeOperationAdmission(request('UPDATE', nodeOp({ ...old.spec, ttlSecondsAfterFinished: 5 }), old), undefined).allowed, true);
    const moved = validateNodeOperationAdmission(request('UPDATE', nodeOp({ nodeName: 'n2', operation: 'uncordon' }), old), undefined);
    assert.deepEqual(causesOf(moved), ['spec.nodeName: Invalid value: "n2": field is immutable', 'spec.operation: Invalid value: "uncordon": field is immutable']);
  });

  void it('looks the node up only on create', async () => {
    const looked: string[] = [];
    const handler = nodeOperationAdmissionHandler(async (name) => { looked.push(name); return false; });
    const op = nodeOp({ nodeName: 'gone', operation: 'cordon' });
    assert.equal((await handler.handle(request('CREATE', op))).allowed, false);
    assert.equal((await handler.handle(request('UPDATE', nodeOp(op.spec, { x: 'y' }), op))).allowed, true);
    assert.deepEqual(looked, ['gone']);
  });

  void it('registers for NodeOperation creates and updates, not the status subresource', () => {
    const webhook = nodeOperationValidatingWebhook({ url: 'https://127.0.0.1:1/validate-nodeoperation' });
    assert.deepEqual(webhook.rules, [{ apiGroups: ['stream.streamspace.io'], apiVersions: ['v1alpha1'], resources: ['nodeoperations'], operations: ['CREATE', 'UPDATE'], scope: 'Cluster' }]);
    assert.equal(webhook.failurePolicy, 'Fail');
  });

  void it('treats the kubernetes.io and k8s.io domains and their subdomains as the system', () => {
    for (const key of ['kubernetes.io/hostname', 'node.kubernetes.io/unschedulable', 'node-role.kubernetes.io/control-plane', 'topology.kubernetes.io/zone', 'k8s.io/x', 'kubelet.k8s.io/y']) {
      assert.equal(isSystemKey(key), true, key);
    }
    for (const key of ['team', 'stream.streamspace.io/pool', 'example.com/kubernetes.io', 'notkubernetes.io/x']) assert.equal(isSystemKey(key), false, key);
  });
});
