import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry, register as globalRegistry } from 'prom-client';
import { TestClock } from './clock.ts';
import { RuntimeMetrics } from './metrics.ts';

const CONTROLLER_RUNTIME_NAMES = [
  'controller_runtime_reconcile_total',
  'controller_runtime_reconcile_errors_total',
  'controller_runtime_terminal_reconcile_errors_total',
  'controller_runtime_reconcile_panics_total',
  'controller_runtime_reconcile_time_seconds',
  'controller_runtime_max_concurrent_reconciles',
  'controller_runtime_active_workers',
  'workqueue_depth',
  'workqueue_adds_total',
  'workqueue_queue_duration_seconds',
  'workqueue_work_duration_seconds',
  'workqueue_unfinished_work_seconds',
  'workqueue_longest_running_processor_seconds',
  'workqueue_retries_total',
  'leader_election_master_status',
  'rest_client_requests_total',
];

test('every controller-runtime metric name is exported with its labels', async () => {
  const metrics = new RuntimeMetrics(new Registry());
  metrics.initController('session', 4);
  const clock = new TestClock(0);
  const sink = metrics.workqueueSink('session', () => ({ unfinishedSeconds: 1.5, longestRunningSeconds: 1 }));
  sink.added();
  sink.retried();
  metrics.leaderElectionMasterStatus.set({ name: 'streamspace' }, 1);
  metrics.restClientRequests.inc({ code: '200', method: 'GET', host: 'h:1' });
  void clock;
  const text = await metrics.registry.metrics();
  for (const name of CONTROLLER_RUNTIME_NAMES) assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  assert.match(text, /^controller_runtime_reconcile_total\{controller="session",result="success"\} 0$/m);
  assert.match(text, /^controller_runtime_reconcile_total\{controller="session",result="requeue_after"\} 0$/m);
  assert.match(text, /^controller_runtime_reconcile_total\{controller="session",result="error"\} 0$/m);
  assert.match(text, /^controller_runtime_max_concurrent_reconciles\{controller="session"\} 4$/m);
  assert.match(text, /^workqueue_depth\{name="session",controller="session"\} 1$/m);
  assert.match(text, /^workqueue_adds_total\{name="session",controller="session"\} 1$/m);
  assert.match(text, /^workqueue_retries_total\{name="session",controller="session"\} 1$/m);
  assert.match(text, /^workqueue_unfinished_work_seconds\{name="session",controller="session"\} 1.5$/m);
  assert.match(text, /^workqueue_longest_running_processor_seconds\{name="session",controller="session"\} 1$/m);
  assert.match(text, /^leader_election_master_status\{name="streamspace"\} 1$/m);
  assert.match(text, /^rest_client_requests_total\{code="200",method="GET",host="h:1"\} 1$/m);
});

test('buckets match controller-runtime: reconcile time 0.005..60, workqueue durations 1e-8 ×10 ×12', async () => {
  const metrics = new RuntimeMetrics(new Registry());
  metrics.reconcileTime.observe({ controller: 'c' }, 0.001);
  metrics.workqueueQueueDuration.observe({ name: 'c', controller: 'c' }, 0.001);
  const text = await metrics.registry.metrics();
  const les = (name: string): string[] => [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"`, 'gm'))].map((m) => m[1]);
  const reconcileLes = les('controller_runtime_reconcile_time_seconds');
  assert.equal(reconcileLes.length, 41); // 40 buckets + +Inf
  assert.deepEqual(reconcileLes.slice(0, 5), ['0.005', '0.01', '0.025', '0.05', '0.1']);
  assert.deepEqual(reconcileLes.slice(-4), ['40', '50', '60', '+Inf']);
  const queueLes = les('workqueue_queue_duration_seconds');
  assert.equal(queueLes.length, 13);
  assert.equal(Number(queueLes[0]), 1e-8);
  assert.equal(Number(queueLes[11]), 1000);
});

test('metrics live on the given registry, never on the global one, so managers can coexist', async () => {
  const a = new RuntimeMetrics(new Registry());
  const b = new RuntimeMetrics(new Registry());
  a.initController('x', 1);
  b.initController('x', 2);
  assert.match(await a.registry.metrics(), /max_concurrent_reconciles\{controller="x"\} 1$/m);
  assert.match(await b.registry.metrics(), /max_concurrent_reconciles\{controller="x"\} 2$/m);
  assert.equal(globalRegistry.getSingleMetric('controller_runtime_reconcile_total'), undefined);
});
