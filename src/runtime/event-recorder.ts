/**
 * Records core/v1 Events about objects, aggregated the way client-go's recorder does for exact
 * repeats: the same type + reason + message about the same object bumps `count` and
 * `lastTimestamp` of the Event already written (a merge patch) instead of creating another.
 * Recording never blocks or throws: writes run in the background, failures are logged.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../apimachinery/object.ts';
import { isNotFound } from './api-error.ts';
import type { KubeClient } from './client.ts';
import type { Clock } from './clock.ts';
import { mergePatch } from './patch.ts';
import { EventKind } from '../apimachinery/builtin-kinds.ts';
import { kubeTime } from '../apimachinery/time.ts';

/** Event types. */
export type EventType = 'Normal' | 'Warning';

/** Records events about objects. */
export interface EventRecorder {
  /** Records that `reason` happened to `object`; `reason` is UpperCamelCase, `message` human-readable. */
  event(object: KubeObject, type: EventType, reason: string, message: string): void;
}

/** Options of {@link KubeEventRecorder}. */
export interface EventRecorderOptions {
  client: KubeClient;
  /** `source.component` / `reportingComponent`, e.g. the controller name. */
  component: string;
  /** `source.host` / `reportingInstance`. */
  host?: string;
  clock: Clock;
  logger: Logger;
  /** How many distinct events to remember for aggregation (default 4096, as client-go). */
  cacheSize?: number;
}

interface Recorded {
  name: string;
  namespace: string;
  count: number;
}

const EVENT_KIND = EventKind;

/** See the module comment. */
export class KubeEventRecorder implements EventRecorder {
  readonly #o: EventRecorderOptions;
  /** Aggregation memory in LRU order (Map keeps insertion order; a hit is re-inserted). */
  readonly #recorded = new Map<string, Recorded>();
  /** Per aggregation key, the write in progress: repeats wait so they patch instead of racing a create. */
  readonly #pending = new Map<string, Promise<void>>();
  #sequence = 0n;

  constructor(opts: EventRecorderOptions) {
    this.#o = opts;
  }

  event(object: KubeObject, type: EventType, reason: string, message: string): void {
    const key = this.#aggregationKey(object, type, reason, message);
    const previous = this.#pending.get(key) ?? Promise.resolve();
    const write = previous.then(() => this.#record(key, object, type, reason, message)).catch((err: unknown) => {
      this.#o.logger.warn({ err, reason, object: object.metadata.name }, 'Failed to record event');
    });
    this.#pending.set(key, write);
    void write.then(() => {
      if (this.#pending.get(key) === write) this.#pending.delete(key);
    });
  }

  /** Waits until every event recorded so far has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending.values());
  }

  #aggregationKey(object: KubeObject, type: EventType, reason: string, message: string): string {
    const m = object.metadata;
    return JSON.stringify([this.#o.component, object.apiVersion, object.kind, m.namespace ?? '', m.name, m.uid ?? '', type, reason, message]);
  }

  async #record(key: string, object: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = kubeTime(this.#o.clock.now());
    const seen = this.#recorded.get(key);
    if (seen && (await this.#bump(seen, now))) {
      this.#remember(key, seen);
      return;
    }
    const created = await this.#create(object, type, reason, message, now);
    this.#remember(key, created);
  }

  /** Patches count/lastTimestamp of an Event already written; false if it has disappeared. */
  async #bump(seen: Recorded, now: string): Promise<boolean> {
    const target = { ...EVENT_KIND, metadata: { name: seen.name, namespace: seen.namespace } };
    try {
      await this.#o.client.patch(target, mergePatch({ count: seen.count + 1, lastTimestamp: now }));
      seen.count++;
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  // Five parameters: the event's own fields; an options object would only rename them.
  async #create(object: KubeObject, type: EventType, reason: string, message: string, now: string): Promise<Recorded> {
    const m = object.metadata;
    const namespace = m.namespace || 'default';
    // client-go names events <object>.<unix nanos in hex>; a sequence number keeps names unique within a millisecond.
    const nanos = BigInt(this.#o.clock.now()) * 1_000_000n + (this.#sequence++ % 1_000_000n);
    const name = `${m.name}.${nanos.toString(16)}`;
    const host = this.#o.host ?? '';
    await this.#o.client.create({
      ...EVENT_KIND,
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: object.apiVersion, kind: object.kind, name: m.name, namespace: m.namespace,
        uid: m.uid, resourceVersion: m.resourceVersion,
      },
      reason, message, type,
      source: { component: this.#o.component, host: host || undefined },
      reportingComponent: this.#o.component, reportingInstance: host,
      count: 1, firstTimestamp: now, lastTimestamp: now,
    });
    return { name, namespace, count: 1 };
  }

  #remember(key: string, recorded: Recorded): void {
    this.#recorded.delete(key);
    this.#recorded.set(key, recorded);
    const max = this.#o.cacheSize ?? 4096;
    while (this.#recorded.size > max) this.#recorded.delete(this.#recorded.keys().next().value as string);
  }
}
