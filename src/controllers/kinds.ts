/**
 * The kinds the StreamSpace controllers read and write, as KindRefs, and the resource table that
 * tells the runtime client where our custom resources (and the optional route kinds) live.
 */
import { ResourceTable, type KindRef, type ResourceRegistration } from '../runtime/resources.ts';
import { apiVersion } from '../apis/stream/v1alpha1/groupversion.ts';

/** stream.streamspace.io/v1alpha1 Session. */
export const SessionKind = { apiVersion, kind: 'Session' } as const satisfies KindRef;
/** stream.streamspace.io/v1alpha1 Template. */
export const TemplateKind = { apiVersion, kind: 'Template' } as const satisfies KindRef;
/** apps/v1 Deployment. */
export const DeploymentKind = { apiVersion: 'apps/v1', kind: 'Deployment' } as const satisfies KindRef;
/** v1 Service. */
export const ServiceKind = { apiVersion: 'v1', kind: 'Service' } as const satisfies KindRef;
/** v1 PersistentVolumeClaim. */
export const ClaimKind = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' } as const satisfies KindRef;
/** v1 Pod. */
export const PodKind = { apiVersion: 'v1', kind: 'Pod' } as const satisfies KindRef;
/** networking.k8s.io/v1 Ingress. */
export const IngressKind = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' } as const satisfies KindRef;
/** Istio's networking.istio.io/v1beta1 VirtualService (served only where Istio is installed). */
export const VirtualServiceKind = { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService' } as const satisfies KindRef;
/** Gateway API's gateway.networking.k8s.io/v1 HTTPRoute (served only where Gateway API is installed). */
export const HttpRouteKind = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' } as const satisfies KindRef;

const CUSTOM_KINDS: ResourceRegistration[] = [
  { ...SessionKind, plural: 'sessions', namespaced: true },
  { ...TemplateKind, plural: 'templates', namespaced: true },
  { ...VirtualServiceKind, plural: 'virtualservices', namespaced: true },
  { ...HttpRouteKind, plural: 'httproutes', namespaced: true },
];

/** The built-in kinds plus every custom kind the controllers may touch. */
export function streamspaceResources(): ResourceTable {
  return new ResourceTable(CUSTOM_KINDS);
}
