/**
 * The kinds the StreamSpace controllers read and write, as KindRefs, and the resource table that
 * tells the runtime client where our custom resources (and the optional route kinds) live.
 */
import { crdRegistrations } from '../apis/index.ts';
import { ResourceTable, type ResourceRegistration } from '../runtime/resources.ts';
import { HttpRouteKind, VirtualServiceKind } from '../apimachinery/builtin-kinds.ts';
import { SessionKind, TemplateKind } from '../apis/stream/v1alpha1/kinds.ts';

export { SessionKind, TemplateKind } from '../apis/stream/v1alpha1/kinds.ts';
export { ClaimKind, DeploymentKind, HttpRouteKind, IngressKind, PodKind, ServiceKind, VirtualServiceKind } from '../apimachinery/builtin-kinds.ts';

const CUSTOM_KINDS: ResourceRegistration[] = [
  { ...SessionKind, plural: 'sessions', namespaced: true },
  { ...TemplateKind, plural: 'templates', namespaced: true },
  { ...VirtualServiceKind, plural: 'virtualservices', namespaced: true },
  { ...HttpRouteKind, plural: 'httproutes', namespaced: true },
];

/** The built-in kinds plus every custom kind the controllers may touch. */
export function streamspaceResources(): ResourceTable {
  return new ResourceTable(CUSTOM_KINDS);
}

/** Registers every StreamSpace custom kind in `table`, each unless it is already there. */
export function registerStreamKinds(table: ResourceTable): void {
  for (const r of crdRegistrations()) if (!table.has(r)) table.register(r);
}
