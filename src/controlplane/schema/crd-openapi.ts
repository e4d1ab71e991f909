/**
 * The OpenAPI component schemas kube-apiserver publishes for a custom resource: the CRD version's
 * `openAPIV3Schema` with apiVersion, kind and metadata (a reference to ObjectMeta) made explicit
 * and `x-kubernetes-group-version-kind` added, named after the reversed group
 * (`example.com`/v1 Widget → `com.example.v1.Widget`), plus the matching `…List` schema.
 */
import type { GroupVersionKind, JSONSchemaProps } from './json-schema-props.ts';
import { cloneJson } from './json-values.ts';
import { LIST_META_SCHEMA, OBJECT_META_SCHEMA } from './kube-schema-names.ts';

const REF_PREFIX = '#/components/schemas/';

/** Descriptions of the type-meta fields every kind carries (kube's wording in spirit). */
export const API_VERSION_DESCRIPTION = 'APIVersion defines the versioned schema of this representation of an object. ' +
  'Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. ' +
  'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
export const KIND_DESCRIPTION = 'Kind is a string value representing the REST resource this object represents. ' +
  'Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. ' +
  'More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA_DESCRIPTION = "Standard object's metadata. More info: " +
  'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const LIST_METADATA_DESCRIPTION = 'Standard list metadata. More info: ' +
  'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#lists-and-simple-lists';

/** `example.com` → `com.example`. */
export function reversedGroup(group: string): string {
  return group.split('.').reverse().join('.');
}

/** The component name of a custom resource kind: `com.example.v1.Widget`. */
export function crdSchemaName(group: string, version: string, kind: string): string {
  return `${reversedGroup(group)}.${version}.${kind}`;
}

function ref(name: string): JSONSchemaProps {
  return { $ref: `${REF_PREFIX}${name}` };
}

/**
 * The published schema of a custom resource kind. The CRD's own `metadata` schema (which may
 * only restrict name and generateName) is replaced by the ObjectMeta reference, as kube does.
 */
export function crdComponentSchema(group: string, version: string, kind: string, openAPIV3Schema?: JSONSchemaProps): JSONSchemaProps {
  const source: JSONSchemaProps = openAPIV3Schema ? cloneJson(openAPIV3Schema) : { 'x-kubernetes-preserve-unknown-fields': true };
  const { apiVersion: _a, kind: _k, metadata: _m, ...own } = source.properties ?? {};
  return {
    ...source,
    type: 'object',
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
      kind: { description: KIND_DESCRIPTION, type: 'string' },
      metadata: { description: METADATA_DESCRIPTION, allOf: [ref(OBJECT_META_SCHEMA)] },
      ...own,
    },
    'x-kubernetes-group-version-kind': [{ group, kind, version }],
  };
}

/** The `…List` schema of a kind whose item schema is `itemSchemaName`. */
export function listSchema(gvk: GroupVersionKind, listKind: string, itemSchemaName: string): JSONSchemaProps {
  return {
    description: `${listKind} is a list of ${gvk.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
      items: { description: `List of ${gvk.kind.toLowerCase()}s.`, type: 'array', items: ref(itemSchemaName) },
      kind: { description: KIND_DESCRIPTION, type: 'string' },
      metadata: { description: LIST_METADATA_DESCRIPTION, allOf: [ref(LIST_META_SCHEMA)] },
    },
    'x-kubernetes-group-version-kind': [{ group: gvk.group, kind: listKind, version: gvk.version }],
  };
}
