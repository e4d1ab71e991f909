/**
 * Field table of apps/v1 Deployment (spec, strategy, and the scalars of a client's zero-valued
 * status). Field numbers come from k8s.io/api/apps/v1/generated.proto.
 */
import { labelSelector, objectMeta } from './meta-messages.ts';
import { message } from './message-schema.ts';
import { podTemplateSpec } from './pod-messages.ts';

const rollingUpdateDeployment = message('RollingUpdateDeployment', {
  1: ['maxUnavailable', 'intOrString', 'pointer'],
  2: ['maxSurge', 'intOrString', 'pointer'],
});

const deploymentStrategy = message('DeploymentStrategy', {
  1: ['type', 'string'],
  2: ['rollingUpdate', rollingUpdateDeployment, 'pointer'],
});

const deploymentSpec = message('DeploymentSpec', {
  1: ['replicas', 'int32', 'pointer'],
  2: ['selector', labelSelector, 'pointer'],
  3: ['template', podTemplateSpec],
  4: ['strategy', deploymentStrategy],
  5: ['minReadySeconds', 'int32'],
  6: ['revisionHistoryLimit', 'int32', 'pointer'],
  7: ['paused', 'bool'],
  9: ['progressDeadlineSeconds', 'int32', 'pointer'],
});

const deploymentStatus = message('DeploymentStatus', {
  1: ['observedGeneration', 'int64'],
  2: ['replicas', 'int32'],
  3: ['updatedReplicas', 'int32'],
  7: ['readyReplicas', 'int32'],
  4: ['availableReplicas', 'int32'],
  5: ['unavailableReplicas', 'int32'],
  9: ['terminatingReplicas', 'int32', 'pointer'],
  8: ['collisionCount', 'int32', 'pointer'],
});

/** apps/v1 Deployment. */
export const deployment = message('Deployment', {
  1: ['metadata', objectMeta],
  2: ['spec', deploymentSpec],
  3: ['status', deploymentStatus],
});
