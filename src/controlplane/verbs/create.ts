/** create: generateName, namespace checks, server-set metadata, admission, then a store insert. */
import { randomUUID } from 'node:crypto';
import { alreadyExists, badRequest, fieldRequired, forbidden, invalid, notFound, StatusError } from '../../apimachinery/errors.ts';
import { deepCopy, type KubeObject } from '../../apimachinery/object.ts';
import { recordUpdateManagedFields } from '../patch/apply.ts';
import { apiVersionOf, storageName, type ResourceType } from '../registry/resource.ts';
import { objectKey, RevisionMismatch } from '../storage/store.ts';
import { admissionOptions, admitWrite } from './admit.ts';
import { rfc3339, type RequestScope, type Services } from './scope.ts';

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A name from generateName plus five random characters, as kube-apiserver makes them. */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_ALPHABET[Math.floor(Math.random() * NAME_ALPHABET.length)];
  return `${prefix}${suffix}`;
}

/** 404 when the namespace is missing, 403 when it is being terminated. */
export function checkNamespace(svc: Services, scope: RequestScope, name: string): void {
  if (!scope.rt.namespaced) return;
  const ns = svc.store.get('/namespaces', objectKey(undefined, scope.namespace!));
  if (!ns) throw notFound({ group: '', resource: 'namespaces' }, scope.namespace!);
  if (ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') {
    throw forbidden({ group: scope.rt.group, resource: scope.rt.plural }, name,
      `unable to create new content in namespace ${scope.namespace} because it is being terminated`);
  }
}

/** Checks apiVersion/kind and namespace of a request body against the URL it was sent to. */
export function checkBodyIdentity(scope: RequestScope, obj: KubeObject): void {
  const { rt } = scope;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('the body of the request was not a JSON object');
  obj.metadata ??= {};
  if (obj.kind && obj.kind !== rt.kind) throw badRequest(`the kind of the object (${obj.kind}) does not match the kind of the resource (${rt.kind})`);
  if (obj.apiVersion && obj.apiVersion !== apiVersionOf(rt)) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(rt)})`);
  }
  obj.apiVersion = apiVersionOf(rt);
  obj.kind = rt.kind;
  if (!rt.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  if (obj.metadata.namespace && obj.metadata.namespace !== scope.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = scope.namespace;
}

function initMetadata(rt: ResourceType, obj: KubeObject, now: string): void {
  const meta = obj.metadata;
  meta.uid = randomUUID();
  meta.creationTimestamp = now;
  if (rt.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
}

/** Creates an object. Returns what was stored (or would be, under dryRun). */
export async function createObject(svc: Services, scope: RequestScope, body: KubeObject): Promise<KubeObject> {
  const { rt } = scope;
  if (rt.terminating) {
    throw new StatusError(405, 'MethodNotAllowed', `create not allowed while custom resource definition is terminating`);
  }
  const obj = deepCopy(body);
  checkBodyIdentity(scope, obj);
  if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generateName(obj.metadata.generateName);
  if (!obj.metadata.name) throw invalid(rt.kind, rt.group, '', [fieldRequired('metadata.name', 'name or generateName is required')]);
  checkNamespace(svc, scope, obj.metadata.name);
  const now = rfc3339(svc.now());
  initMetadata(rt, obj, now);
  if (rt.subresources.status && rt.custom) delete obj.status;
  rt.strategy.prepareForCreate?.(obj);
  const admitted = await admitWrite(svc, scope, {
    operation: 'CREATE', subresource: '', name: obj.metadata.name, namespace: scope.namespace ?? '',
    object: obj, oldObject: null, options: admissionOptions(scope, 'CreateOptions'),
  });
  return insert(svc, scope, admitted, now);
}

/** Stores a new object (after admission), or returns it unstored under dryRun. */
export function insert(svc: Services, scope: RequestScope, obj: KubeObject, now: string): KubeObject {
  const { rt } = scope;
  const key = objectKey(obj.metadata.namespace, obj.metadata.name!);
  const store = storageName(rt);
  if (svc.store.get(store, key)) throw alreadyExists({ group: rt.group, resource: rt.plural }, obj.metadata.name!);
  const withFields = scope.fieldManager ? recordUpdateManagedFields(undefined, obj, scope.fieldManager, apiVersionOf(rt), now) : obj;
  if (scope.dryRun) return withFields;
  try {
    return svc.store.put(store, key, withFields, 0);
  } catch (err) {
    if (err instanceof RevisionMismatch) throw alreadyExists({ group: rt.group, resource: rt.plural }, obj.metadata.name!);
    throw err;
  }
}
