/**
 * The supervised list/watch loop behind an informer. It is written here over plain list and
 * watch calls rather than client-node's ListWatch (besides keeping client-node out of the
 * controller process) because ListWatch (a) hands callbacks only the
 * new object, never the old one predicates compare against, (b) stops for good on any error
 * other than 410, and (c) has no resync, no staleness check and no backoff control.
 *
 * The loop: list (into the sink), then watch from the list's resourceVersion; when the watch
 * ends, decide:
 * - 410 Expired (HTTP or ERROR event) → relist at once;
 * - clean close (the server's timeoutSeconds) after a healthy watch → re-watch at once from the
 *   last resourceVersion;
 * - any error (or a watch that died young without events) → wait with exponential backoff, then
 *   re-watch (failed lists back off the same way);
 * - the staleness watchdog: a watch that delivered nothing (not even a bookmark) for
 *   `watchdogMs` is torn down and re-opened, guarding against connections that stall silently
 *   (kubernetes-client/javascript#596).
 * A separate timer re-delivers every cached object every `resyncMs` (as client-go's resync).
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../apimachinery/object.ts';
import { sleep, type Clock, type Timer } from '../clock.ts';
import type { ListWatcher, WatchHandle } from './list-watcher.ts';

/** Where the reflector delivers what it learns (the informer). */
export interface ReflectorSink {
  /** A complete list: the sink diffs it against its cache. */
  replace(items: KubeObject[], resourceVersion: string): void;
  /** One ADDED, MODIFIED or DELETED watch event. */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void;
  /** Periodic resync: re-deliver the cache. */
  resync(): void;
}

/** Timing of the reflector; every value in milliseconds. */
export interface ReflectorTiming {
  /** First backoff after a failure (default 1000). */
  backoffInitialMs?: number;
  /** Backoff cap (default 30 000). */
  backoffMaxMs?: number;
  /** Restart a watch silent for this long (default 5 min; 0 disables). */
  watchdogMs?: number;
  /** Re-deliver the cache this often (default 10 h, controller-runtime's SyncPeriod; 0 disables). */
  resyncMs?: number;
  /** A watch that ends sooner than this without events counts as a failure (default 1000). */
  minHealthyWatchMs?: number;
}

/** Options of {@link Reflector}. */
export interface ReflectorOptions extends ReflectorTiming {
  listWatcher: ListWatcher;
  sink: ReflectorSink;
  clock: Clock;
  logger: Logger;
}

type EndReason = 'aborted' | 'expired' | 'stalled' | 'closed' | 'error';

interface WatchEnd {
  reason: EndReason;
  error?: unknown;
  events: number;
  durationMs: number;
}

/** Counters that tests and debugging read. */
export interface ReflectorStats {
  lists: number;
  watches: number;
  expiredRelists: number;
  watchdogRestarts: number;
  failures: number;
}

/** Ends that are a client-side timeout rather than a failure. */
const BENIGN_END = new Set(['TimeoutError']);

/** True for a 410 Gone/Expired, as an HTTP status, a Status object or an error carrying one. */
function isExpiredError(err: any): boolean {
  return err?.statusCode === 410 || err?.code === 410 || err?.reason === 'Expired' || err?.reason === 'Gone';
}

/** The supervised list/watch loop; see the module comment. */
export class Reflector {
  readonly stats: ReflectorStats = { lists: 0, watches: 0, expiredRelists: 0, watchdogRestarts: 0, failures: 0 };
  readonly #o: Required<ReflectorTiming> & ReflectorOptions;
  #resourceVersion = '';
  #consecutiveFailures = 0;

  constructor(opts: ReflectorOptions) {
    this.#o = {
      backoffInitialMs: 1000, backoffMaxMs: 30_000, watchdogMs: 5 * 60_000, resyncMs: 10 * 3600_000, minHealthyWatchMs: 1000,
      ...stripUndefined(opts),
    };
  }

  /** The resourceVersion the next watch starts from. */
  get resourceVersion(): string {
    return this.#resourceVersion;
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const resync = this.#startResync(signal);
    try {
      await this.#loop(signal);
    } finally {
      resync.cancel();
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      if (needList) {
        needList = !(await this.#list(signal));
        if (needList) {
          await this.#backoff(signal);
          continue;
        }
      }
      const end = await this.#watchOnce(signal);
      needList = end.reason === 'expired';
      if (this.#shouldBackOff(end)) await this.#backoff(signal);
    }
  }

  async #list(signal: AbortSignal): Promise<boolean> {
    try {
      const { items, resourceVersion } = await this.#o.listWatcher.list(signal);
      if (signal.aborted) return true;
      this.stats.lists++;
      this.#resourceVersion = resourceVersion;
      this.#o.sink.replace(items, resourceVersion);
      this.#consecutiveFailures = 0;
      return true;
    } catch (err) {
      this.#o.logger.warn({ err }, 'Failed to list objects');
      return false;
    }
  }

  #shouldBackOff(end: WatchEnd): boolean {
    this.#logEnd(end);
    if (end.reason === 'error') return true;
    if (end.reason !== 'closed') return false;
    return end.events === 0 && end.durationMs < this.#o.minHealthyWatchMs;
  }

  #logEnd(end: WatchEnd): void {
    const log = this.#o.logger;
    if (end.reason === 'expired') {
      this.stats.expiredRelists++;
      log.info({ resourceVersion: this.#resourceVersion }, 'Watch expired (410), relisting');
    } else if (end.reason === 'stalled') {
      this.stats.watchdogRestarts++;
      log.warn({ silentMs: this.#o.watchdogMs }, 'Restarted stalled watch');
    } else if (end.reason === 'error') {
      log.warn({ err: end.error }, 'Watch failed, restarting with backoff');
    }
  }

  async #backoff(signal: AbortSignal): Promise<void> {
    this.stats.failures++;
    const n = this.#consecutiveFailures++;
    const delay = Math.min(this.#o.backoffInitialMs * 2 ** n, this.#o.backoffMaxMs);
    await sleep(this.#o.clock, delay, signal);
  }

  #watchOnce(signal: AbortSignal): Promise<WatchEnd> {
    this.stats.watches++;
    const started = this.#o.clock.now();
    return new Promise((resolve) => {
      let handle: WatchHandle | undefined;
      let watchdog: Timer | undefined;
      let ended = false;
      let events = 0;
      const finish = (reason: EndReason, error?: unknown): void => {
        if (ended) return;
        ended = true;
        watchdog?.cancel();
        signal.removeEventListener('abort', onAbort);
        handle?.abort();
        resolve({ reason, error, events, durationMs: this.#o.clock.now() - started });
      };
      const onAbort = (): void => finish('aborted');
      const armWatchdog = (): void => {
        watchdog?.cancel();
        if (this.#o.watchdogMs > 0) watchdog = this.#o.clock.after(this.#o.watchdogMs, () => finish('stalled'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      armWatchdog();
      const onEvent = (type: string, obj: any): void => {
        if (ended) return;
        events++;
        this.#consecutiveFailures = 0;
        armWatchdog();
        const failure = this.#handleEvent(type, obj);
        if (failure) finish(failure.reason, failure.error);
      };
      const onDone = (err: unknown): void => finish(...this.#classifyDone(err));
      this.#o.listWatcher.watch(this.#resourceVersion, { onEvent, onDone }).then(
        (h) => { handle = h; if (ended) h.abort(); },
        (err: unknown) => finish(isExpiredError(err) ? 'expired' : 'error', err),
      );
    });
  }

  #classifyDone(err: any): [EndReason, unknown?] {
    if (!err || BENIGN_END.has(err?.name)) return ['closed'];
    return [isExpiredError(err) ? 'expired' : 'error', err];
  }

  /** Applies one event; returns how the watch must end, if it must. */
  #handleEvent(type: string, obj: any): { reason: EndReason; error?: unknown } | undefined {
    if (type === 'ERROR') return { reason: isExpiredError(obj) ? 'expired' : 'error', error: obj };
    const rv: string | undefined = obj?.metadata?.resourceVersion;
    if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.#o.sink.apply(type, obj as KubeObject);
    if (rv) this.#resourceVersion = rv;
    return undefined;
  }

  #startResync(signal: AbortSignal): Timer {
    let timer: Timer = { cancel() {} };
    const arm = (): void => {
      if (this.#o.resyncMs <= 0 || signal.aborted) return;
      timer = this.#o.clock.after(this.#o.resyncMs, () => {
        if (this.stats.lists > 0) this.#o.sink.resync();
        arm();
      });
    };
    arm();
    return { cancel: () => timer.cancel() };
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
