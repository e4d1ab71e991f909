/** Resource types built from CustomResourceDefinitions: one per served version. */
import { readDottedPath } from '../../apimachinery/dotted-path.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import type { PrinterColumn, ResourceType } from './resource.ts';

function reversedGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

function printerColumns(version: any): PrinterColumn[] | undefined {
  const cols: any[] | undefined = version.additionalPrinterColumns;
  if (!cols) return undefined;
  return cols.map((c) => ({ name: c.name, type: c.type, format: c.format, description: c.description, priority: c.priority ?? 0, jsonPath: c.jsonPath }));
}

function selectableFieldsOf(version: any): ((obj: KubeObject) => Record<string, string>) | undefined {
  const fields: { jsonPath: string }[] = version.selectableFields ?? [];
  if (!fields.length) return undefined;
  return (obj) => {
    const out: Record<string, string> = {};
    for (const f of fields) {
      const v = readDottedPath(obj, f.jsonPath);
      out[f.jsonPath.replace(/^\./, '')] = v === undefined ? '' : String(v);
    }
    return out;
  };
}

/** The resource types a CRD serves (empty when it is not established or is being deleted). */
export function resourceTypesOf(crd: KubeObject): ResourceType[] {
  const spec = crd.spec;
  const established = (crd.status?.conditions ?? []).some((c: any) => c.type === 'Established' && c.status === 'True');
  if (!established) return [];
  return (spec.versions ?? []).filter((v: any) => v.served).map((v: any): ResourceType => {
    const names = spec.names;
    const scale = v.subresources?.scale;
    return {
      group: spec.group, version: v.name, kind: names.kind, listKind: names.listKind ?? `${names.kind}List`, plural: names.plural,
      singular: names.singular ?? names.kind.toLowerCase(), namespaced: spec.scope === 'Namespaced', shortNames: names.shortNames ?? [],
      categories: names.categories ?? [], verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
      subresources: { status: v.subresources?.status !== undefined, scale: scale ?? undefined },
      custom: true, tracksGeneration: true, allowUnconditionalUpdate: false,
      schemaName: `${reversedGroup(spec.group)}.${v.name}.${names.kind}`, schema: v.schema?.openAPIV3Schema,
      printerColumns: printerColumns(v), strategy: { selectableFields: selectableFieldsOf(v) }, terminating: !!crd.metadata.deletionTimestamp,
    };
  });
}
