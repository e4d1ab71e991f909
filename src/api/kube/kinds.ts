/**
 * The Kubernetes kinds the API reads and writes, and the resource table that maps our custom
 * kinds to their REST paths (built from the CRD descriptions, so it cannot drift from them).
 */
import { crdDescriptions } from '../../apis/index.ts';
import { apiVersion } from '../../apis/stream/v1alpha1/groupversion.ts';
import { ResourceTable, type KindRef } from '../../runtime/resources.ts';

/** stream.streamspace.io/v1alpha1 Session. */
export const SESSION: KindRef = { apiVersion, kind: 'Session' };
/** stream.streamspace.io/v1alpha1 Template. */
export const TEMPLATE: KindRef = { apiVersion, kind: 'Template' };
/** stream.streamspace.io/v1alpha1 SessionQuota (cluster-scoped). */
export const SESSION_QUOTA: KindRef = { apiVersion, kind: 'SessionQuota' };
/** stream.streamspace.io/v1alpha1 NodeOperation (cluster-scoped). */
export const NODE_OPERATION: KindRef = { apiVersion, kind: 'NodeOperation' };
/** core/v1 Pod (cached in every namespace, for node statistics). */
export const POD: KindRef = { apiVersion: 'v1', kind: 'Pod' };
/** core/v1 Event. */
export const EVENT: KindRef = { apiVersion: 'v1', kind: 'Event' };
/** core/v1 Node. */
export const NODE: KindRef = { apiVersion: 'v1', kind: 'Node' };

/** The built-in kinds plus every StreamSpace custom kind. */
export function streamResourceTable(): ResourceTable {
  const table = new ResourceTable();
  for (const d of crdDescriptions) {
    table.register({ apiVersion: `${d.group}/${d.version}`, kind: d.names.kind, plural: d.names.plural, namespaced: d.scope === 'Namespaced' });
  }
  return table;
}

/** core/v1 Namespace. */
export const NAMESPACE_KIND: KindRef = { apiVersion: 'v1', kind: 'Namespace' };
