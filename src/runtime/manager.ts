/**
 * The Manager owns what controllers share: the client, the informer cache, the metrics
 * registry, event recorders, leader election and the probe/metrics endpoint. It runs
 * Runnables: those that need leader election (controllers) only while elected, the rest
 * always. Shutdown order: stop controllers and drain their in-flight work → release the lease →
 * stop informers → close the endpoint.
 */
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { InformerCache, type ByObject, type InformerTiming } from './cache.ts';
import { KubeClient, type ClusterConfig } from './client.ts';
import { realClock, sleep, type Clock } from './clock.ts';
import type { Controller } from './controller.ts';
import { KubeEventRecorder } from './event-recorder.ts';
import { HealthServer } from './internal/health-server.ts';
import type { ListWatcher } from './internal/list-watcher.ts';
import { LeaderElector, type LeaderElectionConfig } from './leader-election.ts';
import { RuntimeMetrics } from './metrics.ts';
import type { KindRef, ResourceTable } from './resources.ts';

/** Something the manager runs until its signal aborts. */
export interface Runnable {
  /** Runs until `signal` aborts (then returns after cleaning up); a rejection stops the manager. */
  start(signal: AbortSignal): Promise<void>;
  /** Whether to run only on the elected leader (default true, as in controller-runtime). */
  needsLeaderElection?(): boolean;
}

/** Whether `r` must wait for leadership. */
export function needsLeaderElection(r: Runnable): boolean {
  return r.needsLeaderElection?.() ?? true;
}

/** Options of {@link Manager}. */
export interface ManagerOptions {
  kubeConfig: ClusterConfig;
  /** Field manager of every write the manager's client makes. */
  fieldManager: string;
  resources?: ResourceTable;
  clock?: Clock;
  logger?: Logger;
  /** Registry for the runtime's metrics (default: a new one for this manager). */
  registry?: Registry;
  /** Informer timing and scope. */
  cache?: InformerTiming & { namespace?: string; listWatcherFor?: (kind: KindRef) => ListWatcher; byObject?: ByObject[] };
  /** Lease-based leader election; when absent every runnable runs at once. */
  leaderElection?: LeaderElectionConfig;
  /** Serve /healthz, /readyz and /metrics here (port 0 picks one); absent means no endpoint. */
  http?: { host?: string; port: number };
  /** How long shutdown waits for runnables to return (default 30 s). */
  gracefulShutdownTimeoutMs?: number;
}

/** See the module comment. */
export class Manager {
  readonly #o: ManagerOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #metrics: RuntimeMetrics;
  readonly #client: KubeClient;
  readonly #cache: InformerCache;
  readonly #elector: LeaderElector | undefined;
  readonly #http: HealthServer | undefined;
  readonly #runnables: Runnable[] = [];
  readonly #controllerNames = new Set<string>();
  readonly #recorders: KubeEventRecorder[] = [];
  readonly #elected = Promise.withResolvers<void>();
  readonly #readinessChecks: (() => boolean)[] = [];
  #started = false;
  #firstError: unknown;

  constructor(opts: ManagerOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = opts.logger ?? pino({ name: 'manager' });
    this.#metrics = new RuntimeMetrics(opts.registry ?? new Registry());
    const { kubeConfig, fieldManager, resources } = opts;
    this.#client = new KubeClient({ kubeConfig, fieldManager, resources, metrics: this.#metrics });
    const shared = { client: this.#client, clock: this.#clock, logger: this.#logger };
    this.#cache = new InformerCache({ ...opts.cache, ...shared });
    if (opts.leaderElection) this.#elector = new LeaderElector({ ...opts.leaderElection, ...shared, metrics: this.#metrics });
    if (opts.http) {
      const ready = (): boolean => this.#started && this.#cache.hasSynced() && this.#readinessChecks.every((check) => check());
      this.#http = new HealthServer({ ...opts.http, registry: this.#metrics.registry, ready });
    }
  }

  getClient(): KubeClient { return this.#client; }
  getCache(): InformerCache { return this.#cache; }
  getMetrics(): RuntimeMetrics { return this.#metrics; }
  getRegistry(): Registry { return this.#metrics.registry; }
  getClock(): Clock { return this.#clock; }
  getLogger(): Logger { return this.#logger; }

  /** The base URL of the probe/metrics endpoint once started ('' when disabled). */
  httpUrl(): string {
    return this.#http?.url ?? '';
  }

  /** This candidate's leader election identity ('' without leader election). */
  identity(): string {
    return this.#elector?.identity ?? '';
  }

  /** True while leader runnables may run (always, without leader election, once started). */
  isLeader(): boolean {
    return this.#elector ? this.#elector.isLeader() : this.#started;
  }

  /** Resolves when leader runnables start (leadership acquired, or at start without election). */
  elected(): Promise<void> {
    return this.#elected.promise;
  }

  /** An event recorder whose events name `component` as their source. */
  getEventRecorderFor(component: string): KubeEventRecorder {
    const recorder = new KubeEventRecorder({ client: this.#client, component, host: hostname(), clock: this.#clock, logger: this.#logger });
    this.#recorders.push(recorder);
    return recorder;
  }

  /** Adds a runnable; must be called before start(). */
  add(runnable: Runnable): void {
    if (this.#started) throw new Error('runnables must be added before the manager starts');
    this.#runnables.push(runnable);
  }

  /** Adds a condition of /readyz (for example: the webhook server serves admission). */
  addReadinessCheck(check: () => boolean): void {
    this.#readinessChecks.push(check);
  }

  /** Adds a controller, checking that its name is unique (names label the metrics). */
  addController(controller: Controller): void {
    if (this.#controllerNames.has(controller.name)) throw new Error(`controller named ${JSON.stringify(controller.name)} already exists`);
    this.#controllerNames.add(controller.name);
    this.add(controller);
  }

  /** Runs everything until `signal` aborts; rejects if a runnable fails or leadership is lost. */
  async start(signal: AbortSignal): Promise<void> {
    if (this.#started) throw new Error('manager already started');
    this.#started = true;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) stop.abort();
    await this.#http?.start();
    const cacheStop = new AbortController();
    const cacheRun = this.#cache.start(cacheStop.signal);
    const always = this.#runAll(this.#runnables.filter((r) => !needsLeaderElection(r)), stop);
    const outcome = await this.#runLeaderRunnables(stop);
    stop.abort();
    await this.#drain(always, 'runnables');
    await this.#drain(Promise.all(this.#recorders.map((r) => r.flush())), 'event recorders');
    cacheStop.abort();
    await cacheRun;
    await this.#http?.stop();
    signal.removeEventListener('abort', onAbort);
    if (this.#firstError) throw this.#firstError;
    if (outcome === 'lost') throw new Error('leader election lost');
  }

  async #runLeaderRunnables(stop: AbortController): Promise<'stopped' | 'lost'> {
    const leaders = this.#runnables.filter(needsLeaderElection);
    if (!this.#elector) {
      this.#elected.resolve();
      const running = this.#runAll(leaders, stop);
      await aborted(stop.signal);
      await this.#drain(running, 'leader runnables');
      return 'stopped';
    }
    let running: Promise<void> = Promise.resolve();
    return this.#elector.run(stop.signal, {
      onStartedLeading: (leading) => {
        this.#elected.resolve();
        running = this.#runAll(leaders, stop, leading);
      },
      // Controllers drain before the lease is released, so the next leader never overlaps our in-flight work.
      onStoppedLeading: () => this.#drain(running, 'leader runnables'),
      onNewLeader: (identity) => this.#logger.info({ leader: identity }, 'New leader elected'),
    });
  }

  /** Starts runnables on `signal` (default: the manager's); the first failure stops the manager. */
  #runAll(runnables: Runnable[], stop: AbortController, signal: AbortSignal = stop.signal): Promise<void> {
    const runs = runnables.map((r) => r.start(signal).catch((err: unknown) => {
      this.#logger.error({ err }, 'Runnable failed, stopping the manager');
      this.#firstError ??= err;
      stop.abort();
    }));
    return Promise.all(runs).then(() => undefined);
  }

  /** Waits for `work` to finish, at most the graceful shutdown timeout. */
  async #drain(work: Promise<unknown>, what: string): Promise<void> {
    const timeoutMs = this.#o.gracefulShutdownTimeoutMs ?? 30_000;
    const cancelTimer = new AbortController();
    const timedOut = sleep(this.#clock, timeoutMs, cancelTimer.signal).then(() => !cancelTimer.signal.aborted);
    const late = await Promise.race([work.then(() => false), timedOut]);
    cancelTimer.abort();
    if (late) this.#logger.warn({ what, timeoutMs }, 'Graceful shutdown timed out');
  }
}

/** Resolves once `signal` has aborted. */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
