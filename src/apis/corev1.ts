/**
 * The subset of core/v1 container types our resources embed (resources, ports, env, mounts),
 * trimmed to the fields StreamSpace passes through to the session pod.
 */
import { Type, type Static } from '@sinclair/typebox';
import { QuantityMap, StringEnum } from './structural.ts';

/** corev1.ResourceRequirements without `claims`: CPU/memory requests and limits. */
export function ResourceRequirements(description: string) {
  return Type.Object({
    requests: Type.Optional(QuantityMap({
      description: 'Minimum resources the pod is scheduled with, by resource name (for example `cpu: 500m`, `memory: 1Gi`).',
    })),
    limits: Type.Optional(QuantityMap({
      description: 'Maximum resources the container may use, by resource name (for example `cpu: "2"`, `memory: 4Gi`).',
    })),
  }, { description });
}

/** The TypeScript shape of a resource requirements block. */
export type ResourceRequirements = Static<ReturnType<typeof ResourceRequirements>>;

/** corev1.ContainerPort, trimmed to name, port and protocol. */
export const ContainerPort = Type.Object({
  name: Type.Optional(Type.String({
    description: 'IANA service name for the port (at most 15 lowercase letters, digits and dashes); unique within the template.',
    maxLength: 15,
  })),
  containerPort: Type.Integer({ description: 'Port number the container listens on (1-65535).', format: 'int32', minimum: 1, maximum: 65535 }),
  protocol: Type.Optional(StringEnum(['TCP', 'UDP', 'SCTP'] as const, { description: 'Transport protocol of the port.', default: 'TCP' })),
}, { description: 'A network port the session container exposes.' });

/** The TypeScript shape of a container port. */
export type ContainerPort = Static<typeof ContainerPort>;

/** corev1.EnvVar with a literal value only (no valueFrom: templates are shared, secrets are per session). */
export const EnvVar = Type.Object({
  name: Type.String({ description: 'Environment variable name (letters, digits, `_`, `-`, `.`; not starting with a digit).', minLength: 1 }),
  value: Type.Optional(Type.String({ description: 'Literal value of the variable. Defaults to the empty string.' })),
}, { description: 'An environment variable set in the session container.' });

/** The TypeScript shape of an environment variable. */
export type EnvVar = Static<typeof EnvVar>;

/** corev1.VolumeMount, trimmed to the fields a template may set. */
export const VolumeMount = Type.Object({
  name: Type.String({ description: 'Name of the pod volume to mount (the session controller provides `user-home` for the persistent home).', minLength: 1 }),
  mountPath: Type.String({ description: 'Absolute path inside the container where the volume is mounted.', minLength: 1 }),
  subPath: Type.Optional(Type.String({ description: 'Path within the volume to mount instead of its root.' })),
  readOnly: Type.Optional(Type.Boolean({ description: 'Mount the volume read-only.', default: false })),
}, { description: 'A volume mounted into the session container.' });

/** The TypeScript shape of a volume mount. */
export type VolumeMount = Static<typeof VolumeMount>;
