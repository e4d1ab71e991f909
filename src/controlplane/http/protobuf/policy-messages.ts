/**
 * Field tables of policy/v1 Eviction (the body of POST pods/{name}/eviction) and
 * PodDisruptionBudget. Field numbers come from k8s.io/api/policy/v1/generated.proto.
 */
import { deleteOptions, labelSelector, objectMeta } from './meta-messages.ts';
import { message } from './message-schema.ts';

/** policy/v1 Eviction. */
export const eviction = message('Eviction', {
  1: ['metadata', objectMeta],
  2: ['deleteOptions', deleteOptions, 'pointer'],
});

const podDisruptionBudgetSpec = message('PodDisruptionBudgetSpec', {
  1: ['minAvailable', 'intOrString', 'pointer'],
  2: ['selector', labelSelector, 'pointer'],
  3: ['maxUnavailable', 'intOrString', 'pointer'],
  4: ['unhealthyPodEvictionPolicy', 'string', 'pointer'],
});

// The counters have no omitempty in Go, so they are kept even when zero, as JSON would carry them.
const podDisruptionBudgetStatus = message('PodDisruptionBudgetStatus', {
  1: ['observedGeneration', 'int64'],
  3: ['disruptionsAllowed', 'int32', 'pointer'],
  4: ['currentHealthy', 'int32', 'pointer'],
  5: ['desiredHealthy', 'int32', 'pointer'],
  6: ['expectedPods', 'int32', 'pointer'],
});

/** policy/v1 PodDisruptionBudget. */
export const podDisruptionBudget = message('PodDisruptionBudget', {
  1: ['metadata', objectMeta],
  2: ['spec', podDisruptionBudgetSpec],
  3: ['status', podDisruptionBudgetStatus],
});
