/**
 * JSON schema fragments several route groups use (path parameters, list envelopes, the
 * Kubernetes object shape), so the same input is validated the same way everywhere.
 */

/** A DNS-1123 subdomain, the form of Kubernetes object names. */
export const objectName = { type: 'string', minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' } as const;

/** `/:id` naming a Kubernetes object. */
export const idParams = { type: 'object', required: ['id'], properties: { id: { ...objectName, description: 'The object\'s metadata.name.' } } } as const;

/** A Kubernetes object as returned (metadata.managedFields removed). */
export const kubeObject = {
  type: 'object',
  description: 'A Kubernetes object: apiVersion, kind, metadata, spec and status.',
  properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object' }, status: { type: 'object' } },
} as const;

/** `{ items: [...] }` of `item`. */
export function listOf(item: object, description: string): object {
  return { type: 'object', description, properties: { items: { type: 'array', items: item } } };
}

/** The plain JSON form of a TypeBox schema (drops its symbol-keyed metadata). */
export function plainSchema<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema)) as T;
}

/**
 * `schema` with every object that lists its properties closed to others (`additionalProperties:
 * false`), at any depth: an unknown nested field is a 400 naming it, not silently kept or dropped.
 * Objects that state additionalProperties or patternProperties (maps) are left as they are.
 */
export function closedSchema<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(closedSchema) as T;
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'enum' || k === 'const' || k === 'default' ? v : closedSchema(v);
  if (out.properties && out.additionalProperties === undefined && out.patternProperties === undefined) out.additionalProperties = false;
  return out as T;
}
