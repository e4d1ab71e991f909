/**
 * The simulated cluster: what kube-controller-manager, the scheduler and kubelets would do.
 * (Placeholder wiring; the controllers are added in this folder.)
 */
import type { PodLogReader } from '../http/resource-handler.ts';
import type { Services } from '../verbs/scope.ts';

/** Timings and failures of the simulated cluster. */
export interface SimulationOptions {
  nodes?: number;
  [key: string]: unknown;
}

/** A running simulated cluster. */
export interface SimulatedCluster {
  podLogs: PodLogReader;
  get(): SimulationOptions;
  set(patch: Partial<SimulationOptions>): void;
  stop(): void;
}

/** Starts the simulated controllers against the store. */
export async function startSimulatedCluster(_svc: Services, opts: SimulationOptions): Promise<SimulatedCluster> {
  let current = { ...opts };
  return {
    podLogs: () => undefined,
    get: () => current,
    set: (p) => {
      current = { ...current, ...p };
    },
    stop: () => undefined,
  };
}
