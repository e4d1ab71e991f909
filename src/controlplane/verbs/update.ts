/**
 * update (PUT) and the commit step shared with patch: preconditions, status-subresource rules,
 * generation, admission, finalizer completion, no-op detection and the compare-and-swap write.
 */
import { badRequest, conflict, invalid, notFound } from '../../apimachinery/errors.ts';
import { deepCopy, deepEqual, type KubeObject } from '../../apimachinery/object.ts';
import { recordUpdateManagedFields } from '../patch/apply.ts';
import { apiVersionOf, storageName, type ResourceType } from '../registry/resource.ts';
import { objectKey, revisionOf, RevisionMismatch } from '../storage/store.ts';
import { admissionOptions, admitWrite } from './admit.ts';
import { checkBodyIdentity } from './create.ts';
import { rfc3339, type RequestScope, type Services } from './scope.ts';

/** Thrown when the compare-and-swap failed; patch retries, update answers 409. */
export class StaleRead extends Error {}

/** The parts of an object that count for `generation`. */
function generationRelevant(rt: ResourceType, obj: KubeObject): unknown {
  const { metadata: _m, status, ...rest } = obj;
  return rt.subresources.status ? rest : { ...rest, status };
}

function keepServerMetadata(obj: KubeObject, old: KubeObject): void {
  const m = obj.metadata;
  const o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.generation = o.generation;
  m.name = o.name;
  m.resourceVersion = o.resourceVersion; // preconditions were checked by the caller
  if (o.namespace) m.namespace = o.namespace;
  if (o.deletionTimestamp) {
    m.deletionTimestamp = o.deletionTimestamp;
    m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  if (m.managedFields === undefined || (Array.isArray(m.managedFields) && m.managedFields.length === 0 && o.managedFields?.length)) {
    m.managedFields = o.managedFields;
  }
}

/** Builds the object a write asks for, applying the status-subresource rules. */
function merged(rt: ResourceType, old: KubeObject, desired: KubeObject, subresource: string): KubeObject {
  if (subresource === 'status') return { ...deepCopy(old), status: deepCopy(desired.status) };
  // namespaces/{name}/finalize changes only the namespace's spec.finalizers.
  if (subresource === 'finalize') return { ...deepCopy(old), spec: { ...old.spec, finalizers: deepCopy(desired.spec?.finalizers ?? []) } };
  const obj = deepCopy(desired);
  if (rt.subresources.status) obj.status = deepCopy(old.status);
  keepServerMetadata(obj, old);
  return obj;
}

/** True when an object with a deletionTimestamp and no finalizers should now be removed. */
function readyToRemove(rt: ResourceType, obj: KubeObject): boolean {
  if (!obj.metadata.deletionTimestamp || obj.metadata.finalizers?.length) return false;
  // A namespace also waits for its spec.finalizers (the namespace controller empties them).
  if (rt.group === '' && rt.plural === 'namespaces' && obj.spec?.finalizers?.length) return false;
  return !(rt.graceful && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0);
}

/** Where an update goes: the object or one of its subresources; `webhooks: false` when admission already ran (scale). */
export interface UpdateTarget {
  subresource: string;
  webhooks?: boolean;
}

/** Commits `desired` over `old` (both at old's resourceVersion). Returns the stored object. */
export async function commitUpdate(svc: Services, scope: RequestScope, old: KubeObject, desired: KubeObject, target: UpdateTarget): Promise<KubeObject> {
  const { rt } = scope;
  const { subresource } = target;
  const obj = merged(rt, old, desired, subresource);
  if (subresource !== 'status' && subresource !== 'finalize') rt.strategy.prepareForUpdate?.(obj, old);
  if (rt.tracksGeneration && !deepEqual(generationRelevant(rt, obj), generationRelevant(rt, old))) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
  const admitted = await admitWrite(svc, scope, {
    operation: 'UPDATE', subresource, name: old.metadata.name!, namespace: old.metadata.namespace ?? '', object: obj, oldObject: old,
    options: admissionOptions(scope, 'UpdateOptions'),
  }, { webhooks: target.webhooks });
  return persist(svc, scope, old, admitted, subresource);
}

function persist(svc: Services, scope: RequestScope, old: KubeObject, obj: KubeObject, subresource: string): KubeObject {
  const { rt } = scope;
  const { resourceVersion: _a, managedFields: _b, ...newMeta } = obj.metadata;
  const { resourceVersion: _c, managedFields: _d, ...oldMeta } = old.metadata;
  if (deepEqual({ ...obj, metadata: newMeta }, { ...old, metadata: oldMeta })) return old; // no-op: no write, no event
  const now = rfc3339(svc.now());
  const stored = scope.fieldManager
    ? recordUpdateManagedFields(old, obj, scope.fieldManager, apiVersionOf(rt), now, subresource || undefined) : obj;
  stored.metadata.resourceVersion = old.metadata.resourceVersion;
  if (scope.dryRun) return stored;
  const key = objectKey(old.metadata.namespace, old.metadata.name!);
  try {
    if (readyToRemove(rt, stored)) return svc.store.delete(storageName(rt), key, revisionOf(old))!;
    return svc.store.put(storageName(rt), key, stored, revisionOf(old));
  } catch (err) {
    if (err instanceof RevisionMismatch) throw new StaleRead();
    throw err;
  }
}

/** Reads the stored object a write applies to, or throws 404. */
export function readForWrite(svc: Services, rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
  const old = svc.store.get(storageName(rt), objectKey(rt.namespaced ? namespace : undefined, name));
  if (!old) throw notFound({ group: rt.group, resource: rt.plural }, name);
  return old;
}

/** PUT of an object or of its status. */
export async function updateObject(
  svc: Services, scope: RequestScope, name: string, body: KubeObject, subresource = '',
): Promise<KubeObject> {
  const { rt } = scope;
  const desired = deepCopy(body);
  checkBodyIdentity(scope, desired);
  if (desired.metadata.name && desired.metadata.name !== name) {
    throw badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
  }
  const old = readForWrite(svc, rt, scope.namespace, name);
  const rv = desired.metadata.resourceVersion;
  if (rv === undefined || rv === '') {
    if (!rt.allowUnconditionalUpdate) {
      throw invalid(rt.kind, rt.group, name, [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
    }
  } else if (rv !== old.metadata.resourceVersion) {
    throw conflict({ group: rt.group, resource: rt.plural }, name);
  }
  try {
    return await commitUpdate(svc, scope, old, desired, { subresource });
  } catch (err) {
    if (err instanceof StaleRead) throw conflict({ group: rt.group, resource: rt.plural }, name);
    throw err;
  }
}
