/**
 * The JSON-Schema dialect Kubernetes speaks: apiextensions.k8s.io/v1 `JSONSchemaProps` (a CRD's
 * `openAPIV3Schema`) and, as a superset, the OpenAPI v3 component schemas kube-apiserver publishes
 * (`$ref`, `x-kubernetes-group-version-kind`). Plain JSON, so schemas can be stored and served as-is.
 */

/** One entry of `x-kubernetes-group-version-kind` (the group is `""` for the core group). */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** A `x-kubernetes-validations` rule (kept and served, never evaluated here). */
export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** A schema node (apiextensions.k8s.io/v1 JSONSchemaProps plus the OpenAPI v3 extras kube serves). */
export interface JSONSchemaProps {
  $ref?: string;
  id?: string;
  $schema?: string;
  description?: string;
  type?: string;
  format?: string;
  title?: string;
  default?: unknown;
  example?: unknown;
  nullable?: boolean;
  enum?: unknown[];
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  multipleOf?: number;
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  items?: JSONSchemaProps;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  patternProperties?: Record<string, JSONSchemaProps>;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  externalDocs?: { description?: string; url?: string };
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'granular' | 'atomic';
  'x-kubernetes-validations'?: ValidationRule[];
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  [extension: `x-${string}`]: unknown;
}

/** The schema a property value is checked against: its own, or the map's value schema. */
export function childSchema(schema: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  if (!schema) return undefined;
  const own = schema.properties?.[key];
  if (own) return own;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}
