/**
 * CRD structural-schema semantics, the way kube-apiserver applies them to every custom-resource
 * write: prune unknown fields, apply defaults, validate. Each step lives in its own module; this
 * is the entry point the server imports.
 *
 * Order used by kube-apiserver (and expected by callers): `prune` on decode, `applyDefaults`,
 * then `validateStructural`.
 */
export type { GroupVersionKind, JSONSchemaProps, ValidationRule } from './json-schema-props.ts';
export { validateStructural } from './structural-validation.ts';
export { prune, type PruneOptions, type PruneResult } from './pruning.ts';
export { applyDefaults } from './defaulting.ts';
