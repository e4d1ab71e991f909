/** The scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets and custom resources with one. */
import { badRequest, conflict } from '../api/errors.ts';
import { readDottedPath, writeDottedPath } from '../api/dotted-path.ts';
import { deepCopy, type KubeObject } from '../api/object.ts';
import { labelSelectorToString, selectorFromLabelSelector } from '../api/labels.ts';
import type { ResourceType } from '../registry/resource.ts';
import type { RequestScope, Services } from './scope.ts';
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

/** Writes `scale.spec.replicas` into the object (PUT or patched Scale). */
export async function updateScale(svc: Services, scope: RequestScope, name: string, scale: KubeObject): Promise<KubeObject> {
  const { rt } = scope;
  const replicas = scale?.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw badRequest(`Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  }
  const old = readForWrite(svc, rt, scope.namespace, name);
  if (scale.metadata?.resourceVersion && scale.metadata.resourceVersion !== old.metadata.resourceVersion) {
    throw conflict({ group: rt.group, resource: rt.plural }, name);
  }
  const next = deepCopy(old);
  writeDottedPath(next, rt.subresources.scale!.specReplicasPath, replicas);
  return scaleOf(rt, await commitUpdate(svc, scope, old, next, ''));
}
