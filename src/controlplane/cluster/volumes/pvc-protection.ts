/**
 * The PVC protection controller: a claim being deleted keeps its `kubernetes.io/pvc-protection`
 * finalizer while any pod that has not finished (not Succeeded/Failed) still mounts it, and loses it
 * — and so goes — once none does.
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { componentClient, keyOf, splitKey, type Controller, type ControllerContext } from '../controller.ts';
import { T, type InternalClient } from '../internal-client.ts';
import { claimNamesOf, isPodTerminal } from '../pod-state.ts';
import { PVC_PROTECTION_FINALIZER } from './volumes.ts';
import { ReconcileQueue } from '../work-queue.ts';

function inUse(client: InternalClient, pvc: KubeObject): boolean {
  return client.list(T.pods, pvc.metadata.namespace).some((p) => !isPodTerminal(p) && claimNamesOf(p).includes(pvc.metadata.name!));
}

async function syncClaim(client: InternalClient, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const pvc = client.get(T.pvcs, namespace, name);
  if (!pvc?.metadata.deletionTimestamp || !pvc.metadata.finalizers?.includes(PVC_PROTECTION_FINALIZER) || inUse(client, pvc)) return;
  const finalizers = pvc.metadata.finalizers.filter((f) => f !== PVC_PROTECTION_FINALIZER);
  await client.update(T.pvcs, { ...pvc, metadata: { ...pvc.metadata, finalizers } });
}

/** Starts the PVC protection controller. */
export function startPvcProtection(ctx: ControllerContext): Controller {
  const client = componentClient(ctx, 'kube-controller-manager');
  const queue = new ReconcileQueue('pvc-protection', (key) => syncClaim(client, key));
  const unsubscribe = client.onChange([T.pvcs, T.pods], (ev) => {
    const obj = ev.object;
    if (obj.kind === 'PersistentVolumeClaim') {
      if (obj.metadata.deletionTimestamp && ev.type !== 'DELETED') queue.add(keyOf(obj.metadata.namespace, obj.metadata.name!));
      return;
    }
    if (ev.type === 'DELETED' || isPodTerminal(obj)) for (const c of claimNamesOf(obj)) queue.add(keyOf(obj.metadata.namespace, c));
  });
  for (const pvc of client.list(T.pvcs)) if (pvc.metadata.deletionTimestamp) queue.add(keyOf(pvc.metadata.namespace, pvc.metadata.name!));
  return {
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}
