/**
 * delete and deletecollection: preconditions, propagation policy (Background, Foreground with the
 * foregroundDeletion finalizer, Orphan with the orphan finalizer), finalizers and deletionTimestamp,
 * graceful pod deletion, and namespace termination. The garbage collector and namespace controller
 * in ../cluster finish what deletion starts.
 */
import { badRequest, conflict, StatusError } from '../../apimachinery/errors.ts';
import { deepCopy, type KubeObject } from '../../apimachinery/object.ts';
import { storageName, type ResourceType } from '../registry/resource.ts';
import { objectKey, revisionOf, RevisionMismatch } from '../storage/store.ts';
import { listObjects, type ObjectFilter } from './read.ts';
import { rfc3339, type RequestScope, type Services } from './scope.ts';
import { readForWrite } from './update.ts';

/** metav1.DeleteOptions as sent in the body or the query. */
export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** The finalizers the garbage collector acts on. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** The outcome of a delete: the object as last seen, and whether it is gone already. */
export interface DeleteResult {
  object: KubeObject;
  removed: boolean;
}

function checkPreconditions(rt: ResourceType, old: KubeObject, opts: DeleteOptions): void {
  const p = opts.preconditions;
  const gr = { group: rt.group, resource: rt.plural };
  if (p?.uid && p.uid !== old.metadata.uid) {
    throw conflict(gr, old.metadata.name!, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${old.metadata.uid}`);
  }
  if (p?.resourceVersion && p.resourceVersion !== old.metadata.resourceVersion) {
    throw conflict(gr, old.metadata.name!, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
  }
}

function propagationOf(opts: DeleteOptions): 'Background' | 'Foreground' | 'Orphan' {
  if (opts.propagationPolicy) {
    if (!['Background', 'Foreground', 'Orphan'].includes(opts.propagationPolicy)) {
      throw badRequest(`propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`);
    }
    return opts.propagationPolicy;
  }
  if (opts.orphanDependents === true) return 'Orphan';
  return 'Background';
}

/** The grace period a pod deletion gets (0 for pods never scheduled: nothing runs them). */
function graceSeconds(rt: ResourceType, old: KubeObject, opts: DeleteOptions): number {
  if (!rt.graceful) return 0;
  if (!old.spec?.nodeName) return 0;
  if (['Succeeded', 'Failed'].includes(old.status?.phase)) return 0;
  return Math.max(0, opts.gracePeriodSeconds ?? old.spec?.terminationGracePeriodSeconds ?? 30);
}

function markDeleting(svc: Services, rt: ResourceType, old: KubeObject, finalizers: string[], grace: number): KubeObject {
  const obj = deepCopy(old);
  const now = svc.now();
  obj.metadata.finalizers = finalizers.length ? finalizers : undefined;
  obj.metadata.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
  obj.metadata.deletionGracePeriodSeconds = grace;
  // kube-apiserver bumps generation on graceful deletion only for kinds that keep one.
  if ((old.metadata.generation ?? 0) > 0) obj.metadata.generation = old.metadata.generation! + 1;
  if (rt.group === '' && rt.plural === 'namespaces') obj.status = { ...obj.status, phase: 'Terminating' };
  return obj;
}

/** Deletes one object. */
export async function deleteObject(svc: Services, scope: RequestScope, name: string, opts: DeleteOptions): Promise<DeleteResult> {
  const { rt } = scope;
  for (;;) {
    const old = readForWrite(svc, rt, scope.namespace, name);
    checkPreconditions(rt, old, opts);
    try {
      return await deleteOnce(svc, scope, old, opts);
    } catch (err) {
      if (!(err instanceof RevisionMismatch)) throw err;
    }
  }
}

async function deleteOnce(svc: Services, scope: RequestScope, old: KubeObject, opts: DeleteOptions): Promise<DeleteResult> {
  const { rt } = scope;
  const attrs = {
    resource: rt, operation: 'DELETE' as const, subresource: '', name: old.metadata.name!, namespace: old.metadata.namespace ?? '',
    object: null, oldObject: old, user: scope.user, dryRun: scope.dryRun, warnings: scope.warnings,
    options: { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', ...opts },
  };
  // kube-apiserver runs mutating admission on DELETE too (a mutating webhook may deny it).
  await svc.admission.mutate(attrs);
  await svc.admission.validate(attrs);
  const key = objectKey(old.metadata.namespace, old.metadata.name!);
  const policy = propagationOf(opts);
  const finalizers = [...(old.metadata.finalizers ?? [])];
  if (policy === 'Foreground' && !finalizers.includes(FOREGROUND_FINALIZER)) finalizers.push(FOREGROUND_FINALIZER);
  if (policy === 'Orphan' && !finalizers.includes(ORPHAN_FINALIZER)) finalizers.push(ORPHAN_FINALIZER);
  if (old.metadata.deletionTimestamp) return deleteAgain(svc, scope, old, finalizers, opts);
  const grace = graceSeconds(rt, old, opts);
  const isNamespace = rt.group === '' && rt.plural === 'namespaces';
  if (!finalizers.length && grace === 0 && !isNamespace) {
    if (scope.dryRun) return { object: old, removed: true };
    return { object: svc.store.delete(storageName(rt), key, revisionOf(old))!, removed: true };
  }
  const marked = markDeleting(svc, rt, old, finalizers, grace);
  if (scope.dryRun) return { object: marked, removed: false };
  return { object: svc.store.put(storageName(rt), key, marked, revisionOf(old)), removed: false };
}

/** A repeat delete: may shorten a pod's grace period or add a propagation finalizer; otherwise a no-op. */
function deleteAgain(svc: Services, scope: RequestScope, old: KubeObject, finalizers: string[], opts: DeleteOptions): DeleteResult {
  const { rt } = scope;
  const key = objectKey(old.metadata.namespace, old.metadata.name!);
  const shorter = rt.graceful && opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds < (old.metadata.deletionGracePeriodSeconds ?? 0);
  const moreFinalizers = finalizers.length !== (old.metadata.finalizers?.length ?? 0);
  if (scope.dryRun || (!shorter && !moreFinalizers)) return { object: old, removed: false };
  if (shorter && opts.gracePeriodSeconds === 0 && !old.metadata.finalizers?.length) {
    return { object: svc.store.delete(storageName(rt), key, revisionOf(old))!, removed: true };
  }
  const obj = deepCopy(old);
  obj.metadata.finalizers = finalizers;
  if (shorter) {
    obj.metadata.deletionGracePeriodSeconds = opts.gracePeriodSeconds;
    obj.metadata.deletionTimestamp = rfc3339(new Date(svc.now().getTime() + opts.gracePeriodSeconds! * 1000));
  }
  return { object: svc.store.put(storageName(rt), key, obj, revisionOf(old)), removed: false };
}

/** Deletes every object matching `filter` in the scope's namespace; returns what was deleted. */
export async function deleteCollection(svc: Services, scope: RequestScope, filter: ObjectFilter, opts: DeleteOptions): Promise<KubeObject[]> {
  const { items } = listObjects(svc, scope.rt, scope.namespace, { filter });
  const out: KubeObject[] = [];
  for (const item of items) {
    try {
      out.push((await deleteObject(svc, { ...scope, namespace: item.metadata.namespace }, item.metadata.name!, opts)).object);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
  return out;
}
