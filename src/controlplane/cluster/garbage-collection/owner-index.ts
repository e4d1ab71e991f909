/**
 * The garbage collector's graph: every object of every resource by uid, and for each uid the
 * objects that name it in their ownerReferences. Kept in step with the store's change events, so
 * owner lookups see the store as it is (as the GC's live GETs would).
 */
import type { KubeObject } from '../../../apimachinery/object.ts';

/** Where an object lives: its storage (`apps/replicasets`), namespace and name. */
export interface StoredRef {
  storage: string;
  namespace?: string;
  name: string;
  uid: string;
}

/** Objects by uid and dependents by owner uid. */
export class OwnerIndex {
  private readonly byUid = new Map<string, StoredRef>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly ownersOf = new Map<string, string[]>();

  /** Records the current state of an object. */
  observe(storage: string, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    this.byUid.set(uid, { storage, namespace: obj.metadata.namespace, name: obj.metadata.name!, uid });
    const owners = (obj.metadata.ownerReferences ?? []).map((r) => r.uid);
    this.unlinkOwners(uid);
    this.ownersOf.set(uid, owners);
    for (const o of owners) {
      const set = this.dependents.get(o) ?? new Set<string>();
      set.add(uid);
      this.dependents.set(o, set);
    }
  }

  /** Forgets a deleted object (its dependents keep pointing at its uid, which is how they learn it is gone). */
  remove(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (!uid) return;
    this.byUid.delete(uid);
    this.unlinkOwners(uid);
    this.ownersOf.delete(uid);
  }

  private unlinkOwners(uid: string): void {
    for (const o of this.ownersOf.get(uid) ?? []) {
      const set = this.dependents.get(o);
      set?.delete(uid);
      if (set && !set.size) this.dependents.delete(o);
    }
  }

  get(uid: string): StoredRef | undefined {
    return this.byUid.get(uid);
  }

  /** The objects whose ownerReferences name `uid`. */
  dependentsOf(uid: string): StoredRef[] {
    return [...(this.dependents.get(uid) ?? [])].map((d) => this.byUid.get(d)).filter((r): r is StoredRef => r !== undefined);
  }
}
