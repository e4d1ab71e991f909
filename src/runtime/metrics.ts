/**
 * The runtime's Prometheus metrics, with controller-runtime's and client-go's names, labels and
 * buckets so existing dashboards work. Every instance registers on the registry it is given
 * (one per manager), never on prom-client's global registry, so several managers can share a
 * process.
 */
import { Counter, Gauge, Histogram, exponentialBuckets, type Registry } from 'prom-client';
import type { InFlightWork, QueueMetricsSink } from './internal/workqueue.ts';

/** controller_runtime_reconcile_time_seconds buckets (controller-runtime metrics.go). */
export const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
  1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** workqueue_{queue,work}_duration_seconds buckets: 1e-8 s upwards, ×10, 12 buckets. */
export const WORKQUEUE_DURATION_BUCKETS = exponentialBuckets(1e-8, 10, 12);

/** rest_client_request_duration_seconds buckets (client-go). */
export const REST_CLIENT_DURATION_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

/** The reconcile results controller-runtime labels reconcile_total with. */
export const RECONCILE_RESULTS = ['error', 'requeue', 'requeue_after', 'success'] as const;
/** One of {@link RECONCILE_RESULTS}. */
export type ReconcileResultLabel = (typeof RECONCILE_RESULTS)[number];

type InFlightSource = () => InFlightWork;

/** All runtime metrics of one manager. */
export class RuntimeMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalReconcileErrors: Counter<'controller'>;
  readonly reconcilePanics: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly workqueueDepth: Gauge<'name' | 'controller'>;
  readonly workqueueAdds: Counter<'name' | 'controller'>;
  readonly workqueueQueueDuration: Histogram<'name' | 'controller'>;
  readonly workqueueWorkDuration: Histogram<'name' | 'controller'>;
  readonly workqueueRetries: Counter<'name' | 'controller'>;
  readonly leaderElectionMasterStatus: Gauge<'name'>;
  readonly leaderElectionSlowpath: Counter<'name'>;
  readonly restClientRequests: Counter<'code' | 'method' | 'host'>;
  readonly restClientDuration: Histogram<'verb' | 'host'>;
  readonly #inFlight = new Map<string, InFlightSource>();

  constructor(registry: Registry) {
    this.registry = registry;
    const registers = [registry];
    const ctrl = ['controller'] as const;
    const wq = ['name', 'controller'] as const;
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ctrl, registers });
    this.terminalReconcileErrors = new Counter({ name: 'controller_runtime_terminal_reconcile_errors_total', help: 'Total number of terminal reconciliation errors per controller', labelNames: ctrl, registers });
    this.reconcilePanics = new Counter({ name: 'controller_runtime_reconcile_panics_total', help: 'Total number of reconciliation panics per controller', labelNames: ctrl, registers });
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ctrl, buckets: RECONCILE_TIME_BUCKETS, registers });
    this.maxConcurrentReconciles = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ctrl, registers });
    this.activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ctrl, registers });
    this.workqueueDepth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: wq, registers });
    this.workqueueAdds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: wq, registers });
    this.workqueueQueueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: wq, buckets: WORKQUEUE_DURATION_BUCKETS, registers });
    this.workqueueWorkDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.', labelNames: wq, buckets: WORKQUEUE_DURATION_BUCKETS, registers });
    this.workqueueRetries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: wq, registers });
    this.#inFlightGauge('workqueue_unfinished_work_seconds',
      'How many seconds of work has been done that is in progress and hasn\'t been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      (w) => w.unfinishedSeconds);
    this.#inFlightGauge('workqueue_longest_running_processor_seconds',
      'How many seconds has the longest running processor for workqueue been running.', (w) => w.longestRunningSeconds);
    this.leaderElectionMasterStatus = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. \'name\' is the string used to identify the lease. Please make sure to group by name.', labelNames: ['name'], registers });
    this.leaderElectionSlowpath = new Counter({ name: 'leader_election_slowpath_total', help: 'Total number of slow path exercised in renewing leader leases. \'name\' is the string used to identify the lease. Please make sure to group by name.', labelNames: ['name'], registers });
    this.restClientRequests = new Counter({ name: 'rest_client_requests_total', help: 'Number of HTTP requests, partitioned by status code, method, and host.', labelNames: ['code', 'method', 'host'], registers });
    this.restClientDuration = new Histogram({ name: 'rest_client_request_duration_seconds', help: 'Request latency in seconds. Broken down by verb, and host.', labelNames: ['verb', 'host'], buckets: REST_CLIENT_DURATION_BUCKETS, registers });
  }

  /**
   * Prepares the series of one controller the way controller-runtime does at start-up: every
   * result label and the error counters exist (at 0) before the first reconcile.
   */
  initController(controller: string, maxConcurrentReconciles: number): void {
    for (const result of RECONCILE_RESULTS) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc({ controller }, 0);
    this.terminalReconcileErrors.inc({ controller }, 0);
    this.reconcilePanics.inc({ controller }, 0);
    this.maxConcurrentReconciles.set({ controller }, maxConcurrentReconciles);
    this.activeWorkers.set({ controller }, 0);
  }

  /**
   * The metrics sink of the workqueue of `controller`, labelled {name, controller} (both the
   * controller name, as controller-runtime does). `inFlight` feeds the unfinished-work gauges.
   */
  workqueueSink(controller: string, inFlight: InFlightSource): QueueMetricsSink {
    const labels = { name: controller, controller };
    this.#inFlight.set(controller, inFlight);
    this.workqueueDepth.set(labels, 0);
    this.workqueueAdds.inc(labels, 0);
    this.workqueueRetries.inc(labels, 0);
    return {
      added: () => { this.workqueueAdds.inc(labels); this.workqueueDepth.inc(labels); },
      started: (queued) => { this.workqueueDepth.dec(labels); this.workqueueQueueDuration.observe(labels, queued); },
      finished: (work) => this.workqueueWorkDuration.observe(labels, work),
      retried: () => this.workqueueRetries.inc(labels),
    };
  }

  #inFlightGauge(name: string, help: string, pick: (w: InFlightWork) => number): void {
    const sources = this.#inFlight;
    new Gauge({
      name, help, labelNames: ['name', 'controller'], registers: [this.registry],
      // Computed at scrape time rather than by a 500 ms ticker as in client-go.
      collect() {
        for (const [controller, source] of sources) this.set({ name: controller, controller }, pick(source()));
      },
    });
  }
}
