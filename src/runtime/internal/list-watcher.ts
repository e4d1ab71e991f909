/**
 * List and watch one kind through the KubeClient (lists paged and counted in metrics, watches
 * streamed over the same transport). The reflector drives both; this file only speaks the wire.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { KubeClient, WatchCallbacks, WatchHandle } from '../client.ts';
import type { KindRef } from '../resources.ts';

export type { WatchCallbacks, WatchHandle } from '../client.ts';

/** A complete list of a kind at one resourceVersion. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

/** The list and watch calls a reflector needs. */
export interface ListWatcher {
  list(signal?: AbortSignal): Promise<ListResult>;
  watch(resourceVersion: string, callbacks: WatchCallbacks): Promise<WatchHandle>;
}

/** Options of {@link ClientListWatcher}. */
export interface ClientListWatcherOptions {
  client: KubeClient;
  kind: KindRef;
  /** Restrict to one namespace (all namespaces when unset). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per list page (default 500, like client-go's pager). */
  pageSize?: number;
  /** Server-side watch timeout; the default is 5–10 min, randomised so watches do not all end together. */
  watchTimeoutSeconds?: () => number;
}

/** A {@link ListWatcher} against a real API server. */
export class ClientListWatcher implements ListWatcher {
  readonly #opts: ClientListWatcherOptions;

  constructor(opts: ClientListWatcherOptions) {
    this.#opts = opts;
  }

  async list(): Promise<ListResult> {
    const { client, kind, namespace, labelSelector, fieldSelector, pageSize = 500 } = this.#opts;
    const items: KubeObject[] = [];
    let resourceVersion = '';
    let token: string | undefined;
    do {
      const page = await client.list(kind, { namespace, labelSelector, fieldSelector, limit: pageSize, continue: token });
      // List items carry no apiVersion/kind on the wire; the cache wants complete objects.
      for (const item of page.items) items.push({ ...item, apiVersion: kind.apiVersion, kind: kind.kind });
      // Every page of a chunked list is served at the first page's resourceVersion.
      if (!resourceVersion) resourceVersion = page.metadata.resourceVersion ?? '';
      token = page.metadata.continue || undefined;
    } while (token);
    return { items, resourceVersion };
  }

  async watch(resourceVersion: string, callbacks: WatchCallbacks): Promise<WatchHandle> {
    const { client, kind, namespace, labelSelector, fieldSelector } = this.#opts;
    const timeoutSeconds = this.#opts.watchTimeoutSeconds?.() ?? Math.floor(300 + Math.random() * 300);
    return client.watch(kind, { namespace, resourceVersion, allowWatchBookmarks: true, timeoutSeconds, labelSelector, fieldSelector }, callbacks);
  }
}
