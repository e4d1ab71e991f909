/**
 * The kinds the NodeOperation controller reads and writes, and the registration of NodeOperation
 * in the runtime's resource table (the shared table in ../kinds.ts lists the Session controller's
 * kinds; this controller adds its own when it is set up).
 */
import { apiVersion } from '../../apis/stream/v1alpha1/groupversion.ts';
import { nodeOperationCrd } from '../../apis/stream/v1alpha1/nodeoperation.ts';
import { sessionCrd } from '../../apis/stream/v1alpha1/session.ts';
import type { KindRef, ResourceTable } from '../../runtime/resources.ts';

/** stream.streamspace.io/v1alpha1 NodeOperation (cluster-scoped). */
export const NodeOperationKind = { apiVersion, kind: 'NodeOperation' } as const satisfies KindRef;
/** v1 Node. */
export const NodeKind = { apiVersion: 'v1', kind: 'Node' } as const satisfies KindRef;
/** v1 Pod. */
export const PodKind = { apiVersion: 'v1', kind: 'Pod' } as const satisfies KindRef;
/** stream.streamspace.io/v1alpha1 Session, the object drained users hear about. */
export const SessionKind = { apiVersion, kind: 'Session' } as const satisfies KindRef;

/** Registers NodeOperation and Session in `table`, each unless it is already there. */
export function registerNodeOperationKinds(table: ResourceTable): void {
  if (!table.has(NodeOperationKind)) table.register({ ...NodeOperationKind, plural: nodeOperationCrd.names.plural, namespaced: false });
  if (!table.has(SessionKind)) table.register({ ...SessionKind, plural: sessionCrd.names.plural, namespaced: true });
}
