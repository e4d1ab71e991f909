/**
 * Field table of networking.k8s.io/v1 Ingress, as `kubectl create ingress` writes it. Field
 * numbers come from k8s.io/api/networking/v1/generated.proto (TypedLocalObjectReference from
 * core/v1).
 */
import { objectMeta } from './meta-messages.ts';
import { message } from './message-schema.ts';

const serviceBackendPort = message('ServiceBackendPort', {
  1: ['name', 'string'],
  2: ['number', 'int32'],
});

const ingressServiceBackend = message('IngressServiceBackend', {
  1: ['name', 'string', 'pointer'],
  2: ['port', serviceBackendPort],
});

const typedLocalObjectReference = message('TypedLocalObjectReference', {
  1: ['apiGroup', 'string', 'pointer'],
  2: ['kind', 'string', 'pointer'],
  3: ['name', 'string', 'pointer'],
});

const ingressBackend = message('IngressBackend', {
  4: ['service', ingressServiceBackend, 'pointer'],
  3: ['resource', typedLocalObjectReference, 'pointer'],
});

const httpIngressPath = message('HTTPIngressPath', {
  1: ['path', 'string'],
  3: ['pathType', 'string', 'pointer'],
  2: ['backend', ingressBackend],
});

const httpIngressRuleValue = message('HTTPIngressRuleValue', {
  1: ['paths', httpIngressPath, 'list'],
});

const ingressRuleValue = message('IngressRuleValue', {
  1: ['http', httpIngressRuleValue, 'pointer'],
});

const ingressRule = message('IngressRule', {
  1: ['host', 'string'],
  // IngressRuleValue is inline in Go: `http` sits beside `host` in JSON.
  2: ['', ingressRuleValue],
});

const ingressTLS = message('IngressTLS', {
  1: ['hosts', 'string', 'list'],
  2: ['secretName', 'string'],
});

const ingressSpec = message('IngressSpec', {
  4: ['ingressClassName', 'string', 'pointer'],
  1: ['defaultBackend', ingressBackend, 'pointer'],
  2: ['tls', ingressTLS, 'list'],
  3: ['rules', ingressRule, 'list'],
});

// A client's zero-valued status: loadBalancer is a value struct, so it is always on the wire.
const ingressStatus = message('IngressStatus', {
  1: ['loadBalancer', message('IngressLoadBalancerStatus', {})],
});

/** networking/v1 Ingress. */
export const ingress = message('Ingress', {
  1: ['metadata', objectMeta],
  2: ['spec', ingressSpec],
  3: ['status', ingressStatus],
});
