/**
 * TypeBox constructors that always yield a Kubernetes *structural* schema.
 *
 * TypeBox's own `Type.Union`/`Type.Literal` produce `anyOf`+`const` and `Type.Record` produces
 * `patternProperties`; apiextensions.k8s.io/v1 rejects all three. These builders produce the
 * forms kube-apiserver accepts (`enum`, `additionalProperties`, the int-or-string pair) while
 * keeping an exact `Static<>` type for the TypeScript side.
 */
import { Type, type TUnsafe, type SchemaOptions } from '@sinclair/typebox';

/** Schema options every field must carry: the description `kubectl explain` shows. */
export interface FieldOptions extends SchemaOptions {
  description: string;
}

/** A string restricted to a fixed set of values (`enum`), typed as the union of those values. */
export function StringEnum<const V extends readonly string[]>(values: V, options: FieldOptions): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ ...options, type: 'string', enum: [...values] });
}

/** A free-form `map[string]string` (labels, annotations, node selectors). */
export function StringMap(options: FieldOptions): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({ ...options, type: 'object', additionalProperties: { type: 'string' } });
}

/** A value that may be an integer or a string (kube's `IntOrString`). */
export function IntOrString(options: FieldOptions): TUnsafe<number | string> {
  return Type.Unsafe<number | string>({
    ...options,
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
  });
}

/**
 * The syntax of a resource.Quantity (`500m`, `1Gi`, `2`, `1e3`): an optionally signed decimal
 * followed by a binary-SI, decimal-SI or exponent suffix. Shared with the validators.
 */
export const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** A resource quantity such as `500m` or `4Gi` (int-or-string with the quantity pattern, as kube publishes it). */
export function Quantity(options: FieldOptions): TUnsafe<number | string> {
  return Type.Unsafe<number | string>({
    ...options,
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: QUANTITY_PATTERN,
  });
}

/** A map from resource name (`cpu`, `memory`, `ephemeral-storage`, ...) to quantity: a corev1.ResourceList. */
export function QuantityMap(options: FieldOptions): TUnsafe<Record<string, number | string>> {
  return Type.Unsafe<Record<string, number | string>>({
    ...options,
    type: 'object',
    additionalProperties: {
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: QUANTITY_PATTERN,
    },
  });
}

/** A list of strings kept as a set (`x-kubernetes-list-type: set`), so server-side apply merges entries. */
export function StringSet(options: FieldOptions): TUnsafe<string[]> {
  return Type.Unsafe<string[]>({ ...options, type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' });
}
