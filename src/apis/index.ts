/**
 * Every custom resource StreamSpace defines, and the CRD objects/YAML built from them.
 */
import { buildCrd, type CrdDescription, type CustomResourceDefinition } from './crd.ts';
import { crdStream } from './crd-yaml.ts';
import { templateCrd } from './stream/v1alpha1/template.ts';
import { sessionCrd } from './stream/v1alpha1/session.ts';
import { sessionQuotaCrd } from './stream/v1alpha1/sessionquota.ts';
import { nodeOperationCrd } from './stream/v1alpha1/nodeoperation.ts';

/** The descriptions of all our resources, in install order (templates before the sessions that use them). */
export const crdDescriptions: readonly CrdDescription[] = [templateCrd, sessionCrd, sessionQuotaCrd, nodeOperationCrd];

/** Each custom kind's REST path parts (for a client's resource table), from the CRD descriptions so they cannot drift. */
export function crdRegistrations(): { apiVersion: string; kind: string; plural: string; namespaced: boolean }[] {
  return crdDescriptions.map((d) => ({ apiVersion: `${d.group}/${d.version}`, kind: d.names.kind, plural: d.names.plural, namespaced: d.scope === 'Namespaced' }));
}

/** All CustomResourceDefinition objects, freshly built (callers may mutate them). */
export function crds(): CustomResourceDefinition[] {
  return crdDescriptions.map(buildCrd);
}

/** All CRDs as one multi-document YAML stream, as `streamspace crds` prints it. */
export function crdsYaml(): string {
  return crdStream(crds());
}
