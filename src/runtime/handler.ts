/**
 * Event handlers turn object events into reconcile requests (controller-runtime's pkg/handler):
 * the object itself (For), its controlling owner (Owns), or whatever a map function says
 * (Watches).
 */
import type { KubeObject, OwnerReference } from '../apimachinery/object.ts';
import type { CreateEvent, DeleteEvent, GenericEvent, UpdateEvent } from './object-event.ts';
import { requestKey, type Request } from './reconcile.ts';
import { groupOf, type KindRef } from './resources.ts';

/** Where handlers put requests (the controller's queue). */
export interface RequestQueue {
  add(req: Request): void;
}

/** Maps each kind of event to requests on a queue. */
export interface EventHandler {
  create(e: CreateEvent, q: RequestQueue): void;
  update(e: UpdateEvent, q: RequestQueue): void;
  delete(e: DeleteEvent, q: RequestQueue): void;
  generic(e: GenericEvent, q: RequestQueue): void;
}

/** Maps an object to the requests it should trigger. */
export type MapFunc = (obj: KubeObject) => Request[];

function requestFor(obj: KubeObject): Request {
  return { namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' };
}

/** A handler that enqueues requests from a map function, de-duplicated per event. */
export function enqueueRequestsFromMapFunc(map: MapFunc): EventHandler {
  const addAll = (q: RequestQueue, objects: KubeObject[]): void => {
    const seen = new Set<string>();
    for (const obj of objects) {
      for (const req of map(obj)) {
        const key = requestKey(req);
        if (seen.has(key)) continue;
        seen.add(key);
        q.add(req);
      }
    }
  };
  return {
    create: (e, q) => addAll(q, [e.object]),
    update: (e, q) => addAll(q, [e.objectOld, e.objectNew]),
    delete: (e, q) => addAll(q, [e.object]),
    generic: (e, q) => addAll(q, [e.object]),
  };
}

/** Enqueues the object the event is about (used by For). */
export function enqueueRequestForObject(): EventHandler {
  return {
    create: (e, q) => q.add(requestFor(e.object)),
    update: (e, q) => q.add(requestFor(e.objectNew)),
    delete: (e, q) => q.add(requestFor(e.object)),
    generic: (e, q) => q.add(requestFor(e.object)),
  };
}

/** Options of {@link enqueueRequestForOwner}. */
export interface OwnerOptions {
  /** Only the ownerReference with `controller: true` (default true, as Owns does). */
  onlyController?: boolean;
  /** Whether the owner kind is namespaced (default true): its request then takes the child's namespace. */
  ownerNamespaced?: boolean;
}

/**
 * Enqueues the owner of the object, of kind `owner` (matched on API group and kind, any
 * version), through the first `controller: true` ownerReference (or every matching reference
 * when `onlyController` is false). Updates enqueue the owners of both old and new object.
 */
export function enqueueRequestForOwner(owner: KindRef, opts: OwnerOptions = {}): EventHandler {
  const onlyController = opts.onlyController ?? true;
  const ownerNamespaced = opts.ownerNamespaced ?? true;
  const group = groupOf(owner);
  const matches = (ref: OwnerReference): boolean => ref.kind === owner.kind && groupOf(ref) === group;
  return enqueueRequestsFromMapFunc((obj) => {
    const refs = obj.metadata.ownerReferences ?? [];
    const picked = onlyController ? refs.filter((r) => r.controller === true).slice(0, 1) : refs;
    const namespace = ownerNamespaced ? (obj.metadata.namespace ?? '') : '';
    return picked.filter(matches).map((r) => ({ namespace, name: r.name }));
  });
}
