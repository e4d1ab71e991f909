/**
 * Field tables of apimachinery's meta/v1 messages that built-in kinds embed: ObjectMeta (with
 * owner references and managed fields), LabelSelector and DeleteOptions. Field numbers come from
 * k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto; modes follow the Go types (pointer vs
 * value, `omitempty` or not) so the JSON matches what the client would have sent as JSON.
 */
import { message } from './message-schema.ts';

/** meta/v1 OwnerReference (its four identifying fields have no omitempty). */
export const ownerReference = message('OwnerReference', {
  5: ['apiVersion', 'string', 'pointer'],
  1: ['kind', 'string', 'pointer'],
  3: ['name', 'string', 'pointer'],
  4: ['uid', 'string', 'pointer'],
  6: ['controller', 'bool', 'pointer'],
  7: ['blockOwnerDeletion', 'bool', 'pointer'],
});

/** meta/v1 FieldsV1: the managed-fields set, raw JSON bytes on the wire. */
export const fieldsV1 = message('FieldsV1', {
  1: ['Raw', 'bytes'],
});

/** meta/v1 ManagedFieldsEntry. */
export const managedFieldsEntry = message('ManagedFieldsEntry', {
  1: ['manager', 'string'],
  2: ['operation', 'string'],
  3: ['apiVersion', 'string'],
  4: ['time', 'time', 'pointer'],
  6: ['fieldsType', 'string'],
  7: ['fieldsV1', fieldsV1, 'pointer'],
  8: ['subresource', 'string'],
});

/** meta/v1 ObjectMeta. */
export const objectMeta = message('ObjectMeta', {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  4: ['selfLink', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['generation', 'int64'],
  8: ['creationTimestamp', 'time'],
  9: ['deletionTimestamp', 'time', 'pointer'],
  10: ['deletionGracePeriodSeconds', 'int64', 'pointer'],
  11: ['labels', 'string', 'map'],
  12: ['annotations', 'string', 'map'],
  13: ['ownerReferences', ownerReference, 'list'],
  14: ['finalizers', 'string', 'list'],
  17: ['managedFields', managedFieldsEntry, 'list'],
  // clusterName, removed in 1.25; clients up to 1.24 still write it (empty), so it stays readable.
  15: ['clusterName', 'string'],
});

/** meta/v1 LabelSelectorRequirement (key and operator have no omitempty). */
export const labelSelectorRequirement = message('LabelSelectorRequirement', {
  1: ['key', 'string', 'pointer'],
  2: ['operator', 'string', 'pointer'],
  3: ['values', 'string', 'list'],
});

/** meta/v1 LabelSelector. */
export const labelSelector = message('LabelSelector', {
  1: ['matchLabels', 'string', 'map'],
  2: ['matchExpressions', labelSelectorRequirement, 'list'],
});

/** meta/v1 Preconditions (both pointers: an empty precondition still constrains). */
export const preconditions = message('Preconditions', {
  1: ['uid', 'string', 'pointer'],
  2: ['resourceVersion', 'string', 'pointer'],
});

/** meta/v1 DeleteOptions (without TypeMeta, which the envelope carries). */
export const deleteOptions = message('DeleteOptions', {
  1: ['gracePeriodSeconds', 'int64', 'pointer'],
  2: ['preconditions', preconditions, 'pointer'],
  3: ['orphanDependents', 'bool', 'pointer'],
  4: ['propagationPolicy', 'string', 'pointer'],
  5: ['dryRun', 'string', 'list'],
  6: ['ignoreStoreReadErrorWithClusterBreakingPotential', 'bool', 'pointer'],
});
