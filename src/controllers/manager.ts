/**
 * The StreamSpace controller manager: one runtime Manager running the Session and Template
 * controllers, with leader election, the probe/metrics endpoint and the controllers' metrics,
 * all configured from {@link ControllerSettings}. The CLI (`streamspace controller`, `streamspace
 * up`), the tests and the benchmark all start the controllers through here.
 *
 * Events are written through a client of their own, so the request counts of the object client
 * say exactly what reconciling cost (the benchmark's writes per lifecycle step) and event
 * traffic is counted apart.
 */
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { InformerTiming } from '../runtime/cache.ts';
import { KubeClient, type ClusterConfig, type RequestStats } from '../runtime/client.ts';
import type { Clock } from '../runtime/clock.ts';
import { KubeEventRecorder } from '../runtime/event-recorder.ts';
import type { LeaderElectionTiming } from '../runtime/leader-election.ts';
import { Manager } from '../runtime/manager.ts';
import { FreshClient } from './fresh-client.ts';
import { SessionKind, streamspaceResources } from './kinds.ts';
import { SessionMetrics } from './session/metrics.ts';
import { sessionCacheScope } from './session/cache-scope.ts';
import { setupSessionController } from './session/setup.ts';
import type { ControllerSettings } from './settings.ts';
import { setupTemplateController } from './template/setup.ts';
import { setupNodeOperationController } from './nodeoperation/setup.ts';

/** The field manager of every write the controllers make. */
export const FIELD_MANAGER = 'streamspace-controller';

/** Options of {@link createControllerManager}; everything but the connection and settings is for tests and embedding. */
export interface ControllerManagerOptions {
  kubeConfig: ClusterConfig;
  settings: ControllerSettings;
  clock?: Clock;
  logger?: Logger;
  /** Leader election identity (default: hostname and a random suffix). */
  identity?: string;
  /** Leader election durations (default: 15 s lease, 10 s renew deadline, 2 s retry). */
  leaderElectionTiming?: LeaderElectionTiming;
  /** Release the lease on a clean stop (default true). */
  releaseOnCancel?: boolean;
  /** Probe/metrics endpoint; `false` disables it (default: the settings' host and port). */
  http?: { host?: string; port: number } | false;
  /** Informer timing (tests shorten backoffs). */
  cache?: InformerTiming;
  gracefulShutdownTimeoutMs?: number;
  /** Also export process metrics (RSS, CPU, event loop lag), as the `controller` command does. */
  processMetrics?: boolean;
}

/** A configured controller manager, ready to start. */
export interface ControllerManager {
  readonly manager: Manager;
  /** Runs the controllers until `signal` aborts (rejects if the manager fails or loses leadership). */
  start(signal: AbortSignal): Promise<void>;
  /** Requests the controllers made to read and change objects (leader election included, Events excluded). */
  objectRequests(): RequestStats;
  /** Requests made to record Events. */
  eventRequests(): RequestStats;
  /** Base URL of /healthz, /readyz and /metrics once started ('' when disabled). */
  url(): string;
}

function registerRequestGauge(registry: Registry, clients: Record<string, KubeClient>): void {
  new Gauge({
    name: 'streamspace_controller_api_requests',
    help: 'API requests made by the controllers since start, by client (objects or events) and type (read or write).',
    labelNames: ['client', 'type'], registers: [registry],
    collect() {
      for (const [client, c] of Object.entries(clients)) {
        const stats = c.requestStats();
        this.set({ client, type: 'read' }, stats.reads);
        this.set({ client, type: 'write' }, stats.writes);
      }
    },
  });
}

function leaderElection(opts: ControllerManagerOptions) {
  const { leaderElection: le } = opts.settings;
  if (!le.enabled) return undefined;
  return { namespace: le.namespace, name: le.name, identity: opts.identity, releaseOnCancel: opts.releaseOnCancel, ...opts.leaderElectionTiming };
}

/** Builds the manager and both controllers (nothing runs until start()). */
export function createControllerManager(opts: ControllerManagerOptions): ControllerManager {
  const { settings } = opts;
  const { kubeConfig } = opts;
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  const http = opts.http === false ? undefined : opts.http ?? { host: settings.metrics.host, port: settings.metrics.port };
  const resources = streamspaceResources();
  const manager = new Manager({
    kubeConfig, fieldManager: FIELD_MANAGER, resources, registry, clock: opts.clock, http,
    logger: opts.logger ?? pino({ name: 'streamspace-controller' }),
    cache: { ...opts.cache, namespace: settings.namespace, byObject: sessionCacheScope(settings.route) },
    leaderElection: leaderElection(opts),
    gracefulShutdownTimeoutMs: opts.gracefulShutdownTimeoutMs,
  });
  const eventsClient = new KubeClient({ kubeConfig, fieldManager: FIELD_MANAGER, resources, metrics: manager.getMetrics() });
  const recorder = new KubeEventRecorder({
    client: eventsClient, component: FIELD_MANAGER, host: hostname(), clock: manager.getClock(), logger: manager.getLogger(),
  });
  // Runs on every replica, not only the leader, and returns after the controllers stopped: flushes their last events.
  manager.add({ needsLeaderElection: () => false, start: (signal) => untilAborted(signal).then(() => recorder.flush()) });
  const client = new FreshClient({ client: manager.getClient(), cache: manager.getCache(), clock: manager.getClock() });
  const metrics = new SessionMetrics(registry, () => client.list<Session>(SessionKind).map((s) => s.status?.phase ?? ''));
  registerRequestGauge(registry, { objects: manager.getClient(), events: eventsClient });
  setupTemplateController(manager, client);
  setupSessionController(manager, { client, recorder, metrics, settings });
  setupNodeOperationController(manager, { client, recorder, maxConcurrentReconciles: settings.maxConcurrentReconciles });
  return {
    manager,
    start: (signal) => manager.start(signal),
    objectRequests: () => manager.getClient().requestStats(),
    eventRequests: () => eventsClient.requestStats(),
    url: () => manager.httpUrl(),
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
