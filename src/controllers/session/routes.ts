/**
 * How a session is reached from outside: its host (`{session}.{domain}` by default), its URL and
 * the object that routes the host to the session Service: an Ingress (the default), an Istio
 * VirtualService or a Gateway API HTTPRoute. The last two are custom resources the cluster may
 * not serve, so they are only built when configured.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { KindRef } from '../../runtime/resources.ts';
import { HttpRouteKind, IngressKind, VirtualServiceKind } from '../kinds.ts';
import type { RouteSettings } from '../settings.ts';
import { childMetadata, streamingEndpoint, type ChildInputs } from './children.ts';
import { STREAM_PORT_NAME } from '../../apis/stream/v1alpha1/naming.ts';
import { sessionHostLabel, workloadName } from '../../apis/stream/v1alpha1/naming.ts';

/** The kind of route object the settings ask for. */
export function routeKindOf(route: RouteSettings): KindRef {
  if (route.kind === 'istio') return VirtualServiceKind;
  if (route.kind === 'gateway-api') return HttpRouteKind;
  return IngressKind;
}

/** The session's host name, from the host pattern. */
export function sessionHost(session: Session, route: RouteSettings): string {
  return route.hostPattern
    .replaceAll('{session}', sessionHostLabel(session))
    .replaceAll('{namespace}', session.metadata.namespace ?? '')
    .replaceAll('{domain}', route.domain);
}

/** The URL the user opens: https when a TLS secret is configured. */
export function sessionUrl({ session, template, settings }: ChildInputs): string {
  const scheme = settings.route.tlsSecretName ? 'https' : 'http';
  return `${scheme}://${sessionHost(session, settings.route)}${streamingEndpoint(template.spec).urlPath}`;
}

/** A networking.k8s.io/v1 Ingress for the session host. */
export function desiredIngress({ session, template, settings }: ChildInputs): KubeObject {
  const { route } = settings;
  const host = sessionHost(session, route);
  const backend = { service: { name: workloadName(session), port: { name: STREAM_PORT_NAME } } };
  return {
    ...IngressKind,
    metadata: childMetadata(session),
    spec: {
      ...(route.ingressClassName ? { ingressClassName: route.ingressClassName } : {}),
      ...(route.tlsSecretName ? { tls: [{ hosts: [host], secretName: route.tlsSecretName }] } : {}),
      rules: [{ host, http: { paths: [{ path: streamingEndpoint(template.spec).urlPath, pathType: 'Prefix', backend }] } }],
    },
  };
}

/** An Istio VirtualService binding the session host on the configured gateway. */
export function desiredVirtualService({ session, template, settings }: ChildInputs): KubeObject {
  const endpoint = streamingEndpoint(template.spec);
  const destination = { host: `${workloadName(session)}.${session.metadata.namespace}.svc.cluster.local`, port: { number: endpoint.port } };
  return {
    ...VirtualServiceKind,
    metadata: childMetadata(session),
    spec: {
      hosts: [sessionHost(session, settings.route)],
      gateways: [settings.route.istioGateway ?? 'istio-system/istio-ingressgateway'],
      http: [{ match: [{ uri: { prefix: endpoint.urlPath } }], route: [{ destination }] }],
    },
  };
}

/** A Gateway API HTTPRoute attaching the session host to the configured Gateway. */
export function desiredHttpRoute({ session, template, settings }: ChildInputs): KubeObject {
  const endpoint = streamingEndpoint(template.spec);
  const gateway = settings.route.gateway ?? { name: 'streamspace' };
  return {
    ...HttpRouteKind,
    metadata: childMetadata(session),
    spec: {
      parentRefs: [{ name: gateway.name, ...(gateway.namespace ? { namespace: gateway.namespace } : {}) }],
      hostnames: [sessionHost(session, settings.route)],
      rules: [{
        matches: [{ path: { type: 'PathPrefix', value: endpoint.urlPath } }],
        backendRefs: [{ name: workloadName(session), port: endpoint.port }],
      }],
    },
  };
}

/** The route object of the configured kind. */
export function desiredRoute(inputs: ChildInputs): KubeObject {
  switch (inputs.settings.route.kind) {
    case 'istio': return desiredVirtualService(inputs);
    case 'gateway-api': return desiredHttpRoute(inputs);
    default: return desiredIngress(inputs);
  }
}
