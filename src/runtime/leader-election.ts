/**
 * Lease-based leader election with client-go's algorithm (tools/leaderelection, re-implemented):
 * - acquire: every retry period (with jitter) try to take the lease;
 * - another holder's lease counts as valid until `observedTime + leaseDuration`, where
 *   observedTime is the LOCAL time at which this candidate last saw the record change, so clock
 *   skew between candidates does not matter;
 * - renew: every retry period; if renewing keeps failing for `renewDeadline`, leadership is
 *   lost. A 409 on the update means another candidate wrote first;
 * - release (on a clean stop): write an empty holder with a 1 s duration so a standby can take
 *   over at once.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isNotFound } from './api-error.ts';
import type { KubeClient } from './client.ts';
import { sleep, type Clock } from './clock.ts';
import { LeaseLock, microTime, type LeaderElectionRecord } from './internal/lease-lock.ts';
import type { RuntimeMetrics } from './metrics.ts';

/** Durations of leader election, in milliseconds. Defaults: controller-runtime's 15 s / 10 s / 2 s. */
export interface LeaderElectionTiming {
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

/** Where the lease lives and who competes for it. */
export interface LeaderElectionConfig extends LeaderElectionTiming {
  namespace: string;
  /** Lease name; also the `name` label of leader_election_master_status. */
  name: string;
  /** This candidate's identity (default: hostname + random suffix). */
  identity?: string;
  /** Release the lease when stopped cleanly (default true). */
  releaseOnCancel?: boolean;
}

/** Options of {@link LeaderElector}. */
export interface LeaderElectorOptions extends LeaderElectionConfig {
  client: KubeClient;
  clock: Clock;
  logger: Logger;
  metrics?: RuntimeMetrics;
}

/** Called as leadership changes. */
export interface LeaderCallbacks {
  /** Became leader; `signal` aborts when leadership ends (lost or stopping). */
  onStartedLeading(signal: AbortSignal): void;
  /** Leadership ended; the lease is released only after the returned promise settles. */
  onStoppedLeading?(): Promise<void> | void;
  /** Another (or this) candidate was seen holding the lease. */
  onNewLeader?(identity: string): void;
}

/** How {@link LeaderElector.run} ended. */
export type ElectionOutcome = 'stopped' | 'lost';

/** See the module comment. */
export class LeaderElector {
  readonly identity: string;
  readonly #o: Required<LeaderElectionTiming> & LeaderElectorOptions;
  readonly #lock: LeaseLock;
  #observed: LeaderElectionRecord | undefined;
  #observedRaw = '';
  #observedTime = 0;
  #reportedLeader = '';

  constructor(opts: LeaderElectorOptions) {
    this.#o = {
      ...opts,
      leaseDurationMs: opts.leaseDurationMs ?? 15_000,
      renewDeadlineMs: opts.renewDeadlineMs ?? 10_000,
      retryPeriodMs: opts.retryPeriodMs ?? 2_000,
    };
    if (this.#o.leaseDurationMs <= this.#o.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.#o.renewDeadlineMs <= this.#o.retryPeriodMs * 1.2) throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    this.identity = opts.identity ?? `${hostname()}_${crypto.randomUUID()}`;
    this.#lock = new LeaseLock(opts.client, opts.namespace, opts.name);
  }

  /** True while this candidate holds the lease (as last observed). */
  isLeader(): boolean {
    return this.#observed?.holderIdentity === this.identity;
  }

  /** The holder last observed ('' if none). */
  getLeader(): string {
    return this.#observed?.holderIdentity ?? '';
  }

  /** Campaigns until `signal` aborts; leads while elected. Resolves 'lost' if renewing failed. */
  async run(signal: AbortSignal, callbacks: LeaderCallbacks): Promise<ElectionOutcome> {
    this.#setStatus(0);
    if (!(await this.#acquire(signal, callbacks))) return 'stopped';
    this.#setStatus(1);
    this.#o.logger.info({ lease: this.#leaseName(), identity: this.identity }, 'Acquired lease');
    const leading = new AbortController();
    callbacks.onStartedLeading(leading.signal);
    const outcome = await this.#renewLoop(signal, callbacks);
    leading.abort();
    this.#setStatus(0);
    if (outcome === 'lost') this.#o.logger.error({ lease: this.#leaseName() }, 'Lost lease');
    await callbacks.onStoppedLeading?.();
    if (outcome === 'stopped' && (this.#o.releaseOnCancel ?? true)) await this.#release();
    return outcome;
  }

  async #acquire(signal: AbortSignal, callbacks: LeaderCallbacks): Promise<boolean> {
    this.#o.logger.info({ lease: this.#leaseName() }, 'Attempting to acquire leader lease');
    while (!signal.aborted) {
      if (await this.#tryAcquireOrRenew(this.#o.renewDeadlineMs)) return true;
      this.#reportLeader(callbacks);
      await sleep(this.#o.clock, this.#o.retryPeriodMs * (1 + Math.random() * 1.2), signal);
    }
    return false;
  }

  async #renewLoop(signal: AbortSignal, callbacks: LeaderCallbacks): Promise<ElectionOutcome> {
    const { clock, retryPeriodMs, renewDeadlineMs } = this.#o;
    while (!signal.aborted) {
      await sleep(clock, retryPeriodMs, signal);
      if (signal.aborted) break;
      const deadline = clock.now() + renewDeadlineMs;
      let renewed = false;
      while (!renewed && !signal.aborted && clock.now() < deadline) {
        renewed = await this.#tryAcquireOrRenew(deadline - clock.now());
        if (!renewed) await sleep(clock, Math.min(retryPeriodMs, Math.max(0, deadline - clock.now())), signal);
      }
      this.#reportLeader(callbacks);
      if (!renewed && !signal.aborted) return 'lost';
    }
    return 'stopped';
  }

  /** One attempt; true when this candidate holds the lease afterwards. */
  async #tryAcquireOrRenew(timeoutMs: number): Promise<boolean> {
    const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
    const now = this.#o.clock.now();
    const desired: LeaderElectionRecord = {
      holderIdentity: this.identity, leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
      acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0,
    };
    if (this.isLeader() && this.#isLeaseValid(now) && this.#observed) {
      const renewal = { ...desired, acquireTime: this.#observed.acquireTime, leaseTransitions: this.#observed.leaseTransitions };
      if (await this.#write(() => this.#lock.update(renewal, signal), renewal, now)) return true;
      this.#o.metrics?.leaderElectionSlowpath.inc({ name: this.#o.name });
    }
    return this.#slowPath(desired, now, signal);
  }

  async #slowPath(desired: LeaderElectionRecord, now: number, signal: AbortSignal): Promise<boolean> {
    let current;
    try {
      current = await this.#lock.get(signal);
    } catch (err) {
      if (!isNotFound(err)) {
        this.#o.logger.warn({ err, lease: this.#leaseName() }, 'Failed to get lease');
        return false;
      }
      return this.#write(() => this.#lock.create(desired, signal), desired, now);
    }
    if (current.raw !== this.#observedRaw) {
      this.#observed = current.record;
      this.#observedRaw = current.raw;
      this.#observedTime = now;
    }
    const holder = current.record.holderIdentity;
    if (holder && holder !== this.identity && this.#isLeaseValid(now)) return false;
    const takeover = holder !== this.identity;
    const record = {
      ...desired,
      acquireTime: takeover ? desired.acquireTime : current.record.acquireTime,
      leaseTransitions: current.record.leaseTransitions + (takeover ? 1 : 0),
    };
    return this.#write(() => this.#lock.update(record, signal), record, now);
  }

  async #write(op: () => Promise<void>, record: LeaderElectionRecord, now: number): Promise<boolean> {
    try {
      await op();
    } catch (err) {
      // 409 Conflict/AlreadyExists: another candidate wrote first, which is a normal loss.
      this.#o.logger.debug({ err, lease: this.#leaseName() }, 'Failed to write lease');
      return false;
    }
    this.#observed = record;
    this.#observedRaw = JSON.stringify(record);
    this.#observedTime = now;
    return true;
  }

  #isLeaseValid(now: number): boolean {
    return this.#observedTime + (this.#observed?.leaseDurationSeconds ?? 0) * 1000 > now;
  }

  async #release(): Promise<void> {
    if (!this.isLeader() || !this.#observed) return;
    const now = this.#o.clock.now();
    const record: LeaderElectionRecord = {
      holderIdentity: '', leaseDurationSeconds: 1, acquireTime: microTime(now), renewTime: microTime(now),
      leaseTransitions: this.#observed.leaseTransitions,
    };
    const released = await this.#write(() => this.#lock.update(record, AbortSignal.timeout(this.#o.renewDeadlineMs)), record, now);
    this.#o.logger.info({ lease: this.#leaseName(), released }, 'Released lease');
  }

  #reportLeader(callbacks: LeaderCallbacks): void {
    const leader = this.getLeader();
    if (!leader || leader === this.#reportedLeader) return;
    this.#reportedLeader = leader;
    callbacks.onNewLeader?.(leader);
  }

  #setStatus(value: 0 | 1): void {
    this.#o.metrics?.leaderElectionMasterStatus.set({ name: this.#o.name }, value);
  }

  #leaseName(): string {
    return `${this.#o.namespace}/${this.#o.name}`;
  }
}
