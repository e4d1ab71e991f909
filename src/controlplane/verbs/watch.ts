/**
 * watch: a stream of change events of one resource type, filtered by namespace and selectors, from
 * a resourceVersion. Unset or "0" starts with a synthetic ADDED per existing object; an exact
 * version resumes after it, or answers one ERROR event with a 410 Expired Status when the history
 * no longer reaches back that far. An object that starts or stops matching the selectors is
 * announced as ADDED or DELETED, as the API server's watch cache does.
 */
import { expired, StatusError, type StatusBody } from '../../apimachinery/errors.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import { storageName, type ResourceType } from '../registry/resource.ts';
import type { ChangeEvent } from '../storage/store.ts';
import { matchesFilter, withVersion, type ObjectFilter } from './read.ts';
import type { Services } from './scope.ts';

/** One watch event as written on the wire. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject | StatusBody;
}

/** Options of a watch. */
export interface WatchOptions {
  namespace: string | undefined;
  filter: ObjectFilter;
  resourceVersion: string | undefined;
  allowBookmarks: boolean;
  /** Sends the initial events then a bookmark marked `k8s.io/initial-events-end` (watch-list). */
  sendInitialEvents?: boolean;
}

/** A running watch. `stop()` releases it; the HTTP layer stops it on disconnect or timeout. */
export interface WatchHandle {
  stop(): void;
  /** Sends a BOOKMARK at the current revision (if bookmarks were asked for). */
  bookmark(): void;
}

function translate(rt: ResourceType, filter: ObjectFilter, ev: ChangeEvent): WatchEvent | undefined {
  const nowMatches = ev.type !== 'DELETED' && matchesFilter(rt, filter, ev.object);
  const wasMatching = ev.previous !== undefined && matchesFilter(rt, filter, ev.previous);
  const object = withVersion(rt, ev.object);
  if (ev.type === 'DELETED') return wasMatching ? { type: 'DELETED', object } : undefined;
  if (nowMatches && wasMatching) return { type: 'MODIFIED', object };
  if (nowMatches) return { type: 'ADDED', object };
  if (wasMatching) return { type: 'DELETED', object };
  return undefined;
}

function inScope(rt: ResourceType, namespace: string | undefined, ev: ChangeEvent): boolean {
  if (ev.resource !== storageName(rt)) return false;
  return !rt.namespaced || namespace === undefined || ev.object.metadata.namespace === namespace;
}

function bookmarkEvent(rt: ResourceType, rv: number, initialEnd = false): WatchEvent {
  const metadata: any = { resourceVersion: String(rv) };
  if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { type: 'BOOKMARK', object: { apiVersion: rt.group ? `${rt.group}/${rt.version}` : rt.version, kind: rt.kind, metadata } };
}

function parseVersion(rv: string | undefined): number | undefined {
  if (rv === undefined || rv === '' || rv === '0') return undefined;
  const n = Number(rv);
  if (!Number.isInteger(n) || n < 0) throw new StatusError(400, 'BadRequest', `invalid resource version: "${rv}"`);
  return n;
}

/** Starts a watch; `sink` receives each event in order. Returns a handle to stop it. */
export function startWatch(svc: Services, rt: ResourceType, opts: WatchOptions, sink: (ev: WatchEvent) => void): WatchHandle {
  const from = parseVersion(opts.resourceVersion);
  let lastRv = svc.store.currentRevision();
  const deliver = (ev: ChangeEvent) => {
    if (!inScope(rt, opts.namespace, ev)) return;
    lastRv = ev.rv;
    const out = translate(rt, opts.filter, ev);
    if (out) sink(out);
  };
  if (from === undefined) {
    for (const obj of svc.store.list(storageName(rt), rt.namespaced ? opts.namespace : undefined)) {
      if (matchesFilter(rt, opts.filter, obj)) sink({ type: 'ADDED', object: withVersion(rt, obj) });
    }
    if (opts.sendInitialEvents) sink(bookmarkEvent(rt, lastRv, true));
  } else {
    const backlog = svc.store.eventsSince(from);
    if (!backlog) {
      const err = expired(`too old resource version: ${from} (${svc.store.oldestWatchableRevision() + 1})`);
      sink({ type: 'ERROR', object: err.toStatus() });
      return { stop: () => undefined, bookmark: () => undefined };
    }
    for (const ev of backlog) deliver(ev);
  }
  const unsubscribe = svc.store.subscribe(deliver);
  return {
    stop: unsubscribe,
    bookmark: () => {
      if (opts.allowBookmarks) sink(bookmarkEvent(rt, Math.max(lastRv, svc.store.currentRevision())));
    },
  };
}
