/**
 * Builds apiextensions.k8s.io/v1 CustomResourceDefinition objects from a resource description
 * whose spec and status schemas are TypeBox values: the same values that type the resource in
 * TypeScript, so the CRD, the validation and the types cannot drift apart.
 */
import type { TSchema } from '@sinclair/typebox';
import type { JsonValue } from '../apimachinery/object.ts';

/** A JSON-Schema node as it appears in a CRD (apiextensions JSONSchemaProps), plain JSON. */
export interface JsonSchemaProps {
  [key: string]: JsonValue;
}

/** One `kubectl get` column (apiextensions CustomResourceColumnDefinition). */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  /** 0 shows in the default view; greater values only with `-o wide`. */
  priority?: number;
  format?: string;
}

/** The names a resource is known by (apiextensions CustomResourceDefinitionNames). */
export interface CrdNames {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
}

/** Everything needed to define one custom resource: kubebuilder's type markers, in data. */
export interface CrdDescription {
  group: string;
  version: string;
  scope: 'Namespaced' | 'Cluster';
  names: CrdNames;
  /** What the kind is; shown by `kubectl explain <kind>`. */
  description: string;
  spec: TSchema;
  status: TSchema;
  printerColumns: PrinterColumn[];
  /** Whether status is a subresource (writes to the main resource ignore status and vice versa). */
  statusSubresource: boolean;
}

/** One served version of a CRD. */
export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: JsonSchemaProps };
  subresources?: { status?: Record<string, never> };
  additionalPrinterColumns: PrinterColumn[];
}

/** An apiextensions.k8s.io/v1 CustomResourceDefinition as we emit it. */
export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: CrdNames & { listKind: string };
    scope: 'Namespaced' | 'Cluster';
    versions: CrdVersion[];
  };
}

/** The label every StreamSpace CRD carries, so `kubectl get crd -l` can find them. */
export const PART_OF_LABEL = { 'app.kubernetes.io/part-of': 'streamspace' } as const;

/**
 * The plain JSON form of a TypeBox schema, keys sorted (as controller-gen does) so the
 * generated YAML is stable. The JSON round trip drops TypeBox's symbol-keyed metadata.
 */
export function openApiSchema(schema: TSchema): JsonSchemaProps {
  return sortKeys(JSON.parse(JSON.stringify(schema)) as JsonValue) as JsonSchemaProps;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys(value[key]);
  return sorted;
}

/** The root openAPIV3Schema: apiVersion, kind, metadata, spec and status around the resource's own schemas. */
export function rootSchema(d: CrdDescription): JsonSchemaProps {
  const spec = openApiSchema(d.spec);
  const root: JsonSchemaProps = {
    description: d.description,
    type: 'object',
    properties: {
      apiVersion: {
        description: 'APIVersion is the versioned schema of this object; servers convert recognized schemas to the latest internal value and may reject unrecognized ones.',
        type: 'string',
      },
      kind: {
        description: 'Kind is the REST resource this object represents, in CamelCase. Servers may infer it from the endpoint the client submits requests to.',
        type: 'string',
      },
      // The root metadata schema may restrict nothing but name/generateName, not even carry a
      // description: kube-apiserver rejects anything else as non-structural.
      metadata: { type: 'object' },
      spec,
      status: openApiSchema(d.status),
    },
  };
  // A spec with required fields cannot be omitted altogether.
  if (Array.isArray(spec.required) && spec.required.length > 0) root.required = ['spec'];
  return root;
}

/** The CustomResourceDefinition object for a description. */
export function buildCrd(d: CrdDescription): CustomResourceDefinition {
  const served: CrdVersion = {
    name: d.version,
    served: true,
    storage: true,
    schema: { openAPIV3Schema: rootSchema(d) },
    additionalPrinterColumns: d.printerColumns.map((c) => ({ ...c })),
  };
  if (d.statusSubresource) served.subresources = { status: {} };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${d.names.plural}.${d.group}`, labels: { ...PART_OF_LABEL } },
    spec: {
      group: d.group,
      names: { ...d.names, listKind: `${d.names.kind}List` },
      scope: d.scope,
      versions: [served],
    },
  };
}

/** The `Age` column every resource shows last, as kubectl does for built-in kinds. */
export const AGE_COLUMN: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };
