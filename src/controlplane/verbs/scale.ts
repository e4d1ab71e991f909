/** The scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets and custom resources with one. */
import { badRequest, conflict } from '../../apimachinery/errors.ts';
import { readDottedPath, writeDottedPath } from '../../apimachinery/dotted-path.ts';
import { deepCopy, type KubeObject } from '../../apimachinery/object.ts';
import { labelSelectorToString, selectorFromLabelSelector } from '../../apimachinery/labels.ts';
import type { ResourceType } from '../registry/resource.ts';
import type { RequestScope, Services } from './scope.ts';
import { admitScale } from './admit.ts';
import { commitUpdate, readForWrite } from './update.ts';

function readPath(obj: KubeObject, path: string | undefined): unknown {
  return path ? readDottedPath(obj, path) : undefined;
}

function selectorText(rt: ResourceType, obj: KubeObject): string | undefined {
  if (!rt.custom) return obj.spec?.selector ? labelSelectorToString(selectorFromLabelSelector(obj.spec.selector)) : undefined;
  const s = readPath(obj, rt.subresources.scale?.labelSelectorPath);
  return s === undefined ? undefined : String(s);
}

/** The Scale view of an object. */
export function scaleOf(rt: ResourceType, obj: KubeObject): KubeObject {
  const sc = rt.subresources.scale!;
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  const status: Record<string, unknown> = { replicas: readPath(obj, sc.statusReplicasPath) ?? 0 };
  const selector = selectorText(rt, obj);
  if (selector !== undefined) status.selector = selector;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: readPath(obj, sc.specReplicasPath) ?? 0 }, status,
  };
}

/** `replicas` when it is a whole number ≥ 0 (as asked, or as a mutating webhook left it); 400 otherwise. */
function validReplicas(name: string, replicas: unknown): number {
  if (typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0) return replicas;
  throw badRequest(`Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
}

/** Writes `scale.spec.replicas` into the object (PUT or patched Scale). */
export async function updateScale(svc: Services, scope: RequestScope, name: string, scale: KubeObject): Promise<KubeObject> {
  const { rt } = scope;
  const replicas = validReplicas(name, scale?.spec?.replicas);
  const old = readForWrite(svc, rt, scope.namespace, name);
  if (scale.metadata?.resourceVersion && scale.metadata.resourceVersion !== old.metadata.resourceVersion) {
    throw conflict({ group: rt.group, resource: rt.plural }, name);
  }
  const next = deepCopy(old);
  const path = rt.subresources.scale!.specReplicasPath;
  writeDottedPath(next, path, replicas);
  const admitted = await admitScale(svc, scope, scaleOf(rt, next), scaleOf(rt, old));
  writeDottedPath(next, path, validReplicas(name, admitted.spec?.replicas));
  // The webhooks have seen this write as a Scale; the object's own rules still apply.
  return scaleOf(rt, await commitUpdate(svc, scope, old, next, { subresource: '', webhooks: false }));
}
