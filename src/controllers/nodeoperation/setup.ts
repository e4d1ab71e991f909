/**
 * Wiring of the NodeOperation controller: it reconciles NodeOperations, and an operation's change
 * also wakes the unfinished operations on the same node, so one waiting behind another starts as
 * soon as that one finishes.
 */
import type { NodeOperation } from '../../apis/stream/v1alpha1/nodeoperation.ts';
import { controllerManagedBy } from '../../runtime/builder.ts';
import type { Controller } from '../../runtime/controller.ts';
import type { EventRecorder } from '../../runtime/event-recorder.ts';
import type { MapFunc } from '../../runtime/handler.ts';
import type { Manager } from '../../runtime/manager.ts';
import type { FreshClient } from '../fresh-client.ts';
import { DEFAULT_DRAIN_TIMING, NodeDrainer, type DrainTiming } from './drain.ts';
import { ApiPodEvictor, type PodEvictor } from './eviction.ts';
import { NodeOperationKind, registerNodeOperationKinds } from './kinds.ts';
import { isFinished } from './ordering.ts';
import { NodeOperationReconciler } from './reconciler.ts';
import { RetryBackoff } from './retry-backoff.ts';
import { SessionDrainNotifier } from './session-events.ts';

/** What the NodeOperation controller is built from. */
export interface NodeOperationControllerDeps {
  /** The controllers' shared client (cache plus own writes). */
  client: FreshClient;
  recorder: EventRecorder;
  /** Drain retry and poll intervals (defaults: {@link DEFAULT_DRAIN_TIMING}). */
  drainTiming?: Partial<DrainTiming>;
  /** Operations carried out in parallel, on different nodes (default 2). */
  maxConcurrentReconciles?: number;
  /** Replaces the eviction subresource (tests). */
  evictor?: PodEvictor;
}

/** NodeOperation → the other unfinished operations on its node. */
function operationsOnSameNode(client: FreshClient): MapFunc {
  return (changed) => {
    const node = (changed as NodeOperation).spec?.nodeName;
    return client.list<NodeOperation>(NodeOperationKind)
      .filter((o) => o.spec?.nodeName === node && o.metadata.name !== changed.metadata.name && !isFinished(o))
      .map((o) => ({ namespace: '', name: o.metadata.name ?? '' }));
  };
}

/** Builds the NodeOperation controller and registers it with `mgr`. */
export function setupNodeOperationController(mgr: Manager, deps: NodeOperationControllerDeps): Controller {
  const api = mgr.getClient();
  registerNodeOperationKinds(api.resources);
  deps.client.track(NodeOperationKind);
  const logger = mgr.getLogger().child({ controller: 'nodeoperation' });
  const timing = { ...DEFAULT_DRAIN_TIMING, ...deps.drainTiming };
  const drainer = new NodeDrainer({
    api, timing,
    evictor: deps.evictor ?? new ApiPodEvictor(api),
    notifier: new SessionDrainNotifier(api, deps.recorder, logger),
    backoff: new RetryBackoff({ baseMs: timing.retryBaseMs, maxMs: timing.retryMaxMs }),
  });
  const reconciler = new NodeOperationReconciler({ client: deps.client, api, drainer, recorder: deps.recorder, clock: mgr.getClock(), logger });
  return controllerManagedBy(mgr)
    .named('nodeoperation')
    .for(NodeOperationKind)
    .watches(NodeOperationKind, operationsOnSameNode(deps.client))
    .withOptions({ maxConcurrentReconciles: deps.maxConcurrentReconciles ?? 2 })
    .complete(reconciler);
}
