/**
 * Structural defaulting as kube-apiserver applies it to custom resources: a property's `default`
 * fills it in when the property is absent (or a null the schema does not allow), only inside
 * objects that exist, and defaulted values are themselves defaulted further down. Map values and
 * list items that are disallowed nulls take their schema's default.
 */
import type { JSONSchemaProps } from './json-schema-props.ts';
import { cloneJson, isPlainObject } from './json-values.ts';

function isDefaultableNull(value: unknown, schema: JSONSchemaProps | undefined): schema is JSONSchemaProps {
  return value === null && !!schema && !schema.nullable && schema.default !== undefined;
}

/** Returns a copy of `value` with the schema's defaults applied (the input is not modified). */
export function applyDefaults(value: unknown, schema: JSONSchemaProps): unknown {
  return defaultNode(value, schema);
}

function defaultNode(value: unknown, schema: JSONSchemaProps | undefined): unknown {
  if (!schema) return cloneJson(value);
  if (Array.isArray(value)) {
    return value.map((item) => defaultNode(isDefaultableNull(item, schema.items) ? schema.items.default : item, schema.items));
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
    if (propSchema.default === undefined) continue;
    if (out[key] === undefined || isDefaultableNull(out[key], propSchema)) out[key] = propSchema.default;
  }
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  for (const key of Object.keys(out)) {
    const own = schema.properties?.[key];
    if (own) {
      out[key] = defaultNode(out[key], own);
    } else if (extra) {
      out[key] = defaultNode(isDefaultableNull(out[key], extra) ? extra.default : out[key], extra);
    } else {
      out[key] = cloneJson(out[key]);
    }
  }
  return out;
}
