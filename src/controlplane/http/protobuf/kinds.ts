/**
 * Which top-level kinds this server reads from protobuf bodies, by the apiVersion and kind in the
 * envelope: what `kubectl create <kind>` sends with its typed clients, plus the Eviction and
 * DeleteOptions bodies of typed clients' evict and delete calls.
 */
import { deployment } from './apps-messages.ts';
import { configMap, namespace, secret, service, serviceAccount } from './core-messages.ts';
import { deleteOptions } from './meta-messages.ts';
import { ingress } from './networking-messages.ts';
import type { MessageSchema } from './message-schema.ts';
import { pod } from './pod-messages.ts';
import { eviction, podDisruptionBudget } from './policy-messages.ts';
import { clusterRole, clusterRoleBinding, role, roleBinding } from './rbac-messages.ts';

const RBAC = 'rbac.authorization.k8s.io/v1';

const KINDS = new Map<string, MessageSchema>([
  ['v1/Namespace', namespace],
  ['v1/ConfigMap', configMap],
  ['v1/Secret', secret],
  ['v1/Service', service],
  ['v1/ServiceAccount', serviceAccount],
  ['v1/Pod', pod],
  ['apps/v1/Deployment', deployment],
  ['networking.k8s.io/v1/Ingress', ingress],
  ['policy/v1/Eviction', eviction],
  ['policy/v1/PodDisruptionBudget', podDisruptionBudget],
  [`${RBAC}/Role`, role],
  [`${RBAC}/ClusterRole`, clusterRole],
  [`${RBAC}/RoleBinding`, roleBinding],
  [`${RBAC}/ClusterRoleBinding`, clusterRoleBinding],
]);

/** The message table for `apiVersion`/`kind`, or undefined when protobuf bodies of it are not read. */
export function schemaForKind(apiVersion: string, kind: string): MessageSchema | undefined {
  // DeleteOptions is registered in every group version; clients tag it with the one they call.
  if (kind === 'DeleteOptions') return deleteOptions;
  return KINDS.get(`${apiVersion}/${kind}`);
}
