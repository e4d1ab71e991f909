/**
 * Streams a watch over HTTP: `200` with chunked newline-delimited JSON events, closed after
 * `timeoutSeconds` (or a default with jitter, as kube-apiserver does, so clients exercise their
 * reconnect path), with periodic BOOKMARKs when asked for, and Table-wrapped objects when the
 * client's Accept header asks for Tables (`kubectl get -w`).
 */
import { queryBool, queryInt } from './query-params.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import type { FaultInjector } from '../faults.ts';
import type { ResourceType } from '../registry/resource.ts';
import { parseFilter } from '../verbs/read.ts';
import type { Services } from '../verbs/scope.ts';
import { startWatch, type WatchEvent } from '../verbs/watch.ts';
import type { ResourceCall } from './resource-handler.ts';
import { negotiate, toTable } from './table.ts';

/** What serving a watch needs from the server. */
export interface WatchServing {
  svc: Services;
  faults: FaultInjector;
  /** Interval of BOOKMARK events for watches that allow them. */
  bookmarkIntervalMs: number;
  /** Upper bound of a watch without timeoutSeconds (kube-apiserver: 30-60 min). */
  maxWatchSeconds: number;
}

function encoder(call: ResourceCall, rt: ResourceType): (ev: WatchEvent) => string {
  if (negotiate(call.req.headers.accept) !== 'Table') return (ev) => JSON.stringify(ev) + '\n';
  let first = true;
  return (ev) => {
    if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') return JSON.stringify(ev) + '\n';
    const obj = ev.object as KubeObject;
    const table = toTable(rt, [obj], { resourceVersion: obj.metadata.resourceVersion }, 'Metadata', first);
    first = false;
    return JSON.stringify({ type: ev.type, object: table }) + '\n';
  };
}

/** Serves GET ...?watch=true. */
export function serveWatch(deps: WatchServing, call: ResourceCall, rt: ResourceType): void {
  const q = call.query;
  const filter = parseFilter(rt, q.get('labelSelector'), q.get('fieldSelector'));
  const encode = encoder(call, rt);
  const { res } = call;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let closed = false;
  let ended = false;
  const write = (ev: WatchEvent) => {
    if (closed || ended) return;
    res.write(encode(ev));
    // An ERROR ends the watch; finishing is deferred because it can arrive while the watch starts.
    if (ev.type === 'ERROR') {
      ended = true;
      queueMicrotask(finish);
    }
  };
  const handle = startWatch(deps.svc, rt, {
    namespace: call.info.namespace, filter, resourceVersion: q.get('resourceVersion') ?? undefined,
    allowBookmarks: queryBool(q, 'allowWatchBookmarks'), sendInitialEvents: queryBool(q, 'sendInitialEvents'),
  }, write);
  const timeoutSeconds = queryInt(q, 'timeoutSeconds') || deps.maxWatchSeconds * (1 + Math.random());
  const timer = setTimeout(() => finish(), timeoutSeconds * 1000);
  const bookmarks = setInterval(() => handle.bookmark(), deps.bookmarkIntervalMs);
  bookmarks.unref();
  const untrack = deps.faults.trackWatch(() => {
    finish();
    res.socket?.destroy();
  });
  function finish(): void {
    if (closed) return;
    closed = true;
    handle.stop();
    clearTimeout(timer);
    clearInterval(bookmarks);
    untrack();
    res.end();
  }
  call.req.on('close', finish);
  res.on('close', finish);
}
