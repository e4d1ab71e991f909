/**
 * The NodeOperation validating webhook: refuses, up front and with a cause per field, an operation
 * the controller could not or should not carry out:
 * - parameters that do not fit the operation (validateNodeOperationSpec), or parameters the
 *   operation does not use;
 * - label or taint keys that belong to Kubernetes (kubernetes.io and k8s.io domains, including
 *   `node.kubernetes.io/unschedulable`, which cordon and uncordon manage);
 * - on create, a node that does not exist;
 * - on update, a change of nodeName, operation or parameters: an operation is a record of what was
 *   asked and done, so a different request is a new NodeOperation (ttlSecondsAfterFinished may
 *   change). Updates that leave the spec alone (labels, annotations, the controller's own
 *   bookkeeping) are always admitted.
 *
 * Served at {@link NODE_OPERATION_WEBHOOK}.path; {@link nodeOperationValidatingWebhook} is the entry
 * of the ValidatingWebhookConfiguration. The webhook server needs `get` on nodes.
 */
import { fieldInvalid, invalid, type StatusCause } from '../apimachinery/errors.ts';
import { deepEqual } from '../apimachinery/object.ts';
import { FIELD_IMMUTABLE_MESSAGE } from '../apimachinery/validation.ts';
import { group, version } from '../apis/stream/v1alpha1/groupversion.ts';
import type { NodeOperation } from '../apis/stream/v1alpha1/nodeoperation.ts';
import { nodeOperationSpecCauses } from '../apis/stream/v1alpha1/nodeoperation-policy.ts';
import { isNotFound, type KubeClient } from '../runtime/client.ts';
import type { AdmissionHandler } from './admission-handlers.ts';
import { allow, deny, type AdmissionDecision, type AdmissionRequest } from './admission-review.ts';
import { NodeKind } from '../apimachinery/builtin-kinds.ts';

/** Name and path of the NodeOperation validating webhook. */
export const NODE_OPERATION_WEBHOOK = { name: `validate.nodeoperations.${group}`, path: '/validate-nodeoperation' } as const;

/** Answers whether a node of that name exists. */
export type NodeExists = (name: string) => Promise<boolean>;

/** field.NotFound: `spec.nodeName: Not found: "node-9"`. */
function fieldNotFound(field: string, value: string): StatusCause {
  return { reason: 'FieldValueNotFound', field, message: `Not found: ${JSON.stringify(value)}` };
}

function immutableCauses(op: NodeOperation, old: NodeOperation): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['nodeName', 'operation', 'parameters'] as const) {
    if (!deepEqual(op.spec?.[field], old.spec?.[field])) causes.push(fieldInvalid(`spec.${field}`, op.spec?.[field], FIELD_IMMUTABLE_MESSAGE));
  }
  return causes;
}

/**
 * The decision on a NodeOperation create or update. `nodeFound` says whether spec.nodeName exists
 * (looked up by the caller on create; undefined when not looked up).
 */
export function validateNodeOperationAdmission(request: AdmissionRequest, nodeFound: boolean | undefined): AdmissionDecision {
  const op = request.object as NodeOperation | null | undefined;
  if ((request.operation !== 'CREATE' && request.operation !== 'UPDATE') || !op) return allow();
  const old = request.operation === 'UPDATE' ? (request.oldObject as NodeOperation | null | undefined) : undefined;
  if (old && deepEqual(op.spec, old.spec)) return allow();
  const causes = old ? immutableCauses(op, old) : [];
  causes.push(...nodeOperationSpecCauses(op.spec));
  if (!old && nodeFound === false) causes.push(fieldNotFound('spec.nodeName', op.spec.nodeName));
  if (!causes.length) return allow();
  return deny(invalid('NodeOperation', group, op.metadata.name ?? request.name ?? '', causes));
}

/** The webhook's handler: looks the node up on create, then decides. */
export function nodeOperationAdmissionHandler(nodeExists: NodeExists): AdmissionHandler {
  return {
    path: NODE_OPERATION_WEBHOOK.path,
    async handle(request) {
      const nodeName = (request.object as NodeOperation | null | undefined)?.spec?.nodeName;
      const nodeFound = request.operation === 'CREATE' && nodeName ? await nodeExists(nodeName) : undefined;
      return validateNodeOperationAdmission(request, nodeFound);
    },
  };
}

/** A {@link NodeExists} asking the API server (one GET per created NodeOperation). */
export function nodeExistsVia(client: KubeClient): NodeExists {
  return async (name) => {
    try {
      await client.get(NodeKind, { name });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  };
}

/**
 * The webhook entry of the ValidatingWebhookConfiguration: NodeOperation CREATE and UPDATE (not
 * its status subresource, so the controller's status writes never wait for the webhook; not
 * DELETE, so operations can always be removed). `clientConfig` is `{url, caBundle}` or
 * `{service, caBundle}` pointing at {@link NODE_OPERATION_WEBHOOK}.path.
 */
export function nodeOperationValidatingWebhook(clientConfig: Record<string, unknown>, timeoutSeconds = 5): Record<string, unknown> {
  return {
    name: NODE_OPERATION_WEBHOOK.name,
    clientConfig,
    rules: [{ apiGroups: [group], apiVersions: [version], resources: ['nodeoperations'], operations: ['CREATE', 'UPDATE'], scope: 'Cluster' }],
    failurePolicy: 'Fail', matchPolicy: 'Equivalent', sideEffects: 'None', timeoutSeconds, admissionReviewVersions: ['v1'],
  };
}
