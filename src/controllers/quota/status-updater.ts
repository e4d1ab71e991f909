/**
 * Writes SessionQuota status: for every quota, the users it governs (after precedence, with the
 * groups recorded on their sessions) and what they use, so `kubectl get sq -o yaml` answers "who is
 * where against which limit" without anyone listing sessions.
 *
 * A Runnable that needs leader election (one writer per cluster). It follows the Session and
 * SessionQuota informers, coalesces bursts of events (recomputing at most once per interval), and
 * patches only the quotas whose usage or generation changed. Usage is computed as the quota webhook
 * counts it (./usage.ts); reservations of in-flight admissions are left out, since status is
 * written after the writes have landed.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { deepEqual, type KubeObject } from '../../apimachinery/object.ts';
import { canonicalQuantityString } from '../../apimachinery/quantity.ts';
import type { SessionQuota, SessionQuotaUserUsage } from '../../apis/stream/v1alpha1/sessionquota.ts';
import { selectSessionQuota } from '../../apis/stream/v1alpha1/sessionquota-selection.ts';
import type { Template } from '../../apis/stream/v1alpha1/template.ts';
import type { Informer, InformerCache, InformerHandler } from '../../runtime/cache.ts';
import type { KubeClient } from '../../runtime/client.ts';
import { realClock, sleep, type Clock } from '../../runtime/clock.ts';
import type { Manager, Runnable } from '../../runtime/manager.ts';
import { SessionKind, SessionQuotaKind, TemplateKind } from '../../apis/stream/v1alpha1/kinds.ts';
import { registerStreamKinds } from '../kinds.ts';
import { SessionUsageIndex } from '../../apis/stream/v1alpha1/quota-usage.ts';

/** Per-quota rows of usage, sorted by user, for users with at least one session that counts. */
export function quotaUsage(quotas: readonly SessionQuota[], index: SessionUsageIndex): Map<string, SessionQuotaUserUsage[]> {
  const rows = new Map<string, SessionQuotaUserUsage[]>();
  for (const user of [...index.users()].sort()) {
    const usage = index.usageOf(user);
    const selected = usage.sessions ? selectSessionQuota(quotas, user, index.groupsOf(user)) : undefined;
    if (!selected) continue;
    const name = selected.quota.metadata.name ?? '';
    if (!rows.has(name)) rows.set(name, []);
    rows.get(name)!.push({
      user, sessions: usage.sessions, runningSessions: usage.running,
      cpu: canonicalQuantityString(usage.cpu, 'DecimalSI'), memory: canonicalQuantityString(usage.memory, 'BinarySI'),
    });
  }
  return rows;
}

/** Options of {@link QuotaStatusUpdater}. */
export interface QuotaStatusUpdaterOptions {
  cache: InformerCache;
  client: KubeClient;
  logger?: Logger;
  clock?: Clock;
  /** Least time between two recomputations (default 1 s). */
  intervalMs?: number;
}

/** See the module comment. */
export class QuotaStatusUpdater implements Runnable {
  readonly #o: QuotaStatusUpdaterOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #index: SessionUsageIndex;
  readonly #informers: Informer[];
  #wake = Promise.withResolvers<void>();

  constructor(opts: QuotaStatusUpdaterOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
    this.#logger = opts.logger ?? pino({ name: 'sessionquota-status' });
    registerStreamKinds(opts.client.resources);
    const { cache } = opts;
    this.#index = new SessionUsageIndex((namespace, name) => cache.get<Template>(TemplateKind, { namespace, name })?.spec?.defaultResources);
    this.#informers = [cache.getInformer(SessionKind), cache.getInformer(SessionQuotaKind)];
    const changed = (): void => this.#wake.resolve();
    const nudge: InformerHandler = { onAdd: changed, onUpdate: changed, onDelete: changed };
    this.#informers[0].addHandler(this.#index);
    for (const informer of this.#informers) informer.addHandler(nudge);
  }

  /** One writer per cluster. */
  needsLeaderElection(): boolean {
    return true;
  }

  async start(signal: AbortSignal): Promise<void> {
    const synced = await Promise.all(this.#informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) return;
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    while (!signal.aborted) {
      await Promise.race([this.#wake.promise, aborted]);
      this.#wake = Promise.withResolvers<void>();
      await this.#writeAll().catch((err: unknown) => this.#logger.error({ err }, 'Failed to update SessionQuota status'));
      await sleep(this.#clock, this.#o.intervalMs ?? 1000, signal);
    }
  }

  async #writeAll(): Promise<void> {
    const quotas = this.#o.cache.list<SessionQuota>(SessionQuotaKind);
    const usage = quotaUsage(quotas, this.#index);
    for (const quota of quotas) {
      const rows = usage.get(quota.metadata.name ?? '') ?? [];
      const current = quota.status?.usage ?? [];
      if (deepEqual(current, rows) && quota.status?.observedGeneration === quota.metadata.generation) continue;
      const status = { usage: rows, lastUpdated: new Date(this.#clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'), observedGeneration: quota.metadata.generation };
      await this.#o.client.patchStatus(quota as KubeObject, { type: 'merge', body: { status } });
    }
  }
}

/** Adds a {@link QuotaStatusUpdater} sharing `mgr`'s cache and client. */
export function addQuotaStatusUpdater(mgr: Manager, opts: Pick<QuotaStatusUpdaterOptions, 'intervalMs'> = {}): QuotaStatusUpdater {
  const updater = new QuotaStatusUpdater({
    ...opts, cache: mgr.getCache(), client: mgr.getClient(), clock: mgr.getClock(), logger: mgr.getLogger().child({ component: 'sessionquota-status' }),
  });
  mgr.add(updater);
  return updater;
}
