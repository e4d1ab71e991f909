/**
 * The Kubernetes kinds the API reads and writes, and the resource table that maps our custom
 * kinds to their REST paths (built from the CRD descriptions, so it cannot drift from them).
 */
import { crdRegistrations } from '../../apis/index.ts';
import { ResourceTable } from '../../runtime/resources.ts';

export {
  SessionKind as SESSION, TemplateKind as TEMPLATE, SessionQuotaKind as SESSION_QUOTA, NodeOperationKind as NODE_OPERATION,
} from '../../apis/stream/v1alpha1/kinds.ts';
export { PodKind as POD, EventKind as EVENT, NodeKind as NODE, NamespaceKind as NAMESPACE_KIND } from '../../apimachinery/builtin-kinds.ts';

/** The built-in kinds plus every StreamSpace custom kind. */
export function streamResourceTable(): ResourceTable {
  return new ResourceTable(crdRegistrations());
}

