/**
 * The kinds the NodeOperation controller reads and writes, and the registration of NodeOperation
 * in the runtime's resource table (the shared table in ../kinds.ts lists the Session controller's
 * kinds; this controller adds its own when it is set up).
 */
import { NodeOperationKind, SessionKind } from '../../apis/stream/v1alpha1/kinds.ts';
import { nodeOperationCrd } from '../../apis/stream/v1alpha1/nodeoperation.ts';
import { sessionCrd } from '../../apis/stream/v1alpha1/session.ts';
import type { ResourceTable } from '../../runtime/resources.ts';

export { NodeOperationKind, SessionKind } from '../../apis/stream/v1alpha1/kinds.ts';
export { NodeKind, PodKind } from '../../apimachinery/builtin-kinds.ts';

/** Registers NodeOperation and Session in `table`, each unless it is already there. */
export function registerNodeOperationKinds(table: ResourceTable): void {
  if (!table.has(NodeOperationKind)) table.register({ ...NodeOperationKind, plural: nodeOperationCrd.names.plural, namespaced: false });
  if (!table.has(SessionKind)) table.register({ ...SessionKind, plural: sessionCrd.names.plural, namespaced: true });
}
