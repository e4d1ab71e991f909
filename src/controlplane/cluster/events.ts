/**
 * core/v1 Events from the simulated components, recorded the way client-go's event recorder does:
 * an Event named `<object>.<hex nanoseconds>` in the object's namespace with involvedObject,
 * reason, message, type and source, and a repeat of the same event (same object, component,
 * reason and message) counted on the existing Event (count, lastTimestamp) instead of creating a
 * new one. Writes are queued and never fail their caller: an Event is best effort (creating one in
 * a terminating namespace is refused, and that is fine).
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import { rfc3339 } from '../verbs/scope.ts';
import { InternalClient, isStatus, T } from './internal-client.ts';
import type { Services } from '../verbs/scope.ts';

/** Who reports an event: `{component: 'kubelet', host: 'node-1'}`. */
export interface EventSource {
  component: string;
  host?: string;
}

/** One event to record about an object. */
export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  source: EventSource;
  /** Part of the object the event is about: `spec.containers{web}`. */
  fieldPath?: string;
}

interface Recorded {
  namespace: string;
  name: string;
  count: number;
}

const MAX_REMEMBERED = 4096;

/** Records and aggregates Events through the API. */
export class EventRecorder {
  private readonly client: InternalClient;
  private readonly now: () => Date;
  private readonly recorded = new Map<string, Recorded>();
  private tail: Promise<void> = Promise.resolve();
  private sequence = 0;
  private stopped = false;

  constructor(svc: Services) {
    this.client = new InternalClient(svc, 'event-recorder');
    this.now = svc.now;
  }

  /** Records `spec` about `obj` (asynchronously; in the order of the calls). */
  emit(obj: KubeObject, spec: EventSpec): void {
    if (this.stopped) return;
    const at = this.now();
    this.tail = this.tail.then(() => this.write(obj, spec, at)).catch(() => undefined);
  }

  /** Resolves once every event emitted so far is written (tests of the recorder, orderly stop). */
  flush(): Promise<void> {
    return this.tail;
  }

  stop(): void {
    this.stopped = true;
  }

  private async write(obj: KubeObject, spec: EventSpec, at: Date): Promise<void> {
    if (this.stopped) return;
    const key = aggregationKey(obj, spec);
    const seen = this.recorded.get(key);
    if (seen && (await this.increment(seen, at))) return;
    const created = await this.client.create(T.events, this.eventFor(obj, spec, at));
    this.remember(key, { namespace: created.metadata.namespace!, name: created.metadata.name!, count: 1 });
  }

  private async increment(seen: Recorded, at: Date): Promise<boolean> {
    try {
      seen.count++;
      await this.client.patch(T.events, seen.namespace, seen.name, { count: seen.count, lastTimestamp: rfc3339(at) });
      return true;
    } catch (err) {
      if (isStatus(err, 404)) return false;
      throw err;
    }
  }

  private remember(key: string, rec: Recorded): void {
    this.recorded.delete(key);
    this.recorded.set(key, rec);
    if (this.recorded.size > MAX_REMEMBERED) this.recorded.delete(this.recorded.keys().next().value as string);
  }

  private eventFor(obj: KubeObject, spec: EventSpec, at: Date): KubeObject {
    const nanos = BigInt(at.getTime()) * 1_000_000n + BigInt(this.sequence++ % 1_000_000);
    const ts = rfc3339(at);
    const { name, namespace, uid, resourceVersion } = obj.metadata;
    return {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${name}.${nanos.toString(16)}`, namespace: namespace ?? 'default' },
      involvedObject: {
        kind: obj.kind, namespace, name, uid, apiVersion: obj.apiVersion, resourceVersion,
        ...(spec.fieldPath ? { fieldPath: spec.fieldPath } : {}),
      },
      reason: spec.reason, message: spec.message, type: spec.type,
      source: spec.source.host ? { component: spec.source.component, host: spec.source.host } : { component: spec.source.component },
      firstTimestamp: ts, lastTimestamp: ts, count: 1,
      reportingComponent: spec.source.component, reportingInstance: spec.source.host ?? '',
    };
  }
}

function aggregationKey(obj: KubeObject, spec: EventSpec): string {
  const m = obj.metadata;
  return [spec.source.component, spec.source.host, obj.kind, m.namespace, m.name, m.uid, spec.fieldPath, spec.type, spec.reason, spec.message].join('\u0000');
}
