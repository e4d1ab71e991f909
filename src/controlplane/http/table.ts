/**
 * meta.k8s.io/v1 Table responses (what `kubectl get` asks for with `Accept: ...;as=Table`): the
 * Name column, then the kind's printer columns: computed cells for built-ins, JSONPath cells from
 * additionalPrinterColumns for custom resources. Date columns are printed as ages, as the API
 * server does.
 */
import { JSONPath } from 'jsonpath-plus';
import { formatAge } from '../../apimachinery/duration.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import { defaultPrinterColumns } from '../registry/printers.ts';
import type { PrinterColumn, ResourceType } from '../registry/resource.ts';

/** How much of each object a row carries (`includeObject`). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

const NAME_COLUMN = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
};

function columnsOf(rt: ResourceType): PrinterColumn[] {
  if (rt.printerColumns) return rt.printerColumns;
  if (rt.custom) return [{ name: 'Created At', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }];
  return defaultPrinterColumns;
}

function jsonPathValue(obj: KubeObject, path: string): unknown {
  const expr = path.startsWith('.') ? `$${path}` : path.startsWith('$') ? path : `$.${path}`;
  const found = JSONPath({ path: expr, json: obj, wrap: true }) as unknown[];
  if (!found.length) return undefined;
  return found.length === 1 ? found[0] : found.join(',');
}

function cell(col: PrinterColumn, obj: KubeObject, now: number): unknown {
  const raw = col.cell ? col.cell(obj, now) : col.jsonPath ? jsonPathValue(obj, col.jsonPath) : undefined;
  if (raw === undefined || raw === null) return col.type === 'date' ? '<unknown>' : col.cell ? '' : null;
  if (col.type === 'date') return formatAge(Math.max(0, now - Date.parse(String(raw))));
  if (typeof raw === 'object') return JSON.stringify(raw);
  return raw;
}

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** Builds a Table of `objects`. */
export function toTable(
  rt: ResourceType, objects: KubeObject[], meta: Record<string, unknown>, include: IncludeObject, withColumns = true,
): Record<string, unknown> {
  const cols = columnsOf(rt);
  const now = Date.now();
  const table: Record<string, unknown> = {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: meta,
    rows: objects.map((o) => ({ cells: [o.metadata.name, ...cols.map((c) => cell(c, o, now))], object: rowObject(o, include) })),
  };
  if (withColumns) {
    table.columnDefinitions = [NAME_COLUMN, ...cols.map((c) => ({
      name: c.name, type: c.type === 'date' ? 'date' : c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0,
    }))];
  }
  return table;
}

/** What the Accept header asks for: a Table, PartialObjectMetadata, or plain JSON. */
export type Representation = 'Table' | 'PartialObjectMetadata' | 'Object';

/** Reads the Accept header's first acceptable representation. */
export function negotiate(accept: string | undefined): Representation {
  if (!accept) return 'Object';
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    const as = params.find((p) => p.startsWith('as='))?.slice(3);
    const group = params.find((p) => p.startsWith('g='))?.slice(2);
    if (as === 'Table' && group === 'meta.k8s.io') return 'Table';
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && group === 'meta.k8s.io') return 'PartialObjectMetadata';
    if (!as && (params[0] === 'application/json' || params[0] === '*/*')) return 'Object';
  }
  return 'Object';
}
