/**
 * patch: JSON patch, merge patch, strategic merge patch (built-in kinds only: custom resources get
 * 415 as from kube-apiserver) and server-side apply. A patch without a resourceVersion is retried on
 * a concurrent write, as kube-apiserver's GuaranteedUpdate does; one that carries a
 * resourceVersion is a precondition and answers 409 when stale.
 */
import * as yaml from 'js-yaml';
import { badRequest, conflict, invalid, notFound, unsupportedMediaType } from '../../apimachinery/errors.ts';
import { deepCopy, type KubeObject } from '../../apimachinery/object.ts';
import { serverSideApply } from '../patch/apply.ts';
import { applyJsonPatch } from '../patch/jsonpatch.ts';
import { applyMergePatch, assertMergePatchBody } from '../patch/mergepatch.ts';
import { applyStrategicMergePatch } from '../patch/strategic.ts';
import { apiVersionOf, storageName, type ResourceType } from '../registry/resource.ts';
import { schemaListTypes } from '../schema/list-types.ts';
import { objectKey } from '../storage/store.ts';
import { createObject } from './create.ts';
import { rfc3339, type RequestScope, type Services } from './scope.ts';
import { commitUpdate, StaleRead } from './update.ts';

/** The patch media types. */
export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

const MAX_ATTEMPTS = 10;

function acceptedTypes(rt: ResourceType): string[] {
  const base: string[] = [PATCH_TYPES.json, PATCH_TYPES.merge];
  if (!rt.custom) base.push(PATCH_TYPES.strategic);
  base.push(PATCH_TYPES.apply);
  return base;
}

/** Options of a patch request. */
export interface PatchOptions {
  contentType: string;
  body: string;
  force: boolean;
  subresource: string;
}

function parseBody(type: string, body: string): unknown {
  try {
    if (type === PATCH_TYPES.apply) return yaml.load(body);
    return JSON.parse(body);
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
}

function patched(scope: RequestScope, type: string, old: KubeObject, patch: unknown, opts: PatchOptions): KubeObject {
  const { rt } = scope;
  switch (type) {
    case PATCH_TYPES.json: return applyJsonPatch(old, patch) as KubeObject;
    case PATCH_TYPES.merge: return applyMergePatch(old, patch) as KubeObject;
    case PATCH_TYPES.strategic: return applyStrategicMergePatch(old, patch, `${apiVersionOf(rt)}/${rt.kind}`) as KubeObject;
    default: return serverSideApply({
      live: old, applied: patch as KubeObject, manager: scope.fieldManager!, force: opts.force, apiVersion: apiVersionOf(rt),
      subresource: opts.subresource || undefined, now: rfc3339(new Date()), listTypes: schemaListTypes(rt.schema),
    }).object;
  }
}

function checkPatchTarget(scope: RequestScope, name: string, result: KubeObject, old: KubeObject): void {
  if (!result || typeof result !== 'object' || Array.isArray(result)) throw badRequest('the patched object is not a JSON object');
  result.metadata ??= {};
  if (result.metadata.name !== undefined && result.metadata.name !== name) {
    throw invalid(scope.rt.kind, scope.rt.group, name, [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${result.metadata.name}": field is immutable` }]);
  }
  result.metadata.name = name;
  const rv = result.metadata.resourceVersion;
  if (rv && rv !== old.metadata.resourceVersion) throw conflict({ group: scope.rt.group, resource: scope.rt.plural }, name);
}

/** Server-side apply to an object that does not exist yet creates it. */
async function applyCreate(svc: Services, scope: RequestScope, name: string, applied: unknown, opts: PatchOptions): Promise<KubeObject> {
  const obj = serverSideApply({
    live: undefined, applied: applied as KubeObject, manager: scope.fieldManager!, force: opts.force,
    apiVersion: apiVersionOf(scope.rt), now: rfc3339(svc.now()), listTypes: schemaListTypes(scope.rt.schema),
  }).object;
  obj.metadata.name ??= name;
  return createObject(svc, { ...scope, fieldManager: undefined }, obj);
}

/** Patches an object (or its status). */
export async function patchObject(svc: Services, scope: RequestScope, name: string, opts: PatchOptions): Promise<KubeObject> {
  const { rt } = scope;
  const type = opts.contentType.split(';')[0].trim().toLowerCase();
  if (!acceptedTypes(rt).includes(type)) throw unsupportedMediaType(acceptedTypes(rt));
  if (type === PATCH_TYPES.apply && !scope.fieldManager) {
    throw badRequest('PATCH /apply requests require a fieldManager query parameter');
  }
  const patch = parseBody(type, opts.body);
  if (type === PATCH_TYPES.merge || type === PATCH_TYPES.strategic) assertMergePatchBody(patch);
  const key = objectKey(rt.namespaced ? scope.namespace : undefined, name);
  scope = { ...scope, patch: { fieldManager: scope.fieldManager, force: opts.force === true } };
  for (let attempt = 0; ; attempt++) {
    const old = svc.store.get(storageName(rt), key);
    if (!old && type === PATCH_TYPES.apply && !opts.subresource) return applyCreate(svc, scope, name, patch, opts);
    if (!old) throw notFound({ group: rt.group, resource: rt.plural }, name);
    const result = patched(scope, type, deepCopy(old), patch, opts);
    checkPatchTarget(scope, name, result, old);
    result.metadata.resourceVersion = old.metadata.resourceVersion;
    try {
      const ssaScope = type === PATCH_TYPES.apply ? { ...scope, fieldManager: undefined } : scope;
      return await commitUpdate(svc, ssaScope, old, result, { subresource: opts.subresource });
    } catch (err) {
      if (!(err instanceof StaleRead)) throw err;
      if (attempt >= MAX_ATTEMPTS) throw conflict({ group: rt.group, resource: rt.plural }, name);
    }
  }
}
