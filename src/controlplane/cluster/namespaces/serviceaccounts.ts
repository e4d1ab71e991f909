/** The service account controller: a `default` ServiceAccount in every active namespace, recreated if deleted. */
import { componentClient, type Controller, type ControllerContext } from '../controller.ts';
import { isStatus, T, type InternalClient } from '../internal-client.ts';
import { ReconcileQueue } from '../work-queue.ts';

async function ensureDefault(client: InternalClient, namespace: string): Promise<void> {
  const ns = client.get(T.namespaces, undefined, namespace);
  if (!ns || ns.metadata.deletionTimestamp || client.get(T.serviceAccounts, namespace, 'default')) return;
  try {
    await client.create(T.serviceAccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
  } catch (err) {
    // Created meanwhile, or the namespace started terminating: nothing to do.
    if (!isStatus(err, 409) && !isStatus(err, 403) && !isStatus(err, 404)) throw err;
  }
}

/** Starts the service account controller. */
export function startServiceAccounts(ctx: ControllerContext): Controller {
  const client = componentClient(ctx, 'kube-controller-manager');
  const queue = new ReconcileQueue('serviceaccount', (ns) => ensureDefault(client, ns));
  const unsubscribe = client.onChange([T.namespaces, T.serviceAccounts], (ev) => {
    const obj = ev.object;
    if (obj.kind === 'Namespace' && ev.type === 'ADDED') queue.add(obj.metadata.name!);
    else if (obj.kind === 'ServiceAccount' && ev.type === 'DELETED' && obj.metadata.name === 'default') queue.add(obj.metadata.namespace!);
  });
  for (const ns of client.list(T.namespaces)) queue.add(ns.metadata.name!);
  return {
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}
