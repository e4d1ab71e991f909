import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectMeta } from './object.ts';
import {
  isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameIsDNS1035Label,
  nameIsDNSLabel, nameIsDNSSubdomain, regexError, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate,
  validatePathSegmentName,
} from './validation.ts';

const SUBDOMAIN_MESSAGE = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
  + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
  + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MESSAGE = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
  + "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
  + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MESSAGE = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
  + "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
  + "'[a-z]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MESSAGE = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
  + "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
  + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MESSAGE = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
  + "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
  + "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

void describe('regexError', () => {
  void it('formats like apimachinery, double space before each "or" included', () => {
    assert.equal(regexError('bad', 'x+'), "bad (regex used for validation is 'x+')");
    assert.equal(regexError('bad', 'x+', 'a', 'b'), "bad (e.g. 'a',  or 'b', regex used for validation is 'x+')");
  });
});

void describe('isDNS1123Subdomain', () => {
  void it('accepts valid subdomains up to 253 characters', () => {
    for (const v of ['a', 'example.com', 'my-app.v1', '0abc', 'a'.repeat(253)]) assert.deepEqual(isDNS1123Subdomain(v), [], v);
  });

  void it('rejects invalid names with the exact message', () => {
    for (const v of ['', 'Foo', 'foo_bar', '-foo', 'foo-', 'foo..bar', '.foo', 'foo.', 'fóo']) {
      assert.deepEqual(isDNS1123Subdomain(v), [SUBDOMAIN_MESSAGE], v);
    }
  });

  void it('rejects more than 253 characters', () => {
    assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
    assert.deepEqual(isDNS1123Subdomain('A'.repeat(254)), ['must be no more than 253 characters', SUBDOMAIN_MESSAGE]);
  });
});

void describe('isDNS1123Label / isDNS1035Label', () => {
  void it('accepts valid labels', () => {
    assert.deepEqual(isDNS1123Label('my-name'), []);
    assert.deepEqual(isDNS1123Label('123-abc'), []);
    assert.deepEqual(isDNS1123Label('a'.repeat(63)), []);
    assert.deepEqual(isDNS1035Label('my-svc'), []);
  });

  void it('says "must not contain dots" for a valid subdomain', () => {
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  });

  void it('rejects invalid labels with exact messages', () => {
    assert.deepEqual(isDNS1123Label('My-Name'), [LABEL_MESSAGE]);
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
    assert.deepEqual(isDNS1035Label('1abc'), [DNS1035_MESSAGE]);
    assert.deepEqual(isDNS1035Label('a'.repeat(64)), ['must be no more than 63 characters']);
  });
});

void describe('isQualifiedName', () => {
  void it('accepts names with and without a prefix', () => {
    for (const v of ['app', 'App_1.x', 'example.com/my-key', 'app.kubernetes.io/name', 'k8s.io/Foo']) {
      assert.deepEqual(isQualifiedName(v), [], v);
    }
  });

  void it('rejects a prefix that is too long', () => {
    assert.deepEqual(isQualifiedName(`${'a'.repeat(254)}/key`), ['prefix part must be no more than 253 bytes']);
  });

  void it('rejects an empty or invalid prefix', () => {
    assert.deepEqual(isQualifiedName('/key'), ['prefix part must be non-empty']);
    assert.deepEqual(isQualifiedName('Example.com/key'), [`prefix part ${SUBDOMAIN_MESSAGE}`]);
  });

  void it('rejects a bad name part', () => {
    assert.deepEqual(isQualifiedName('k'.repeat(64)), ['name part must be no more than 63 bytes']);
    assert.deepEqual(isQualifiedName('-key'), [NAME_PART_MESSAGE]);
    assert.deepEqual(isQualifiedName(''), ['name part must be non-empty', NAME_PART_MESSAGE]);
    assert.deepEqual(isQualifiedName('example.com/'), ['name part must be non-empty', NAME_PART_MESSAGE]);
  });

  void it('rejects more than one slash', () => {
    assert.deepEqual(isQualifiedName('a/b/c'), ["a valid label key must consist of alphanumeric characters, '-', '_' or '.', "
      + "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
      + "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
      + "(e.g. 'example.com/MyName')"]);
  });
});

void describe('isValidLabelValue', () => {
  void it('accepts empty and valid values', () => {
    for (const v of ['', 'a', 'My_Value-1.0', 'x'.repeat(63)]) assert.deepEqual(isValidLabelValue(v), [], v);
  });

  void it('rejects long and malformed values', () => {
    assert.deepEqual(isValidLabelValue('x'.repeat(64)), ['must be no more than 63 bytes']);
    assert.deepEqual(isValidLabelValue('-a'), [LABEL_VALUE_MESSAGE]);
    assert.deepEqual(isValidLabelValue('a b'), [LABEL_VALUE_MESSAGE]);
  });
});

void describe('name validators', () => {
  void it('allow a trailing dash in a generateName prefix', () => {
    assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
    assert.deepEqual(nameIsDNSSubdomain('web-', false), [SUBDOMAIN_MESSAGE]);
    assert.deepEqual(nameIsDNSLabel('web-', true), []);
    assert.deepEqual(nameIsDNS1035Label('svc-', true), []);
  });

  void it('validatePathSegmentName refuses . and .. and / or %', () => {
    assert.deepEqual(validatePathSegmentName('.', false), ["may not be '.'"]);
    assert.deepEqual(validatePathSegmentName('..', false), ["may not be '..'"]);
    assert.deepEqual(validatePathSegmentName('a/b%c', false), ["may not contain '/'", "may not contain '%'"]);
    assert.deepEqual(validatePathSegmentName('.', true), []);
    assert.deepEqual(validatePathSegmentName('Any_Thing', false), []);
  });
});

function meta(extra: Partial<ObjectMeta> = {}): ObjectMeta {
  return { name: 'web', namespace: 'default', ...extra };
}

void describe('validateObjectMeta', () => {
  const namespaced = { namespaced: true };

  void it('accepts a valid object', () => {
    const valid = meta({
      labels: { app: 'web', 'app.kubernetes.io/name': 'web' },
      annotations: { 'Example.com/Note': 'anything at all' },
      finalizers: ['example.com/cleanup'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u1', controller: true }],
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }],
    });
    assert.deepEqual(validateObjectMeta(valid, namespaced), []);
  });

  void it('requires a name or generateName', () => {
    assert.deepEqual(validateObjectMeta({ namespace: 'default' }, namespaced), [
      { reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' },
    ]);
  });

  void it('rejects an invalid name with the exact message', () => {
    assert.deepEqual(validateObjectMeta(meta({ name: 'Web_1' }), namespaced), [
      { reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "Web_1": ${SUBDOMAIN_MESSAGE}` },
    ]);
  });

  void it('validates generateName with the kind name rule', () => {
    const causes = validateObjectMeta({ namespace: 'default', generateName: 'Web-' }, namespaced);
    assert.equal(causes[0].field, 'metadata.generateName');
    assert.equal(causes[0].message, `Invalid value: "Web-": ${SUBDOMAIN_MESSAGE}`);
    assert.equal(causes[1].field, 'metadata.name');
  });

  void it('uses the given name validator', () => {
    const causes = validateObjectMeta(meta({ name: '1svc' }), { namespaced: true, nameValidator: nameIsDNS1035Label });
    assert.deepEqual(causes, [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "1svc": ${DNS1035_MESSAGE}` }]);
  });

  void it('requires a namespace on namespaced kinds and forbids one on cluster-scoped kinds', () => {
    assert.deepEqual(validateObjectMeta({ name: 'web' }, namespaced), [
      { reason: 'FieldValueRequired', field: 'metadata.namespace', message: 'Required value' },
    ]);
    assert.deepEqual(validateObjectMeta(meta(), { namespaced: false }), [
      { reason: 'FieldValueForbidden', field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' },
    ]);
    assert.deepEqual(validateObjectMeta({ name: 'node-1' }, { namespaced: false }), []);
    assert.deepEqual(validateObjectMeta(meta({ namespace: 'my.ns' }), namespaced), [
      { reason: 'FieldValueInvalid', field: 'metadata.namespace', message: 'Invalid value: "my.ns": must not contain dots' },
    ]);
  });

  void it('rejects a negative generation', () => {
    assert.deepEqual(validateObjectMeta(meta({ generation: -1 }), namespaced), [
      { reason: 'FieldValueInvalid', field: 'metadata.generation', message: 'Invalid value: -1: must be greater than or equal to 0' },
    ]);
  });

  void it('validates label keys and values under metadata.labels', () => {
    const causes = validateObjectMeta(meta({ labels: { [`${'p'.repeat(254)}/key`]: 'ok', good: '-bad' } }), namespaced);
    assert.deepEqual(causes, [
      { reason: 'FieldValueInvalid', field: 'metadata.labels',
        message: `Invalid value: "${'p'.repeat(254)}/key": prefix part must be no more than 253 bytes` },
      { reason: 'FieldValueInvalid', field: 'metadata.labels', message: `Invalid value: "-bad": ${LABEL_VALUE_MESSAGE}` },
    ]);
  });

  void it('validates annotation keys and the 256 KiB total', () => {
    const badKey = validateObjectMeta(meta({ annotations: { 'a b': 'x' } }), namespaced);
    assert.deepEqual(badKey, [{ reason: 'FieldValueInvalid', field: 'metadata.annotations', message: `Invalid value: "a b": ${NAME_PART_MESSAGE}` }]);
    const exactlyAtLimit = { k: 'x'.repeat(256 * 1024 - 1) };
    assert.deepEqual(validateObjectMeta(meta({ annotations: exactlyAtLimit }), namespaced), []);
    const overLimit = { k: 'x'.repeat(256 * 1024) };
    assert.deepEqual(validateObjectMeta(meta({ annotations: overLimit }), namespaced), [
      { reason: 'FieldValueTooLong', field: 'metadata.annotations', message: 'Too long: may not be more than 262144 bytes' },
    ]);
  });

  void it('requires apiVersion, kind, name and uid of owner references', () => {
    const causes = validateObjectMeta(meta({ ownerReferences: [{} as never, { apiVersion: 'a/b/c', kind: 'K', name: 'n', uid: 'u' }] }), namespaced);
    assert.deepEqual(causes, [
      { reason: 'FieldValueRequired', field: 'metadata.ownerReferences[0].apiVersion', message: 'Required value: must not be empty' },
      { reason: 'FieldValueRequired', field: 'metadata.ownerReferences[0].kind', message: 'Required value: must not be empty' },
      { reason: 'FieldValueRequired', field: 'metadata.ownerReferences[0].name', message: 'Required value: must not be empty' },
      { reason: 'FieldValueRequired', field: 'metadata.ownerReferences[0].uid', message: 'Required value: must not be empty' },
      { reason: 'FieldValueInvalid', field: 'metadata.ownerReferences[1].apiVersion',
        message: 'Invalid value: "a/b/c": must be <group>/<version> or <version>' },
    ]);
  });

  void it('allows only one controller owner and no Event owner', () => {
    const owner = (name: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: name, controller: true });
    const two = validateObjectMeta(meta({ ownerReferences: [owner('a'), owner('b')] }), namespaced);
    assert.equal(two.length, 1);
    assert.equal(two[0].field, 'metadata.ownerReferences');
    assert.ok(two[0].message.endsWith(
      ': Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b'), two[0].message);
    const event = validateObjectMeta(meta({ ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }] }), namespaced);
    assert.equal(event[0].field, 'metadata.ownerReferences[0]');
    assert.match(event[0].message, /\/v1, Kind=Event is disallowed from being an owner$/);
  });

  void it('validates finalizer names and the orphan/foregroundDeletion conflict', () => {
    assert.deepEqual(validateObjectMeta(meta({ finalizers: ['-bad'] }), namespaced), [
      { reason: 'FieldValueInvalid', field: 'metadata.finalizers', message: `Invalid value: "-bad": ${NAME_PART_MESSAGE}` },
    ]);
    const both = validateObjectMeta(meta({ finalizers: ['orphan', 'foregroundDeletion'] }), namespaced);
    assert.equal(both.length, 1);
    assert.match(both[0].message, /: finalizer orphan and foregroundDeletion cannot be both set$/);
  });

  void it('validates managedFields entries', () => {
    const causes = validateObjectMeta(meta({
      managedFields: [{ manager: 'a\u0007b', operation: 'Patch' as never, apiVersion: 'v1', fieldsType: 'FieldsV2' as never, fieldsV1: {} }],
    }), namespaced);
    assert.deepEqual(causes, [
      { reason: 'FieldValueNotSupported', field: 'metadata.managedFields[0].operation',
        message: 'Unsupported value: "Patch": supported values: "Apply", "Update"' },
      { reason: 'FieldValueInvalid', field: 'metadata.managedFields[0].fieldsType', message: 'Invalid value: "FieldsV2": must be `FieldsV1`' },
      { reason: 'FieldValueInvalid', field: 'metadata.managedFields[0].manager',
        message: 'Invalid value: "a\\u0007b": invalid character U+0007 (at position 1)' },
    ]);
  });
});

void describe('validateObjectMetaUpdate', () => {
  const old: ObjectMeta = {
    name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '5', generation: 2,
    creationTimestamp: '2024-01-01T00:00:00Z',
  };

  void it('accepts an unchanged object', () => {
    assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { a: 'b' } }, old), []);
  });

  void it('treats equal instants as the same creationTimestamp', () => {
    assert.deepEqual(validateObjectMetaUpdate({ ...old, creationTimestamp: '2024-01-01T00:00:00.000+00:00' }, old), []);
  });

  void it('reports changes of immutable fields', () => {
    const causes = validateObjectMetaUpdate({ ...old, name: 'other', namespace: 'ns2', uid: 'u2', creationTimestamp: '2025-01-01T00:00:00Z' }, old);
    assert.deepEqual(causes, [
      { reason: 'FieldValueInvalid', field: 'metadata.name', message: 'Invalid value: "other": field is immutable' },
      { reason: 'FieldValueInvalid', field: 'metadata.namespace', message: 'Invalid value: "ns2": field is immutable' },
      { reason: 'FieldValueInvalid', field: 'metadata.uid', message: 'Invalid value: "u2": field is immutable' },
      { reason: 'FieldValueInvalid', field: 'metadata.creationTimestamp', message: 'Invalid value: "2025-01-01T00:00:00Z": field is immutable' },
    ]);
  });

  void it('forbids unsetting, changing or setting deletionTimestamp and deletionGracePeriodSeconds', () => {
    const deleting = { ...old, deletionTimestamp: '2024-02-01T00:00:00Z', deletionGracePeriodSeconds: 0 };
    assert.deepEqual(validateObjectMetaUpdate({ ...deleting, deletionTimestamp: undefined }, deleting), [
      { reason: 'FieldValueInvalid', field: 'metadata.deletionTimestamp', message: 'Invalid value: null: field is immutable' },
    ]);
    assert.equal(validateObjectMetaUpdate({ ...deleting, deletionTimestamp: '2024-03-01T00:00:00Z' }, deleting)[0].field,
      'metadata.deletionTimestamp');
    assert.equal(validateObjectMetaUpdate(deleting, old)[0].field, 'metadata.deletionTimestamp');
    assert.deepEqual(validateObjectMetaUpdate({ ...deleting, deletionGracePeriodSeconds: 30 }, deleting), [
      { reason: 'FieldValueInvalid', field: 'metadata.deletionGracePeriodSeconds', message: 'Invalid value: 30: field is immutable' },
    ]);
  });

  void it('forbids new finalizers while the object is being deleted', () => {
    const deleting = { ...old, deletionTimestamp: '2024-02-01T00:00:00Z', finalizers: ['a.io/keep'] };
    assert.deepEqual(validateObjectMetaUpdate({ ...deleting, finalizers: ['a.io/keep', 'x'] }, deleting), [
      { reason: 'FieldValueForbidden', field: 'metadata.finalizers',
        message: 'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x"}' },
    ]);
    assert.equal(validateObjectMetaUpdate({ ...deleting, finalizers: ['z', 'y', 'a.io/keep'] }, deleting)[0].message,
      'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"y", "z"}');
    // Removing finalizers is how deletion completes, so it stays allowed.
    assert.deepEqual(validateObjectMetaUpdate({ ...deleting, finalizers: [] }, deleting), []);
    // Without a deletionTimestamp, adding is fine.
    assert.deepEqual(validateObjectMetaUpdate({ ...old, finalizers: ['x'] }, old), []);
  });

  void it('requires a resourceVersion and forbids decrementing generation', () => {
    assert.deepEqual(validateObjectMetaUpdate({ ...old, resourceVersion: '' }, old), [
      { reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: "": must be specified for an update' },
    ]);
    assert.deepEqual(validateObjectMetaUpdate({ ...old, generation: 1 }, old), [
      { reason: 'FieldValueInvalid', field: 'metadata.generation', message: 'Invalid value: 1: must not be decremented' },
    ]);
  });

  void it('still validates labels and annotations', () => {
    assert.equal(validateObjectMetaUpdate({ ...old, labels: { 'a b': 'x' } }, old)[0].field, 'metadata.labels');
  });
});

void describe('validateLabelSelector', () => {
  void it('accepts a valid selector and null', () => {
    assert.deepEqual(validateLabelSelector(null, 'spec.selector'), []);
    assert.deepEqual(validateLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a'] }] },
      'spec.selector'), []);
  });

  void it('reports operator and value problems with field paths', () => {
    const causes = validateLabelSelector({
      matchExpressions: [
        { key: 'a', operator: 'In' },
        { key: 'b', operator: 'Exists', values: ['x'] },
        { key: 'c', operator: 'Gt', values: ['1'] },
      ],
    }, 'spec.selector');
    assert.deepEqual(causes, [
      { reason: 'FieldValueRequired', field: 'spec.selector.matchExpressions[0].values',
        message: "Required value: must be specified when `operator` is 'In' or 'NotIn'" },
      { reason: 'FieldValueForbidden', field: 'spec.selector.matchExpressions[1].values',
        message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" },
      { reason: 'FieldValueInvalid', field: 'spec.selector.matchExpressions[2].operator', message: 'Invalid value: "Gt": not a valid selector operator' },
    ]);
  });
});
