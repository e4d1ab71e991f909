/**
 * What every simulated controller is given and what it hands back. Controllers read and write
 * only through an InternalClient of their own (its field manager names the component, as
 * kube-controller-manager, kube-scheduler and kubelet appear in managedFields), react to store
 * change events, and make one initial pass over existing objects so state restored from a data
 * folder is picked up.
 */
import type { Services } from '../verbs/scope.ts';
import type { EventRecorder } from './events.ts';
import { InternalClient } from './internal-client.ts';
import type { ResolvedSimulationOptions } from './simulation-options.ts';

/** The shared context of the simulated controllers. */
export interface ControllerContext {
  svc: Services;
  events: EventRecorder;
  /** The options in force now (they change at runtime through /debug/simulation). */
  options(): ResolvedSimulationOptions;
  /** The data folder (the process runtime keeps its folders under it); undefined in memory. */
  dataDir?: string;
}

/** A running controller. */
export interface Controller {
  stop(): void;
  /** Told when runtime options changed, so timed work can be re-planned. */
  optionsChanged?(): void;
}

/** An API client acting as the named component. */
export function componentClient(ctx: ControllerContext, fieldManager: string): InternalClient {
  return new InternalClient(ctx.svc, fieldManager);
}

/** `namespace/name` (or `/name` for cluster-scoped objects): the queue key of an object. */
export function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** Splits a queue key back into namespace (undefined when cluster-scoped) and name. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf('/');
  return { namespace: slash > 0 ? key.slice(0, slash) : undefined, name: key.slice(slash + 1) };
}
