/**
 * Strict field validation for built-in kinds: the fields of an object that its OpenAPI schema does
 * not know, as kube-apiserver's strict JSON decoding reports them for `fieldValidation=Strict`
 * (`unknown field "spec.containers[0].imagePullPolcy"`). Free-form parts of a schema (RawExtension,
 * preserve-unknown-fields, objects without declared properties) are not looked into.
 */
import type { JSONSchemaProps } from './json-schema-props.ts';
import { isPlainObject } from './json-values.ts';

const REF_PREFIX = '#/components/schemas/';

/**
 * Paths of the fields in `obj` that the component schema `rootSchemaName` (and what it
 * references in `schemas`) does not declare, in document order.
 */
export function findUnknownFields(obj: unknown, rootSchemaName: string, schemas: Record<string, JSONSchemaProps>): string[] {
  const root = schemas[rootSchemaName];
  if (!root) throw new Error(`no schema named ${rootSchemaName}`);
  const found: string[] = [];
  walk(obj, root, '', schemas, found);
  return found;
}

/** Follows `$ref` and the single-`allOf` wrapper kube uses for described references. */
function resolve(schema: JSONSchemaProps | undefined, schemas: Record<string, JSONSchemaProps>): JSONSchemaProps | undefined {
  let current = schema;
  for (let hops = 0; current && hops < 8; hops++) {
    if (current.$ref?.startsWith(REF_PREFIX)) current = schemas[current.$ref.slice(REF_PREFIX.length)];
    else if (current.allOf?.length === 1 && !current.properties) current = current.allOf[0];
    else return current;
  }
  return current;
}

type Schemas = Record<string, JSONSchemaProps>;

function walk(value: unknown, schema: JSONSchemaProps | undefined, path: string, schemas: Schemas, found: string[]): void {
  const resolved = resolve(schema, schemas);
  if (!resolved || resolved['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, resolved.items, `${path}[${i}]`, schemas, found));
    return;
  }
  if (!isPlainObject(value)) return;
  const extra = resolved.additionalProperties;
  if (!resolved.properties && typeof extra !== 'object') return; // a free-form object
  for (const [key, child] of Object.entries(value)) {
    const childPath = path ? `${path}.${key}` : key;
    const own = resolved.properties?.[key];
    if (own) walk(child, own, childPath, schemas, found);
    else if (typeof extra === 'object') walk(child, extra, childPath, schemas, found);
    else if (extra !== true) found.push(childPath);
  }
}
