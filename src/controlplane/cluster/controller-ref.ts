/**
 * Controller references: the one ownerReference with `controller: true` that says which workload
 * manages an object, and the adoption/release rules kube's ControllerRefManager applies (a
 * controller adopts matching orphans and releases owned objects that no longer match its selector).
 */
import type { KubeObject, OwnerReference } from '../../apimachinery/object.ts';

/** The controller reference of an object, if any. */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller === true);
}

/** True when `owner` is the controller of `obj` (matched by uid). */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return controllerRefOf(obj)?.uid === owner.metadata.uid;
}

/** The controller reference a workload puts on what it creates. */
export function controllerRefTo(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!,
    controller: true, blockOwnerDeletion: true,
  };
}

/** What a controller should do about one candidate object. */
export type Claim = 'owned' | 'adopt' | 'release' | 'ignore';

/**
 * Whether `owner` owns, should adopt, should release or must ignore `obj`, given whether its labels
 * match the owner's selector. Nothing is adopted by an owner being deleted, and nothing being
 * deleted is adopted.
 */
export function claimOf(obj: KubeObject, owner: KubeObject, matches: boolean): Claim {
  const ref = controllerRefOf(obj);
  if (ref) {
    if (ref.uid !== owner.metadata.uid) return 'ignore';
    return matches || owner.metadata.deletionTimestamp ? 'owned' : 'release';
  }
  if (!matches || owner.metadata.deletionTimestamp || obj.metadata.deletionTimestamp) return 'ignore';
  return 'adopt';
}

/** `obj`'s ownerReferences after adopting it into `owner`. */
export function adoptedRefs(obj: KubeObject, owner: KubeObject): OwnerReference[] {
  return [...(obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid), controllerRefTo(owner)];
}

/** `obj`'s ownerReferences after releasing it from `owner`. */
export function releasedRefs(obj: KubeObject, owner: KubeObject): OwnerReference[] | undefined {
  const rest = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
  return rest.length ? rest : undefined;
}
