/**
 * The events a watched object produces, as predicates and event handlers see them
 * (controller-runtime's pkg/event). Objects come from the informer cache: treat them as
 * read-only.
 */
import type { KubeObject } from '../apimachinery/object.ts';

/** An object appeared (first list, or created later). */
export interface CreateEvent {
  object: KubeObject;
  /** True when the object came from the informer's initial list rather than a watch event. */
  isInInitialList: boolean;
}

/** An object changed; `objectOld` is the previously cached version (equal to `objectNew` on a resync). */
export interface UpdateEvent {
  objectOld: KubeObject;
  objectNew: KubeObject;
}

/** An object went away. */
export interface DeleteEvent {
  object: KubeObject;
  /** True when the deletion was inferred from a relist, so `object` may be stale. */
  deleteStateUnknown: boolean;
}

/** An event from outside the cluster (a timer, an external system). */
export interface GenericEvent {
  object: KubeObject;
}
