/**
 * Field tables of the core/v1 kinds `kubectl create` writes besides pods: Namespace, ConfigMap,
 * Secret, Service and ServiceAccount. Field numbers come from k8s.io/api/core/v1/generated.proto.
 */
import { objectMeta } from './meta-messages.ts';
import { message } from './message-schema.ts';
import { localObjectReference } from './pod-messages.ts';

const namespaceSpec = message('NamespaceSpec', {
  1: ['finalizers', 'string', 'list'],
});

const namespaceStatus = message('NamespaceStatus', {
  1: ['phase', 'string'],
});

/** core/v1 Namespace. */
export const namespace = message('Namespace', {
  1: ['metadata', objectMeta],
  2: ['spec', namespaceSpec],
  3: ['status', namespaceStatus],
});

/** core/v1 ConfigMap (binaryData values are bytes → base64). */
export const configMap = message('ConfigMap', {
  1: ['metadata', objectMeta],
  4: ['immutable', 'bool', 'pointer'],
  2: ['data', 'string', 'map'],
  3: ['binaryData', 'bytes', 'map'],
});

/** core/v1 Secret (data values are bytes → base64, as the JSON form carries them). */
export const secret = message('Secret', {
  1: ['metadata', objectMeta],
  5: ['immutable', 'bool', 'pointer'],
  2: ['data', 'bytes', 'map'],
  4: ['stringData', 'string', 'map'],
  3: ['type', 'string'],
});

const servicePort = message('ServicePort', {
  1: ['name', 'string'],
  2: ['protocol', 'string'],
  6: ['appProtocol', 'string', 'pointer'],
  3: ['port', 'int32', 'pointer'],
  // A value field in Go: an unset targetPort arrives as int 0, which the decoder leaves out so
  // the server defaults it to `port`, as kube-apiserver treats 0 and "" as unset.
  4: ['targetPort', 'intOrString'],
  5: ['nodePort', 'int32'],
});

const clientIPConfig = message('ClientIPConfig', {
  1: ['timeoutSeconds', 'int32', 'pointer'],
});

const sessionAffinityConfig = message('SessionAffinityConfig', {
  1: ['clientIP', clientIPConfig, 'pointer'],
});

const serviceSpec = message('ServiceSpec', {
  1: ['ports', servicePort, 'list'],
  2: ['selector', 'string', 'map'],
  3: ['clusterIP', 'string'],
  18: ['clusterIPs', 'string', 'list'],
  4: ['type', 'string'],
  5: ['externalIPs', 'string', 'list'],
  7: ['sessionAffinity', 'string'],
  8: ['loadBalancerIP', 'string'],
  9: ['loadBalancerSourceRanges', 'string', 'list'],
  10: ['externalName', 'string'],
  11: ['externalTrafficPolicy', 'string'],
  12: ['healthCheckNodePort', 'int32'],
  13: ['publishNotReadyAddresses', 'bool'],
  14: ['sessionAffinityConfig', sessionAffinityConfig, 'pointer'],
  19: ['ipFamilies', 'string', 'list'],
  17: ['ipFamilyPolicy', 'string', 'pointer'],
  20: ['allocateLoadBalancerNodePorts', 'bool', 'pointer'],
  21: ['loadBalancerClass', 'string', 'pointer'],
  22: ['internalTrafficPolicy', 'string', 'pointer'],
  23: ['trafficDistribution', 'string', 'pointer'],
});

// A client's zero-valued status: loadBalancer is a value struct, so it is always on the wire.
const loadBalancerStatus = message('LoadBalancerStatus', {});

const serviceStatus = message('ServiceStatus', {
  1: ['loadBalancer', loadBalancerStatus],
});

/** core/v1 Service. */
export const service = message('Service', {
  1: ['metadata', objectMeta],
  2: ['spec', serviceSpec],
  3: ['status', serviceStatus],
});

const objectReference = message('ObjectReference', {
  1: ['kind', 'string'],
  2: ['namespace', 'string'],
  3: ['name', 'string'],
  4: ['uid', 'string'],
  5: ['apiVersion', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['fieldPath', 'string'],
});

/** core/v1 ServiceAccount. */
export const serviceAccount = message('ServiceAccount', {
  1: ['metadata', objectMeta],
  2: ['secrets', objectReference, 'list'],
  3: ['imagePullSecrets', localObjectReference, 'list'],
  4: ['automountServiceAccountToken', 'bool', 'pointer'],
});
