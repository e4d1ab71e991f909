/**
 * The garbage collector (https://kubernetes.io/docs/concepts/architecture/garbage-collection/),
 * over every resource the store holds, custom resources included. Owners are matched by uid; a
 * namespaced dependent may have owners in its namespace or cluster-scoped ones (any other reference
 * counts as dangling).
 * - Background: a dependent whose owners are all gone is deleted; one with a live owner left only
 *   loses the references to the gone ones.
 * - Foreground: an owner being deleted with the `foregroundDeletion` finalizer gets its dependents
 *   deleted (foreground again for those that have dependents of their own) and loses the finalizer
 *   once no dependent with blockOwnerDeletion=true is left.
 * - Orphan: an owner being deleted with the `orphan` finalizer has its references removed from its
 *   dependents, then loses the finalizer.
 */
import type { KubeObject, OwnerReference } from '../../../apimachinery/object.ts';
import { storageName, type ResourceType } from '../../registry/resource.ts';
import type { ChangeEvent } from '../../storage/store.ts';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type DeleteOptions } from '../../verbs/delete.ts';
import { componentClient, type Controller, type ControllerContext } from '../controller.ts';
import type { InternalClient } from '../internal-client.ts';
import { OwnerIndex, type StoredRef } from './owner-index.ts';
import { ReconcileQueue } from '../work-queue.ts';

interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waiting: OwnerReference[];
}

function gcFinalizer(obj: KubeObject): boolean {
  const f = obj.metadata.finalizers ?? [];
  return f.includes(FOREGROUND_FINALIZER) || f.includes(ORPHAN_FINALIZER);
}

function refsChanged(ev: ChangeEvent): boolean {
  return JSON.stringify(ev.previous?.metadata.ownerReferences ?? []) !== JSON.stringify(ev.object.metadata.ownerReferences ?? []);
}

/** The garbage collector. */
class GarbageCollector {
  private readonly ctx: ControllerContext;
  readonly client: InternalClient;
  readonly index = new OwnerIndex();
  readonly queue: ReconcileQueue;

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
    this.client = componentClient(ctx, 'kube-controller-manager');
    this.queue = new ReconcileQueue('garbage-collector', async (key) => {
      if (key.startsWith('owner:')) return this.processOwner(key.slice(6));
      return this.processDependent(key.slice(4));
    });
  }

  /** Brings the graph up to date with one change and queues what it affects. */
  observe(ev: ChangeEvent): void {
    const obj = ev.object;
    const uid = obj.metadata.uid;
    if (!uid) return;
    if (ev.type === 'DELETED') {
      this.index.remove(obj);
      for (const dep of this.index.dependentsOf(uid)) this.queue.add(`dep:${dep.uid}`);
      for (const ref of obj.metadata.ownerReferences ?? []) this.queue.add(`owner:${ref.uid}`);
      return;
    }
    this.index.observe(ev.resource, obj);
    const changed = ev.type === 'ADDED' || refsChanged(ev);
    if (changed && obj.metadata.ownerReferences?.length) this.queue.add(`dep:${uid}`);
    if (changed) for (const ref of ev.previous?.metadata.ownerReferences ?? []) this.queue.add(`owner:${ref.uid}`);
    if (obj.metadata.deletionTimestamp && gcFinalizer(obj)) this.queue.add(`owner:${uid}`);
    if (obj.metadata.deletionTimestamp && !ev.previous?.metadata.deletionTimestamp) {
      for (const ref of obj.metadata.ownerReferences ?? []) this.queue.add(`owner:${ref.uid}`);
    }
  }

  private typeOf(storage: string): ResourceType | undefined {
    return this.ctx.svc.registry.all().find((t) => storageName(t) === storage);
  }

  private fetch(ref: StoredRef | undefined): { obj: KubeObject; rt: ResourceType } | undefined {
    if (!ref) return undefined;
    const rt = this.typeOf(ref.storage);
    const obj = rt && this.client.get(rt, ref.namespace, ref.name);
    return obj && obj.metadata.uid === ref.uid ? { obj, rt: rt! } : undefined;
  }

  private classify(obj: KubeObject): Classified {
    const out: Classified = { solid: [], dangling: [], waiting: [] };
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const stored = this.index.get(ref.uid);
      const crossNamespace = stored?.namespace !== undefined && stored.namespace !== obj.metadata.namespace;
      const owner = crossNamespace ? undefined : this.fetch(stored)?.obj;
      if (!owner) out.dangling.push(ref);
      else if (owner.metadata.deletionTimestamp && owner.metadata.finalizers?.includes(FOREGROUND_FINALIZER)) out.waiting.push(ref);
      else out.solid.push(ref);
    }
    return out;
  }

  private async processDependent(uid: string): Promise<void> {
    const found = this.fetch(this.index.get(uid));
    if (!found || found.obj.metadata.deletionTimestamp || !found.obj.metadata.ownerReferences?.length) return;
    await this.collect(found.obj, found.rt);
  }

  /** Deletes a dependent whose owners are gone or going, or drops its references to them. */
  private async collect(obj: KubeObject, rt: ResourceType): Promise<void> {
    const { solid, dangling, waiting } = this.classify(obj);
    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      const gone = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.setOwnerRefs(obj, rt, (obj.metadata.ownerReferences ?? []).filter((r) => !gone.has(r.uid)));
      return;
    }
    const f = obj.metadata.finalizers ?? [];
    let policy: DeleteOptions['propagationPolicy'] = 'Background';
    if (f.includes(ORPHAN_FINALIZER)) policy = 'Orphan';
    else if (f.includes(FOREGROUND_FINALIZER) || (waiting.length && this.index.dependentsOf(obj.metadata.uid!).length)) policy = 'Foreground';
    await this.client.delete(rt, obj.metadata.namespace, obj.metadata.name!, { propagationPolicy: policy, preconditions: { uid: obj.metadata.uid } });
  }

  private async processOwner(uid: string): Promise<void> {
    const found = this.fetch(this.index.get(uid));
    if (!found?.obj.metadata.deletionTimestamp) return;
    const { obj, rt } = found;
    const finalizers = obj.metadata.finalizers ?? [];
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      for (const dep of this.index.dependentsOf(uid)) {
        const d = this.fetch(dep);
        if (d) await this.setOwnerRefs(d.obj, d.rt, (d.obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid));
      }
      return this.removeFinalizer(rt, uid, ORPHAN_FINALIZER);
    }
    if (!finalizers.includes(FOREGROUND_FINALIZER)) return;
    let blocked = false;
    for (const dep of this.index.dependentsOf(uid)) {
      const d = this.fetch(dep);
      if (!d) continue;
      if (!d.obj.metadata.deletionTimestamp) await this.collect(d.obj, d.rt);
      const still = this.fetch(dep);
      if (still?.obj.metadata.ownerReferences?.some((r) => r.uid === uid && r.blockOwnerDeletion)) blocked = true;
    }
    if (!blocked) await this.removeFinalizer(rt, uid, FOREGROUND_FINALIZER);
  }

  private async setOwnerRefs(obj: KubeObject, rt: ResourceType, refs: OwnerReference[]): Promise<void> {
    await this.client.update(rt, { ...obj, metadata: { ...obj.metadata, ownerReferences: refs.length ? refs : undefined } });
  }

  private async removeFinalizer(rt: ResourceType, uid: string, finalizer: string): Promise<void> {
    const current = this.fetch(this.index.get(uid));
    if (!current) return;
    const finalizers = (current.obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    await this.client.update(rt, { ...current.obj, metadata: { ...current.obj.metadata, finalizers } });
  }
}

/** Starts the garbage collector over every resource in the store. */
export function startGarbageCollector(ctx: ControllerContext): Controller {
  const gc = new GarbageCollector(ctx);
  const unsubscribe = gc.client.onEveryChange((ev) => gc.observe(ev));
  const { store } = ctx.svc;
  for (const storage of store.resources()) {
    for (const obj of store.list(storage)) {
      gc.index.observe(storage, obj);
      if (obj.metadata.ownerReferences?.length) gc.queue.add(`dep:${obj.metadata.uid}`);
      if (obj.metadata.deletionTimestamp && gcFinalizer(obj)) gc.queue.add(`owner:${obj.metadata.uid}`);
    }
  }
  return {
    stop() {
      unsubscribe();
      gc.queue.stop();
    },
  };
}
