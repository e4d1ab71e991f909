/**
 * List and watch one kind. Lists go through KubeClient (paged, counted in metrics); watches go
 * through client-node's `Watch`, which streams newline-delimited events over the KubeConfig's
 * connection. The reflector drives both; this file only speaks the wire.
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../controlplane/api/object.ts';
import type { KubeClient } from '../client.ts';
import { resourcePath, type KindRef } from '../resources.ts';

/** A complete list of a kind at one resourceVersion. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

/** Receives watch events until the watch ends (once). */
export interface WatchCallbacks {
  /** `type` is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR (object is then a Status). */
  onEvent(type: string, object: any): void;
  /** The watch ended: `null` on a clean close, the error otherwise. */
  onDone(err: unknown): void;
}

/** A running watch. */
export interface WatchHandle {
  abort(): void;
}

/** The list and watch calls a reflector needs. */
export interface ListWatcher {
  list(signal?: AbortSignal): Promise<ListResult>;
  watch(resourceVersion: string, callbacks: WatchCallbacks): Promise<WatchHandle>;
}

/** Options of {@link ClientListWatcher}. */
export interface ClientListWatcherOptions {
  client: KubeClient;
  kubeConfig: KubeConfig;
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
  readonly #watch: Watch;

  constructor(opts: ClientListWatcherOptions) {
    this.#opts = opts;
    this.#watch = new Watch(opts.kubeConfig);
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
    const path = resourcePath(client.resourceOf(kind), namespace);
    const timeoutSeconds = this.#opts.watchTimeoutSeconds?.() ?? Math.floor(300 + Math.random() * 300);
    const query = { resourceVersion, allowWatchBookmarks: true, timeoutSeconds, labelSelector, fieldSelector };
    const controller = await this.#watch.watch(path, query, (type, obj) => callbacks.onEvent(type, obj), (err) => callbacks.onDone(err));
    return { abort: () => controller.abort() };
  }
}
