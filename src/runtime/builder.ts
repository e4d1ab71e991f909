/**
 * The fluent wiring of a controller, after controller-runtime's builder:
 *
 * ```ts
 * controllerManagedBy(mgr)
 *   .named('session')
 *   .for(SessionKind, { predicates: [generationChanged()] })
 *   .owns(DeploymentKind)
 *   .watches(TemplateKind, (t) => sessionsUsing(t))
 *   .withOptions({ maxConcurrentReconciles: 4 })
 *   .complete(reconciler);
 * ```
 */
import { Controller, type ControllerOptions } from './controller.ts';
import { enqueueRequestForObject, enqueueRequestForOwner, enqueueRequestsFromMapFunc, type EventHandler, type MapFunc } from './handler.ts';
import type { Manager } from './manager.ts';
import type { Predicate } from './predicate.ts';
import { reconcileFunc, type ReconcileFunc, type Reconciler } from './reconcile.ts';
import type { KindRef } from './resources.ts';

/** Per-source options. */
export interface SourceOptions {
  predicates?: Predicate[];
}

/** Options of owns(). */
export interface OwnsOptions extends SourceOptions {
  /** Enqueue every owner of the For kind, not only the controller reference (default false). */
  matchEveryOwner?: boolean;
}

interface PendingSource {
  kind: KindRef;
  handler: (forKind: KindRef) => EventHandler;
  predicates: Predicate[];
}

/** Collects the wiring of one controller; see the module comment. */
export class ControllerBuilder {
  readonly #mgr: Manager;
  #name: string | undefined;
  #for: PendingSource | undefined;
  readonly #others: PendingSource[] = [];
  readonly #globalPredicates: Predicate[] = [];
  #options: ControllerOptions = {};

  constructor(mgr: Manager) {
    this.#mgr = mgr;
  }

  /** The controller's name, unique per manager; it labels metrics and logs. Defaults to the For kind, lower-cased. */
  named(name: string): this {
    this.#name = name;
    return this;
  }

  /** The kind this controller reconciles: its events enqueue the object itself. */
  for(kind: KindRef, opts: SourceOptions = {}): this {
    if (this.#for) throw new Error('for() may be called only once');
    this.#for = { kind, handler: () => enqueueRequestForObject(), predicates: opts.predicates ?? [] };
    return this;
  }

  /** A kind the controller creates: its events enqueue the owning For object. */
  owns(kind: KindRef, opts: OwnsOptions = {}): this {
    this.#others.push({
      kind,
      handler: (forKind) => enqueueRequestForOwner(forKind, {
        onlyController: !opts.matchEveryOwner,
        ownerNamespaced: this.#mgr.getClient().resourceOf(forKind).namespaced,
      }),
      predicates: opts.predicates ?? [],
    });
    return this;
  }

  /** Any other kind: `map` says which requests an event of it triggers. */
  watches(kind: KindRef, map: MapFunc, opts: SourceOptions = {}): this {
    this.#others.push({ kind, handler: () => enqueueRequestsFromMapFunc(map), predicates: opts.predicates ?? [] });
    return this;
  }

  /** Predicates applied to every source. */
  withEventFilter(...predicates: Predicate[]): this {
    this.#globalPredicates.push(...predicates);
    return this;
  }

  withOptions(options: ControllerOptions): this {
    this.#options = { ...this.#options, ...options };
    return this;
  }

  /** Builds the controller, registers it with the manager and returns it. */
  complete(reconciler: Reconciler | ReconcileFunc): Controller {
    if (!this.#for) throw new Error('for() must be called before complete()');
    const forKind = this.#for.kind;
    const name = this.#name ?? forKind.kind.toLowerCase();
    const controller = new Controller({
      name,
      reconciler: typeof reconciler === 'function' ? reconcileFunc(reconciler) : reconciler,
      metrics: this.#mgr.getMetrics(),
      clock: this.#mgr.getClock(),
      logger: this.#mgr.getLogger(),
      options: this.#options,
    });
    for (const source of [this.#for, ...this.#others]) {
      const informer = this.#mgr.getCache().getInformer(source.kind);
      controller.watch(informer, source.handler(forKind), ...this.#globalPredicates, ...source.predicates);
    }
    this.#mgr.addController(controller);
    return controller;
  }
}

/** Starts building a controller managed by `mgr`. */
export function controllerManagedBy(mgr: Manager): ControllerBuilder {
  return new ControllerBuilder(mgr);
}
