/**
 * The simulated cluster: what kube-controller-manager, kube-scheduler and the kubelets would do,
 * as in-process controllers that react to store changes and write through the API verbs
 * (./internal-client.ts). Started by startControlPlane(); its options change at runtime through
 * PUT /debug/simulation (`set`), which tests use to tune timings and inject failures.
 */
import type { PodLogFollower, PodLogReader } from '../http/resource-handler.ts';
import type { Services } from '../verbs/scope.ts';
import type { Controller, ControllerContext } from './controller.ts';
import { startCrdCleanup } from './garbage-collection/crd-cleanup.ts';
import { startDeployments } from './workloads/deployment.ts';
import { startDisruption } from './workloads/disruption.ts';
import { startEndpoints } from './services/endpoints.ts';
import { EventRecorder } from './events.ts';
import { startGarbageCollector } from './garbage-collection/garbage-collector.ts';
import { startKubelet } from './kubelet/kubelet.ts';
import { startNamespaces } from './namespaces/namespace.ts';
import { startNodeLifecycle } from './nodes/node-lifecycle.ts';
import { startNodes } from './nodes/nodes.ts';
import { startPvcProtection } from './volumes/pvc-protection.ts';
import { startReplicaSets } from './workloads/replicaset.ts';
import { startScheduler } from './scheduling/scheduler.ts';
import { startServiceAccounts } from './namespaces/serviceaccounts.ts';
import { checkSimulationOptions, resolveSimulationOptions, type SimulationOptions } from './simulation-options.ts';
import { startVolumes } from './volumes/volumes.ts';

export type { SimulatedNodeSpec, SimulationOptions } from './simulation-options.ts';

/** A running simulated cluster. */
export interface SimulatedCluster {
  /** Container logs for GET pods/{name}/log (undefined before the container started). */
  podLogs: PodLogReader;
  podLogFollow: PodLogFollower;
  /** The options as set (defaults not filled in). */
  get(): SimulationOptions;
  /** Changes options at runtime; a null resets one to its default. Throws a 400 StatusError on a bad value. */
  set(patch: Partial<SimulationOptions>): void;
  stop(): void;
}

/** Starts the simulated controllers against the store. */
export async function startSimulatedCluster(svc: Services, opts: SimulationOptions, dataDir?: string): Promise<SimulatedCluster> {
  let current: SimulationOptions = { ...checkSimulationOptions(opts) };
  let resolved = resolveSimulationOptions(current);
  const events = new EventRecorder(svc);
  const ctx: ControllerContext = { svc, events, options: () => resolved, dataDir };
  const nodes = await startNodes(ctx, { createIfEmpty: true });
  const volumes = await startVolumes(ctx);
  const kubelet = startKubelet(ctx);
  const controllers: Controller[] = [
    nodes, volumes, kubelet, startNodeLifecycle(ctx), startScheduler(ctx), startReplicaSets(ctx), startDeployments(ctx),
    startEndpoints(ctx), startGarbageCollector(ctx), startCrdCleanup(ctx), startNamespaces(ctx), startServiceAccounts(ctx),
    startDisruption(ctx), startPvcProtection(ctx),
  ];
  return {
    podLogs: kubelet.podLogs,
    podLogFollow: kubelet.podLogFollow,
    get: () => ({ ...current }),
    set(patch) {
      checkSimulationOptions(patch);
      current = { ...current, ...patch };
      for (const [k, v] of Object.entries(patch)) if (v === null) delete (current as Record<string, unknown>)[k];
      resolved = resolveSimulationOptions(current);
      if ('nodes' in patch || 'nodeSpecs' in patch) nodes.resize().catch(() => undefined);
      for (const c of controllers) c.optionsChanged?.();
    },
    stop() {
      for (const c of controllers) c.stop();
      events.stop();
    },
  };
}
