/**
 * Field tables of rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding and
 * ClusterRoleBinding, as `kubectl create role|clusterrole|rolebinding|clusterrolebinding` writes
 * them. Field numbers come from k8s.io/api/rbac/v1/generated.proto.
 */
import { labelSelector, objectMeta } from './meta-messages.ts';
import { message } from './message-schema.ts';

const policyRule = message('PolicyRule', {
  1: ['verbs', 'string', 'list'],
  2: ['apiGroups', 'string', 'list'],
  3: ['resources', 'string', 'list'],
  4: ['resourceNames', 'string', 'list'],
  5: ['nonResourceURLs', 'string', 'list'],
});

const subject = message('Subject', {
  1: ['kind', 'string', 'pointer'],
  2: ['apiGroup', 'string'],
  3: ['name', 'string', 'pointer'],
  4: ['namespace', 'string'],
});

// RoleRef's three fields have no omitempty in Go.
const roleRef = message('RoleRef', {
  1: ['apiGroup', 'string', 'pointer'],
  2: ['kind', 'string', 'pointer'],
  3: ['name', 'string', 'pointer'],
});

const aggregationRule = message('AggregationRule', {
  1: ['clusterRoleSelectors', labelSelector, 'list'],
});

/** rbac/v1 Role. */
export const role = message('Role', {
  1: ['metadata', objectMeta],
  2: ['rules', policyRule, 'list'],
});

/** rbac/v1 ClusterRole. */
export const clusterRole = message('ClusterRole', {
  1: ['metadata', objectMeta],
  2: ['rules', policyRule, 'list'],
  3: ['aggregationRule', aggregationRule, 'pointer'],
});

/** rbac/v1 RoleBinding. */
export const roleBinding = message('RoleBinding', {
  1: ['metadata', objectMeta],
  2: ['subjects', subject, 'list'],
  3: ['roleRef', roleRef],
});

/** rbac/v1 ClusterRoleBinding. */
export const clusterRoleBinding = message('ClusterRoleBinding', {
  1: ['metadata', objectMeta],
  2: ['subjects', subject, 'list'],
  3: ['roleRef', roleRef],
});
