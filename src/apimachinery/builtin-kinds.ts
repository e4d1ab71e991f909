/**
 * The built-in (and optional third-party) kinds StreamSpace reads and writes, one reference per
 * kind. StreamSpace's own kinds are in src/apis/stream/v1alpha1/kinds.ts.
 */
import type { KindRef } from './kind.ts';

/** v1 Pod. */
export const PodKind = { apiVersion: 'v1', kind: 'Pod' } as const satisfies KindRef;
/** v1 Node. */
export const NodeKind = { apiVersion: 'v1', kind: 'Node' } as const satisfies KindRef;
/** v1 Namespace. */
export const NamespaceKind = { apiVersion: 'v1', kind: 'Namespace' } as const satisfies KindRef;
/** v1 Event. */
export const EventKind = { apiVersion: 'v1', kind: 'Event' } as const satisfies KindRef;
/** v1 Service. */
export const ServiceKind = { apiVersion: 'v1', kind: 'Service' } as const satisfies KindRef;
/** v1 PersistentVolumeClaim. */
export const ClaimKind = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' } as const satisfies KindRef;
/** apps/v1 Deployment. */
export const DeploymentKind = { apiVersion: 'apps/v1', kind: 'Deployment' } as const satisfies KindRef;
/** networking.k8s.io/v1 Ingress. */
export const IngressKind = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' } as const satisfies KindRef;
/** Istio's networking.istio.io/v1beta1 VirtualService (served only where Istio is installed). */
export const VirtualServiceKind = { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService' } as const satisfies KindRef;
/** Gateway API's gateway.networking.k8s.io/v1 HTTPRoute (served only where Gateway API is installed). */
export const HttpRouteKind = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' } as const satisfies KindRef;
