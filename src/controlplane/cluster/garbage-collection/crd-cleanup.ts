/**
 * The CRD finalizer controller (apiextensions-apiserver's crd_finalizer): every CRD carries the
 * `customresourcecleanup.apiextensions.k8s.io` finalizer — added here right after create, as the
 * apiextensions strategy would — so deleting a CRD first deletes every custom object it defines
 * (honouring their own finalizers), with condition Terminating=True, and then drops the finalizer.
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { resourceTypesOf } from '../../registry/custom.ts';
import { storageName, type ResourceType } from '../../registry/resource.ts';
import { rfc3339 } from '../../verbs/scope.ts';
import { findCondition, withCondition } from '../conditions.ts';
import { componentClient, type Controller, type ControllerContext } from '../controller.ts';
import { T, type InternalClient } from '../internal-client.ts';
import { ReconcileQueue } from '../work-queue.ts';

/** The finalizer that holds a CRD until its objects are gone. */
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/** The type to reach a CRD's objects with, even though a terminating CRD is no longer served. */
function storedType(crd: KubeObject): ResourceType | undefined {
  const types = resourceTypesOf(crd);
  const storage = (crd.spec?.versions ?? []).find((v: any) => v.storage)?.name;
  return types.find((t) => t.version === storage) ?? types[0];
}

async function addFinalizer(client: InternalClient, crd: KubeObject): Promise<void> {
  const finalizers = [...(crd.metadata.finalizers ?? []), CRD_CLEANUP_FINALIZER];
  await client.update(T.crds, { ...crd, metadata: { ...crd.metadata, finalizers } });
}

async function markTerminating(client: InternalClient, crd: KubeObject, now: Date): Promise<KubeObject> {
  if (findCondition(crd.status?.conditions, 'Terminating')?.status === 'True') return crd;
  const cond = { type: 'Terminating', status: 'True' as const, reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' };
  return client.update(T.crds, { ...crd, status: { ...crd.status, conditions: withCondition(crd.status?.conditions, cond, rfc3339(now)) } }, 'status');
}

async function syncCrd(ctx: ControllerContext, client: InternalClient, name: string): Promise<void> {
  let crd = client.get(T.crds, undefined, name);
  if (!crd) return;
  const has = crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER);
  if (!crd.metadata.deletionTimestamp) {
    if (!has) await addFinalizer(client, crd);
    return;
  }
  if (!has) return;
  crd = await markTerminating(client, crd, ctx.svc.now());
  const rt = storedType(crd);
  const remaining = rt ? client.list(rt) : [];
  for (const obj of remaining) {
    if (!obj.metadata.deletionTimestamp) await client.delete(rt!, obj.metadata.namespace, obj.metadata.name!, { preconditions: { uid: obj.metadata.uid } });
  }
  if (rt && client.list(rt).length) return;
  const fresh = client.get(T.crds, undefined, name);
  if (!fresh) return;
  const finalizers = (fresh.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
  await client.update(T.crds, { ...fresh, metadata: { ...fresh.metadata, finalizers } });
}

/** Starts the CRD finalizer controller. */
export function startCrdCleanup(ctx: ControllerContext): Controller {
  const client = componentClient(ctx, 'kube-apiserver');
  const queue = new ReconcileQueue('crd-cleanup', (name) => syncCrd(ctx, client, name));
  /** Storage name of each terminating CRD's objects → CRD name. */
  const terminating = new Map<string, string>();
  const unsubscribe = client.onEveryChange((ev) => {
    if (ev.resource === 'apiextensions.k8s.io/customresourcedefinitions') {
      const crd = ev.object;
      const storage = storageName({ group: crd.spec?.group ?? '', plural: crd.spec?.names?.plural ?? '' });
      if (ev.type === 'DELETED') terminating.delete(storage);
      else queue.add(crd.metadata.name!);
      if (ev.type !== 'DELETED' && crd.metadata.deletionTimestamp) terminating.set(storage, crd.metadata.name!);
      return;
    }
    const crdName = terminating.get(ev.resource);
    if (crdName && ev.type === 'DELETED') queue.add(crdName);
  });
  for (const crd of client.list(T.crds)) {
    if (crd.metadata.deletionTimestamp) terminating.set(storageName({ group: crd.spec.group, plural: crd.spec.names.plural }), crd.metadata.name!);
    queue.add(crd.metadata.name!);
  }
  return {
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}
