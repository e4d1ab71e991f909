/** CustomResourceDefinition strategy: name rules, one storage version, and the accepted names status. */
import { fieldInvalid, fieldRequired, type StatusCause } from '../../../apimachinery/errors.ts';
import type { KubeObject } from '../../../apimachinery/object.ts';
import type { Strategy } from '../resource.ts';

function validateNames(crd: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = crd.spec ?? {};
  if (!spec.group) causes.push(fieldRequired('spec.group'));
  if (!spec.names?.plural) causes.push(fieldRequired('spec.names.plural'));
  if (!spec.names?.kind) causes.push(fieldRequired('spec.names.kind'));
  if (!['Namespaced', 'Cluster'].includes(spec.scope)) causes.push(fieldInvalid('spec.scope', spec.scope ?? '', 'must be either Namespaced or Cluster'));
  if (spec.group && spec.names?.plural && crd.metadata.name !== `${spec.names.plural}.${spec.group}`) {
    causes.push(fieldInvalid('metadata.name', crd.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  return causes;
}

function validateVersions(crd: KubeObject): StatusCause[] {
  const versions: any[] = crd.spec?.versions ?? [];
  if (!versions.length) return [fieldRequired('spec.versions', 'must have exactly one version marked as storage version')];
  const storage = versions.filter((v) => v.storage).length;
  const causes: StatusCause[] = [];
  if (storage !== 1) causes.push(fieldInvalid('spec.versions', versions.map((v) => v.name).join(','), 'must have exactly one version marked as storage version'));
  versions.forEach((v, i) => {
    if (!v.schema?.openAPIV3Schema) causes.push(fieldRequired(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
    else if (v.schema.openAPIV3Schema.type !== 'object') {
      causes.push(fieldInvalid(`spec.versions[${i}].schema.openAPIV3Schema.type`, v.schema.openAPIV3Schema.type ?? '', 'must be object at the root'));
    }
  });
  return causes;
}

function acceptedStatus(crd: KubeObject, now: string): any {
  const names = { ...crd.spec.names, singular: crd.spec.names.singular ?? String(crd.spec.names.kind).toLowerCase(), listKind: crd.spec.names.listKind ?? `${crd.spec.names.kind}List` };
  const cond = (type: string, reason: string, message: string) => ({ type, status: 'True', lastTransitionTime: now, reason, message });
  return {
    acceptedNames: names,
    storedVersions: (crd.spec.versions ?? []).filter((v: any) => v.storage).map((v: any) => v.name),
    conditions: [cond('NamesAccepted', 'NoConflicts', 'no conflicts found'), cond('Established', 'InitialNamesAccepted', 'the initial names have been accepted')],
  };
}

export const crdStrategy: Strategy = {
  prepareForCreate(crd) {
    crd.status = acceptedStatus(crd, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
  },
  prepareForUpdate(crd, old) {
    crd.status = crd.status ?? old.status;
  },
  validate: (crd) => [...validateNames(crd), ...validateVersions(crd)],
  validateUpdate(crd, old) {
    const causes = [...validateNames(crd), ...validateVersions(crd)];
    if (crd.spec?.group !== old.spec?.group) causes.push(fieldInvalid('spec.group', crd.spec?.group ?? '', 'field is immutable'));
    if (crd.spec?.scope !== old.spec?.scope) causes.push(fieldInvalid('spec.scope', crd.spec?.scope ?? '', 'field is immutable'));
    return causes;
  },
};

/** Recomputes a CRD's accepted names after a spec change (used by the CRD status updater). */
export function crdStatusFor(crd: KubeObject, now: string): any {
  return acceptedStatus(crd, now);
}
