/**
 * Keeps the install's admission objects as they should be, for as long as any replica runs:
 * created when missing, re-applied when their address, caBundle or rules drift (someone edited
 * them, a dead process left its own, an older version wrote others). Never deleted when a replica
 * stops: they belong to the install, not to a process.
 *
 * Every replica runs it (webhooks need no leader). They want the same objects, since they share
 * the Service and the CA (./shared-certificates.ts or a mounted cert-manager Secret), so a
 * replica only writes when what is stored differs from what all of them want. It reacts to
 * changes of the configurations at once (informers) and re-reads everything every `resyncMs`.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../apimachinery/object.ts';
import type { Informer, InformerCache, InformerHandler } from '../runtime/cache.ts';
import { isNotFound, type KubeClient } from '../runtime/client.ts';
import { realClock, sleep, type Clock } from '../runtime/clock.ts';
import { coversDesired } from './install-objects.ts';

/** Options of {@link ConfigurationReconciler}. */
export interface ConfigurationReconcilerOptions {
  client: KubeClient;
  cache: InformerCache;
  /** The objects as they should be now (the caBundle may change while running). */
  desired: () => KubeObject[];
  /** Longest time between two full checks (default 30 s). */
  resyncMs?: number;
  clock?: Clock;
  logger?: Logger;
}

const CONFIGURATION_KINDS = [
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration' },
];

/** See the module comment. */
export class ConfigurationReconciler {
  readonly #o: ConfigurationReconcilerOptions;
  readonly #clock: Clock;
  readonly #informers: Informer[];
  #wake = Promise.withResolvers<void>();

  constructor(opts: ConfigurationReconcilerOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
    this.#informers = CONFIGURATION_KINDS.map((k) => opts.cache.getInformer(k));
    const ours = (obj: KubeObject): void => {
      if (this.#o.desired().some((d) => d.kind === obj.kind && d.metadata.name === obj.metadata.name)) this.nudge();
    };
    const handler: InformerHandler = { onAdd: ours, onUpdate: (_old, obj) => ours(obj), onDelete: ours };
    for (const informer of this.#informers) informer.addHandler(handler);
  }

  /** Asks for a check now (for example after the caBundle changed). */
  nudge(): void {
    this.#wake.resolve();
  }

  /** Checks every object once and writes those that drifted; returns the names written. */
  async reconcileOnce(): Promise<string[]> {
    const written: string[] = [];
    for (const want of this.#o.desired()) {
      const current = await this.#read(want);
      if (current && coversDesired(current, want)) continue;
      await this.#o.client.apply(want, { force: true });
      written.push(`${want.kind}/${want.metadata.name}`);
      this.#o.logger?.info({ object: `${want.kind}/${want.metadata.name}`, existed: Boolean(current) }, current ? 'Repaired a drifted admission object' : 'Created a missing admission object');
    }
    return written;
  }

  /** Reconciles on every change and every `resyncMs` until `signal` aborts; errors are retried. */
  async run(signal: AbortSignal): Promise<void> {
    let delay = 100;
    while (!signal.aborted) {
      // One timer per wait, cancelled when a change wakes us first (AbortSignal.any follows the run's signal too).
      const waited = new AbortController();
      await Promise.race([this.#wake.promise, sleep(this.#clock, this.#o.resyncMs ?? 30_000, AbortSignal.any([signal, waited.signal]))]);
      waited.abort();
      if (signal.aborted) return;
      this.#wake = Promise.withResolvers<void>();
      try {
        await this.reconcileOnce();
        delay = 100;
      } catch (err) {
        this.#o.logger?.warn({ err }, 'Failed to reconcile the admission objects, retrying');
        await sleep(this.#clock, delay, signal);
        delay = Math.min(delay * 2, 5000);
        this.nudge();
      }
    }
  }

  async #read(want: KubeObject): Promise<KubeObject | undefined> {
    const { namespace, name } = want.metadata;
    try {
      return await this.#o.client.get(want, { namespace, name: name! });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
