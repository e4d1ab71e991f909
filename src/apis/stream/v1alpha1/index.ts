/**
 * The stream.streamspace.io/v1alpha1 API in one import: group/version, each kind's schemas,
 * types and CRD description, and the validators controllers and webhooks share.
 */
export * from './groupversion.ts';
export * from './template.ts';
export * from './session.ts';
export * from './sessionquota.ts';
export * from './nodeoperation.ts';
export * from './template-validation.ts';
export * from './session-validation.ts';
export * from './nodeoperation-validation.ts';
export * from './sessionquota-selection.ts';
export * from './kinds.ts';
export * from './desired-state.ts';
