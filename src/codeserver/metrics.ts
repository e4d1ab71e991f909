/**
 * The seed's Prometheus metrics: `codeserver_instances_total{status}` (instances by status, read
 * from the cluster at scrape time), `codeserver_provision_duration_seconds{result}` (with the
 * seed's buckets) and `codeserver_storage_used_bytes{user}` (the home volume size the clone
 * report measured at the user's latest pod start).
 */
import { Gauge, Histogram, type Registry } from 'prom-client';
import { INSTANCE_STATUSES, type InstanceStatus } from './status.ts';

/** How a provision ended: a new instance ready, an existing one returned, still starting at the timeout, refused, or failed. */
export type ProvisionResult = 'success' | 'existing' | 'timeout' | 'denied' | 'error';

/** What the gauges are computed from at scrape time. */
export interface InstanceSnapshot {
  status: InstanceStatus;
  user: string;
  /** Home volume bytes in use, when measured. */
  usedBytes?: number;
}

/** The seed's buckets, in seconds. */
export const PROVISION_BUCKETS = [5, 10, 30, 60, 120, 300];

/** See the module comment. */
export class CodeServerMetrics {
  readonly provisionDuration: Histogram<'result'>;
  readonly instances: Gauge<'status'>;
  readonly storageUsed: Gauge<'user'>;

  /** `snapshot` lists the instances when Prometheus scrapes. */
  constructor(registry: Registry, snapshot: () => Promise<InstanceSnapshot[]>) {
    this.provisionDuration = new Histogram({
      name: 'codeserver_provision_duration_seconds', help: 'Time to provision a code-server instance',
      labelNames: ['result'], buckets: PROVISION_BUCKETS, registers: [registry],
    });
    let pending: Promise<InstanceSnapshot[]> | undefined;
    // Both gauges are collected in one scrape: one listing serves both.
    const shared = (): Promise<InstanceSnapshot[]> => (pending ??= snapshot().finally(() => setImmediate(() => (pending = undefined))));
    this.instances = new Gauge({
      name: 'codeserver_instances_total', help: 'Total number of code-server instances by status', labelNames: ['status'], registers: [registry],
      async collect() {
        const all = await shared().catch(() => undefined);
        if (!all) return;
        for (const status of INSTANCE_STATUSES) this.set({ status }, all.filter((i) => i.status === status).length);
      },
    });
    this.storageUsed = new Gauge({
      name: 'codeserver_storage_used_bytes', help: 'Storage used by user workspaces', labelNames: ['user'], registers: [registry],
      async collect() {
        const all = await shared().catch(() => undefined);
        if (!all) return;
        this.reset();
        for (const [user, bytes] of usedBytesByUser(all)) this.set({ user }, bytes);
      },
    });
  }

  /** Starts timing a provision; call the result with how it ended. */
  startProvision(): (result: ProvisionResult) => void {
    const end = this.provisionDuration.startTimer();
    return (result) => {
      end({ result });
    };
  }
}

/**
 * Bytes used per user. A user's instances share one home volume, so each measured the same
 * volume: the largest figure is the latest one at worst slightly stale, never a double count.
 */
export function usedBytesByUser(instances: InstanceSnapshot[]): Map<string, number> {
  const byUser = new Map<string, number>();
  for (const i of instances) {
    if (i.usedBytes === undefined) continue;
    byUser.set(i.user, Math.max(byUser.get(i.user) ?? 0, i.usedBytes));
  }
  return byUser;
}
