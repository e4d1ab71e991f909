/**
 * Test support for the runtime's integration tests: an informer over one namespace of
 * ConfigMaps on a real control plane, with every list/watch counted and every event recorded.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { InformerCache, type Informer, type InformerTiming } from '../../src/runtime/cache.ts';
import { KubeClient } from '../../src/runtime/client.ts';
import { realClock } from '../../src/runtime/clock.ts';
import { ClientListWatcher, type ListResult, type ListWatcher, type WatchCallbacks, type WatchHandle } from '../../src/runtime/internal/list-watcher.ts';

/** The ConfigMap kind. */
export const CONFIGMAP = { apiVersion: 'v1', kind: 'ConfigMap' } as const;

/** One handler call, as recorded. */
export interface SeenEvent {
  type: 'add' | 'update' | 'delete';
  name: string;
  resourceVersion: string;
  oldResourceVersion?: string;
  initial?: boolean;
  stateUnknown?: boolean;
}

/** Wraps a ListWatcher to count calls and remember list resourceVersions. */
export class CountingListWatcher implements ListWatcher {
  readonly listVersions: string[] = [];
  watches = 0;
  readonly #inner: ListWatcher;

  constructor(inner: ListWatcher) {
    this.#inner = inner;
  }

  async list(signal?: AbortSignal): Promise<ListResult> {
    const result = await this.#inner.list(signal);
    this.listVersions.push(result.resourceVersion);
    return result;
  }

  watch(resourceVersion: string, callbacks: WatchCallbacks): Promise<WatchHandle> {
    this.watches++;
    return this.#inner.watch(resourceVersion, callbacks);
  }
}

/** A running informer with its recordings. */
export interface ConfigMapInformer {
  cache: InformerCache;
  informer: Informer;
  client: KubeClient;
  listWatcher: CountingListWatcher;
  events: SeenEvent[];
  stop(): Promise<void>;
}

/** Starts an informer on ConfigMaps of `namespace`, recording every handler call. */
export function startConfigMapInformer(kc: KubeConfig, namespace: string, timing: InformerTiming = {}): ConfigMapInformer {
  const client = new KubeClient({ kubeConfig: kc, fieldManager: 'informer-test' });
  let listWatcher: CountingListWatcher | undefined;
  const cache = new InformerCache({
    client, clock: realClock, logger: pino({ level: 'silent' }), namespace,
    backoffInitialMs: 50, backoffMaxMs: 500, ...timing,
    listWatcherFor: (kind) => (listWatcher = new CountingListWatcher(new ClientListWatcher({ client, kind, namespace }))),
  });
  const events: SeenEvent[] = [];
  const rv = (o: KubeObject): string => o.metadata.resourceVersion ?? '';
  const informer = cache.getInformer(CONFIGMAP);
  informer.addHandler({
    onAdd: (o, initial) => events.push({ type: 'add', name: o.metadata.name!, resourceVersion: rv(o), initial }),
    onUpdate: (old, o) => events.push({ type: 'update', name: o.metadata.name!, resourceVersion: rv(o), oldResourceVersion: rv(old) }),
    onDelete: (o, stateUnknown) => events.push({ type: 'delete', name: o.metadata.name!, resourceVersion: rv(o), stateUnknown }),
  });
  const stopper = new AbortController();
  const running = cache.start(stopper.signal);
  return {
    cache, informer, client, listWatcher: listWatcher!, events,
    async stop() {
      stopper.abort();
      await running;
    },
  };
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function inParallel<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** A ConfigMap object. */
export function configMap(namespace: string, name: string, data: Record<string, string> = {}): KubeObject {
  return { ...CONFIGMAP, metadata: { name, namespace }, data };
}
