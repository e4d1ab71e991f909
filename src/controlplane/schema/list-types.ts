/**
 * Server-side apply's list treatment read from a CRD schema: `x-kubernetes-list-type` (`atomic`,
 * `set`, `map`) and `x-kubernetes-list-map-keys` at a field path.
 */
import type { ListTypeLookup } from '../patch/list-type.ts';
import type { JSONSchemaProps } from './json-schema-props.ts';

function schemaAt(root: JSONSchemaProps, path: readonly string[]): JSONSchemaProps | undefined {
  let node: JSONSchemaProps | undefined = root;
  for (const segment of path) {
    if (!node) return undefined;
    // Paths skip list items, so step through `items` whenever the node is a list.
    if (node.type === 'array') node = node.items as JSONSchemaProps | undefined;
    const next: JSONSchemaProps | undefined = node?.properties?.[segment]
      ?? (typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined);
    node = next;
  }
  return node;
}

/** The list-type lookup of a custom resource's schema. */
export function schemaListTypes(schema: JSONSchemaProps | undefined): ListTypeLookup | undefined {
  if (!schema) return undefined;
  return (fieldPath) => {
    const node = schemaAt(schema, fieldPath);
    const type = node?.['x-kubernetes-list-type'];
    if (type === 'set') return 'set';
    if (type === 'atomic') return 'atomic';
    if (type === 'map' && node?.['x-kubernetes-list-map-keys']?.length) return { map: node['x-kubernetes-list-map-keys'] };
    return undefined;
  };
}
