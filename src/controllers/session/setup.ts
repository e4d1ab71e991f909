/**
 * Wiring of the Session controller: what it reconciles (Sessions), what it owns (Deployment,
 * Service and the route kind in use) and what else wakes it up: a Template change re-queues the
 * sessions using it, a pod change its session (pod failures and readiness), a home claim change
 * the sessions of its user (HomeVolumeBound).
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import { controllerManagedBy } from '../../runtime/builder.ts';
import type { Controller } from '../../runtime/controller.ts';
import type { EventRecorder } from '../../runtime/event-recorder.ts';
import type { MapFunc } from '../../runtime/handler.ts';
import type { Manager } from '../../runtime/manager.ts';
import { predicateFuncs, type Predicate } from '../../runtime/predicate.ts';
import type { FreshClient } from '../fresh-client.ts';
import { ClaimKind, DeploymentKind, PodKind, ServiceKind, SessionKind, TemplateKind } from '../kinds.ts';
import type { ControllerSettings } from '../settings.ts';
import type { SessionMetrics } from './metrics.ts';
import { objectKeyOf, type ObjectIndex } from '../object-index.ts';
import { sessionIndexes } from './indexes.ts';
import { ANNOTATIONS, LABELS, MANAGED_BY } from '../../apis/stream/v1alpha1/naming.ts';
import { SessionReconciler } from './reconciler.ts';
import { routeKindOf } from './routes.ts';

/** What the Session controller is built from. */
export interface SessionControllerDeps {
  client: FreshClient;
  recorder: EventRecorder;
  metrics: SessionMetrics;
  settings: ControllerSettings;
}

/** Passes only objects the StreamSpace controller manages. */
function managedByUs(): Predicate {
  const ours = (obj: KubeObject): boolean => obj.metadata.labels?.[LABELS.managedBy] === MANAGED_BY;
  return predicateFuncs({ create: (e) => ours(e.object), update: (e) => ours(e.objectNew), delete: (e) => ours(e.object), generic: (e) => ours(e.object) });
}

/** Maps an object to what `index` files under its own `namespace/name`. */
function filedUnder(index: ObjectIndex): MapFunc {
  return (obj) => index.lookup(objectKeyOf(obj));
}

/** Pod → its session, named exactly in the pod's annotation (labels may be shortened). */
const sessionOfPod: MapFunc = (pod) => {
  const name = pod.metadata.annotations?.[ANNOTATIONS.session];
  return name ? [{ namespace: pod.metadata.namespace ?? '', name }] : [];
};

/** Builds the Session controller and registers it with `mgr`. */
export function setupSessionController(mgr: Manager, deps: SessionControllerDeps): Controller {
  const indexes = sessionIndexes(mgr.getCache());
  const logger = mgr.getLogger().child({ controller: 'session' });
  const reconciler = new SessionReconciler({ ...deps, pods: indexes.podsBySession, clock: mgr.getClock(), logger });
  const routeKind = routeKindOf(deps.settings.route);
  for (const kind of [SessionKind, DeploymentKind, ServiceKind, routeKind, ClaimKind]) deps.client.track(kind);
  return controllerManagedBy(mgr)
    .named('session')
    .for(SessionKind)
    .owns(DeploymentKind)
    .owns(ServiceKind)
    .owns(routeKind)
    .watches(TemplateKind, filedUnder(indexes.sessionsByTemplate))
    .watches(PodKind, sessionOfPod, { predicates: [managedByUs()] })
    .watches(ClaimKind, filedUnder(indexes.sessionsByClaim), { predicates: [managedByUs()] })
    .withOptions({ maxConcurrentReconciles: deps.settings.maxConcurrentReconciles })
    .complete(reconciler);
}
