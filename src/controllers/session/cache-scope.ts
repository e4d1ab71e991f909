/**
 * What the Session controller's cache holds of the kinds it creates (controller-runtime's
 * cache.ByObject). Without it the controller would cache every Pod, Deployment and Service of
 * every namespace it watches, most of them not ours; with it the API server sends only objects
 * labelled as ours, and Pods are cached without their spec, which no reader needs (the
 * controller reads a pod's labels, annotations and status).
 *
 * Only children written by server-side apply are narrowed by label: if someone strips the label,
 * the child leaves the cache, the session is reconciled, and the apply puts the label back.
 * Home volume claims stay unnarrowed: they are created once and never re-applied.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { ByObject } from '../../runtime/cache.ts';
import { DeploymentKind, PodKind, ServiceKind } from '../kinds.ts';
import { LABELS, MANAGED_BY } from '../../apis/stream/v1alpha1/naming.ts';
import type { RouteSettings } from '../settings.ts';
import { routeKindOf } from './routes.ts';

const OURS = `${LABELS.managedBy}=${MANAGED_BY}`;

/** The cache narrowing for a controller routing sessions with `route`. */
export function sessionCacheScope(route: RouteSettings): ByObject[] {
  return [
    { kind: PodKind, labelSelector: OURS, transform: withoutPodSpec },
    { kind: DeploymentKind, labelSelector: OURS },
    { kind: ServiceKind, labelSelector: OURS },
    { kind: routeKindOf(route), labelSelector: OURS },
  ];
}

/** A pod without its spec (containers, volumes, env: the bulk of a pod), keeping the node it runs on. */
function withoutPodSpec(pod: KubeObject): KubeObject {
  const nodeName = (pod as { spec?: { nodeName?: string } }).spec?.nodeName;
  (pod as { spec?: unknown }).spec = nodeName ? { nodeName } : {};
  return pod;
}
