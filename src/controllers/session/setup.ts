/**
 * Wiring of the Session controller: what it reconciles (Sessions), what it owns (Deployment,
 * Service and the route kind in use) and what else wakes it up: a Template change re-queues the
 * sessions using it, a pod change its session (pod failures and readiness), a home claim change
 * the sessions of its user (HomeVolumeBound).
 */
import type { KubeObject } from '../../controlplane/api/object.ts';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import { controllerManagedBy } from '../../runtime/builder.ts';
import type { Controller } from '../../runtime/controller.ts';
import type { EventRecorder } from '../../runtime/event-recorder.ts';
import type { MapFunc } from '../../runtime/handler.ts';
import type { Manager } from '../../runtime/manager.ts';
import { predicateFuncs, type Predicate } from '../../runtime/predicate.ts';
import type { Request } from '../../runtime/reconcile.ts';
import type { FreshClient } from '../fresh-client.ts';
import { ClaimKind, DeploymentKind, PodKind, ServiceKind, SessionKind, TemplateKind } from '../kinds.ts';
import type { ControllerSettings } from '../settings.ts';
import type { SessionMetrics } from './metrics.ts';
import { ANNOTATIONS, homeClaimName, LABELS, MANAGED_BY } from './naming.ts';
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

/** The sessions of a namespace whose spec matches `test`, as requests. */
function sessionsWhere(client: FreshClient, namespace: string | undefined, test: (s: Session) => boolean): Request[] {
  return client.list<Session>(SessionKind, { namespace })
    .filter(test)
    .map((s) => ({ namespace: s.metadata.namespace ?? '', name: s.metadata.name ?? '' }));
}

/** Template → the sessions launched from it. */
function sessionsUsingTemplate(client: FreshClient): MapFunc {
  return (template) => sessionsWhere(client, template.metadata.namespace, (s) => s.spec.template === template.metadata.name);
}

/** Home claim → the sessions of its user. */
function sessionsOfClaim(client: FreshClient): MapFunc {
  return (claim) => sessionsWhere(client, claim.metadata.namespace, (s) => homeClaimName(s.spec.user) === claim.metadata.name);
}

/** Pod → its session, named exactly in the pod's annotation (labels may be shortened). */
const sessionOfPod: MapFunc = (pod) => {
  const name = pod.metadata.annotations?.[ANNOTATIONS.session];
  return name ? [{ namespace: pod.metadata.namespace ?? '', name }] : [];
};

/** Builds the Session controller and registers it with `mgr`. */
export function setupSessionController(mgr: Manager, deps: SessionControllerDeps): Controller {
  const reconciler = new SessionReconciler({ ...deps, clock: mgr.getClock(), logger: mgr.getLogger().child({ controller: 'session' }) });
  const routeKind = routeKindOf(deps.settings.route);
  for (const kind of [SessionKind, DeploymentKind, ServiceKind, routeKind, ClaimKind]) deps.client.track(kind);
  return controllerManagedBy(mgr)
    .named('session')
    .for(SessionKind)
    .owns(DeploymentKind)
    .owns(ServiceKind)
    .owns(routeKind)
    .watches(TemplateKind, sessionsUsingTemplate(deps.client))
    .watches(PodKind, sessionOfPod, { predicates: [managedByUs()] })
    .watches(ClaimKind, sessionsOfClaim(deps.client), { predicates: [managedByUs()] })
    .withOptions({ maxConcurrentReconciles: deps.settings.maxConcurrentReconciles })
    .complete(reconciler);
}
