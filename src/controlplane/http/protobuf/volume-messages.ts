/**
 * Field tables of core/v1 Volume and VolumeMount for the volume sources a workload on this
 * platform uses (hostPath — which `kubectl debug node/…` mounts —, emptyDir, configMap, secret,
 * persistentVolumeClaim). Other sources are absent, so a body carrying one is refused (415).
 * Field numbers come from k8s.io/api/core/v1/generated.proto.
 */
import { message } from './message-schema.ts';

const keyToPath = message('KeyToPath', {
  1: ['key', 'string', 'pointer'],
  2: ['path', 'string', 'pointer'],
  3: ['mode', 'int32', 'pointer'],
});

const hostPathVolumeSource = message('HostPathVolumeSource', {
  1: ['path', 'string', 'pointer'],
  2: ['type', 'string', 'pointer'],
});

const emptyDirVolumeSource = message('EmptyDirVolumeSource', {
  1: ['medium', 'string'],
  2: ['sizeLimit', 'quantity', 'pointer'],
});

const secretVolumeSource = message('SecretVolumeSource', {
  1: ['secretName', 'string'],
  2: ['items', keyToPath, 'list'],
  3: ['defaultMode', 'int32', 'pointer'],
  4: ['optional', 'bool', 'pointer'],
});

const configMapVolumeSource = message('ConfigMapVolumeSource', {
  // LocalObjectReference, inline in Go: its `name` sits beside `items` in JSON.
  1: ['', message('LocalObjectReference', { 1: ['name', 'string'] })],
  2: ['items', keyToPath, 'list'],
  3: ['defaultMode', 'int32', 'pointer'],
  4: ['optional', 'bool', 'pointer'],
});

const persistentVolumeClaimVolumeSource = message('PersistentVolumeClaimVolumeSource', {
  1: ['claimName', 'string', 'pointer'],
  2: ['readOnly', 'bool'],
});

const volumeSource = message('VolumeSource', {
  1: ['hostPath', hostPathVolumeSource, 'pointer'],
  2: ['emptyDir', emptyDirVolumeSource, 'pointer'],
  6: ['secret', secretVolumeSource, 'pointer'],
  10: ['persistentVolumeClaim', persistentVolumeClaimVolumeSource, 'pointer'],
  19: ['configMap', configMapVolumeSource, 'pointer'],
});

/** core/v1 Volume: a name plus one source, inline in JSON (field 2 on the wire). */
export const volume = message('Volume', {
  1: ['name', 'string', 'pointer'],
  2: ['', volumeSource],
});

/** core/v1 VolumeMount. */
export const volumeMount = message('VolumeMount', {
  1: ['name', 'string', 'pointer'],
  2: ['readOnly', 'bool'],
  7: ['recursiveReadOnly', 'string', 'pointer'],
  3: ['mountPath', 'string', 'pointer'],
  4: ['subPath', 'string'],
  5: ['mountPropagation', 'string', 'pointer'],
  6: ['subPathExpr', 'string'],
});
