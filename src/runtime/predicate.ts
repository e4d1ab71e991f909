/**
 * Predicates filter object events before they reach a controller's queue, after
 * controller-runtime's pkg/predicate. Each returns true to let the event through.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CreateEvent, DeleteEvent, GenericEvent, UpdateEvent } from './object-event.ts';

/** Predicate decides, per kind of event, whether the event is handled. */
export interface Predicate {
  create(e: CreateEvent): boolean;
  update(e: UpdateEvent): boolean;
  delete(e: DeleteEvent): boolean;
  generic(e: GenericEvent): boolean;
}

/** Builds a {@link Predicate} from the functions given; missing ones let every event through. */
export function predicateFuncs(funcs: Partial<Predicate>): Predicate {
  return {
    create: funcs.create ?? (() => true),
    update: funcs.update ?? (() => true),
    delete: funcs.delete ?? (() => true),
    generic: funcs.generic ?? (() => true),
  };
}

/**
 * Passes updates whose metadata.generation changed, so status-only and metadata-only writes
 * (and resyncs) are skipped. Create, delete and generic events pass.
 */
export function generationChanged(): Predicate {
  return predicateFuncs({ update: (e) => e.objectOld.metadata.generation !== e.objectNew.metadata.generation });
}

/** Passes updates whose metadata.resourceVersion changed: filters out periodic resyncs. */
export function resourceVersionChanged(): Predicate {
  return predicateFuncs({ update: (e) => e.objectOld.metadata.resourceVersion !== e.objectNew.metadata.resourceVersion });
}

/** Passes updates whose labels changed. */
export function labelChanged(): Predicate {
  return predicateFuncs({ update: (e) => !isDeepStrictEqual(e.objectOld.metadata.labels ?? {}, e.objectNew.metadata.labels ?? {}) });
}

/** Passes updates whose annotations changed. */
export function annotationChanged(): Predicate {
  return predicateFuncs({
    update: (e) => !isDeepStrictEqual(e.objectOld.metadata.annotations ?? {}, e.objectNew.metadata.annotations ?? {}),
  });
}

/** Passes an event only when every predicate passes it (true for none). */
export function and(...predicates: Predicate[]): Predicate {
  return combine((test) => predicates.every(test));
}

/** Passes an event when any predicate passes it (false for none). */
export function or(...predicates: Predicate[]): Predicate {
  return combine((test) => predicates.some(test));
}

/** Inverts a predicate. */
export function not(predicate: Predicate): Predicate {
  return {
    create: (e) => !predicate.create(e),
    update: (e) => !predicate.update(e),
    delete: (e) => !predicate.delete(e),
    generic: (e) => !predicate.generic(e),
  };
}

/** Builds a predicate from a quantifier (every/some) over the member predicates; both short-circuit. */
function combine(quantify: (test: (p: Predicate) => boolean) => boolean): Predicate {
  return {
    create: (e) => quantify((p) => p.create(e)),
    update: (e) => quantify((p) => p.update(e)),
    delete: (e) => quantify((p) => p.delete(e)),
    generic: (e) => quantify((p) => p.generic(e)),
  };
}
