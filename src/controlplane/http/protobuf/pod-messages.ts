/**
 * Field tables of core/v1 Pod, PodSpec, Container and what they embed — a practical subset:
 * containers and init containers (image, command, args, env incl. valueFrom, envFrom, ports,
 * resources, volume mounts, pull policy, security context), common volumes, restart policy,
 * node selector, service account, tolerations, pull secrets and the scalar scheduling knobs.
 * Probes, lifecycle hooks, affinity and topology constraints are deliberately absent: a body
 * carrying them is refused (415) rather than silently stripped. Field numbers come from k8s.io/api/core/v1/generated.proto.
 */
import { objectMeta } from './meta-messages.ts';
import { message } from './message-schema.ts';
import { volume, volumeMount } from './volume-messages.ts';

/** core/v1 LocalObjectReference. */
export const localObjectReference = message('LocalObjectReference', {
  1: ['name', 'string'],
});

const objectFieldSelector = message('ObjectFieldSelector', {
  1: ['apiVersion', 'string'],
  2: ['fieldPath', 'string', 'pointer'],
});

const resourceFieldSelector = message('ResourceFieldSelector', {
  1: ['containerName', 'string'],
  2: ['resource', 'string', 'pointer'],
  3: ['divisor', 'quantity'],
});

// The key selectors embed LocalObjectReference inline in Go (so `name` sits beside `key` in
// JSON) but as field 1 on the wire; the decoder flattens fields whose JSON name is empty.
const configMapKeySelector = message('ConfigMapKeySelector', {
  1: ['', localObjectReference],
  2: ['key', 'string', 'pointer'],
  3: ['optional', 'bool', 'pointer'],
});

const secretKeySelector = message('SecretKeySelector', {
  1: ['', localObjectReference],
  2: ['key', 'string', 'pointer'],
  3: ['optional', 'bool', 'pointer'],
});

const envVarSource = message('EnvVarSource', {
  1: ['fieldRef', objectFieldSelector, 'pointer'],
  2: ['resourceFieldRef', resourceFieldSelector, 'pointer'],
  3: ['configMapKeyRef', configMapKeySelector, 'pointer'],
  4: ['secretKeyRef', secretKeySelector, 'pointer'],
});

const envVar = message('EnvVar', {
  1: ['name', 'string', 'pointer'],
  2: ['value', 'string'],
  3: ['valueFrom', envVarSource, 'pointer'],
});

const configMapEnvSource = message('ConfigMapEnvSource', {
  1: ['', localObjectReference],
  2: ['optional', 'bool', 'pointer'],
});

const secretEnvSource = message('SecretEnvSource', {
  1: ['', localObjectReference],
  2: ['optional', 'bool', 'pointer'],
});

const envFromSource = message('EnvFromSource', {
  1: ['prefix', 'string'],
  2: ['configMapRef', configMapEnvSource, 'pointer'],
  3: ['secretRef', secretEnvSource, 'pointer'],
});

const containerPort = message('ContainerPort', {
  1: ['name', 'string'],
  2: ['hostPort', 'int32'],
  3: ['containerPort', 'int32', 'pointer'],
  4: ['protocol', 'string'],
  5: ['hostIP', 'string'],
});

const resourceClaim = message('ResourceClaim', {
  1: ['name', 'string', 'pointer'],
  2: ['request', 'string'],
});

/** core/v1 ResourceRequirements (limits and requests are maps of Quantity). */
export const resourceRequirements = message('ResourceRequirements', {
  1: ['limits', 'quantity', 'map'],
  2: ['requests', 'quantity', 'map'],
  3: ['claims', resourceClaim, 'list'],
});

const capabilities = message('Capabilities', {
  1: ['add', 'string', 'list'],
  2: ['drop', 'string', 'list'],
});

const seccompProfile = message('SeccompProfile', {
  1: ['type', 'string', 'pointer'],
  2: ['localhostProfile', 'string', 'pointer'],
});

const securityContext = message('SecurityContext', {
  1: ['capabilities', capabilities, 'pointer'],
  2: ['privileged', 'bool', 'pointer'],
  4: ['runAsUser', 'int64', 'pointer'],
  8: ['runAsGroup', 'int64', 'pointer'],
  5: ['runAsNonRoot', 'bool', 'pointer'],
  6: ['readOnlyRootFilesystem', 'bool', 'pointer'],
  7: ['allowPrivilegeEscalation', 'bool', 'pointer'],
  9: ['procMount', 'string', 'pointer'],
  11: ['seccompProfile', seccompProfile, 'pointer'],
});

const container = message('Container', {
  1: ['name', 'string', 'pointer'],
  2: ['image', 'string'],
  3: ['command', 'string', 'list'],
  4: ['args', 'string', 'list'],
  5: ['workingDir', 'string'],
  6: ['ports', containerPort, 'list'],
  19: ['envFrom', envFromSource, 'list'],
  7: ['env', envVar, 'list'],
  8: ['resources', resourceRequirements],
  24: ['restartPolicy', 'string', 'pointer'],
  9: ['volumeMounts', volumeMount, 'list'],
  13: ['terminationMessagePath', 'string'],
  20: ['terminationMessagePolicy', 'string'],
  14: ['imagePullPolicy', 'string'],
  15: ['securityContext', securityContext, 'pointer'],
  16: ['stdin', 'bool'],
  17: ['stdinOnce', 'bool'],
  18: ['tty', 'bool'],
});

const podSecurityContext = message('PodSecurityContext', {
  2: ['runAsUser', 'int64', 'pointer'],
  6: ['runAsGroup', 'int64', 'pointer'],
  3: ['runAsNonRoot', 'bool', 'pointer'],
  4: ['supplementalGroups', 'int64', 'list'],
  12: ['supplementalGroupsPolicy', 'string', 'pointer'],
  5: ['fsGroup', 'int64', 'pointer'],
  9: ['fsGroupChangePolicy', 'string', 'pointer'],
  10: ['seccompProfile', seccompProfile, 'pointer'],
});

const toleration = message('Toleration', {
  1: ['key', 'string'],
  2: ['operator', 'string'],
  3: ['value', 'string'],
  4: ['effect', 'string'],
  5: ['tolerationSeconds', 'int64', 'pointer'],
});

const podOS = message('PodOS', {
  1: ['name', 'string', 'pointer'],
});

/** core/v1 PodSpec (the subset described at the top of this file). */
export const podSpec = message('PodSpec', {
  1: ['volumes', volume, 'list'],
  20: ['initContainers', container, 'list'],
  2: ['containers', container, 'list'],
  3: ['restartPolicy', 'string'],
  4: ['terminationGracePeriodSeconds', 'int64', 'pointer'],
  5: ['activeDeadlineSeconds', 'int64', 'pointer'],
  6: ['dnsPolicy', 'string'],
  7: ['nodeSelector', 'string', 'map'],
  8: ['serviceAccountName', 'string'],
  9: ['serviceAccount', 'string'],
  21: ['automountServiceAccountToken', 'bool', 'pointer'],
  10: ['nodeName', 'string'],
  11: ['hostNetwork', 'bool'],
  12: ['hostPID', 'bool'],
  13: ['hostIPC', 'bool'],
  27: ['shareProcessNamespace', 'bool', 'pointer'],
  14: ['securityContext', podSecurityContext, 'pointer'],
  15: ['imagePullSecrets', localObjectReference, 'list'],
  16: ['hostname', 'string'],
  17: ['subdomain', 'string'],
  19: ['schedulerName', 'string'],
  22: ['tolerations', toleration, 'list'],
  24: ['priorityClassName', 'string'],
  25: ['priority', 'int32', 'pointer'],
  29: ['runtimeClassName', 'string', 'pointer'],
  30: ['enableServiceLinks', 'bool', 'pointer'],
  31: ['preemptionPolicy', 'string', 'pointer'],
  35: ['setHostnameAsFQDN', 'bool', 'pointer'],
  36: ['os', podOS, 'pointer'],
  37: ['hostUsers', 'bool', 'pointer'],
  40: ['resources', resourceRequirements, 'pointer'],
  41: ['hostnameOverride', 'string', 'pointer'],
});

// Only the scalars a client's zero-valued status carries; a create ignores status anyway.
const podStatus = message('PodStatus', {
  17: ['observedGeneration', 'int64'],
  1: ['phase', 'string'],
  3: ['message', 'string'],
  4: ['reason', 'string'],
  11: ['nominatedNodeName', 'string'],
  5: ['hostIP', 'string'],
  6: ['podIP', 'string'],
  7: ['startTime', 'time', 'pointer'],
  9: ['qosClass', 'string'],
  14: ['resize', 'string'],
});

/** core/v1 Pod. */
export const pod = message('Pod', {
  1: ['metadata', objectMeta],
  2: ['spec', podSpec],
  3: ['status', podStatus],
});

/** core/v1 PodTemplateSpec (Deployment's template). */
export const podTemplateSpec = message('PodTemplateSpec', {
  1: ['metadata', objectMeta],
  2: ['spec', podSpec],
});
