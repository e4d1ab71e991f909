import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldSet } from './field-set.ts';
import { decodeManagedFields, describeManager, encodeManagedFields, managerIdentifier, sameManager, type ManagedSet } from './managed-fields.ts';

const fields = (...names: string[]) => new FieldSet(names.map((n) => ['f:spec', `f:${n}`]));

function set(manager: string, operation: 'Apply' | 'Update', time: string, extra: Partial<ManagedSet> = {}): ManagedSet {
  return { manager, operation, apiVersion: 'v1', time, fields: fields('a'), ...extra };
}

describe('managedFields encoding', () => {
  it('sorts like kube-apiserver: Apply first, then by time, manager, apiVersion, subresource', () => {
    const encoded = encodeManagedFields([
      set('z', 'Update', '2024-01-01T00:00:00Z'),
      set('b', 'Apply', '2024-01-01T00:00:05Z'),
      set('a', 'Apply', '2024-01-01T00:00:05Z'),
      set('c', 'Apply', '2024-01-01T00:00:01Z'),
      set('a', 'Update', '2024-01-01T00:00:00Z', { subresource: 'status' }),
      set('a', 'Update', '2024-01-01T00:00:00Z'),
    ]);
    assert.deepEqual(encoded.map((e) => `${e.operation}:${e.manager}:${e.subresource ?? ''}`),
      ['Apply:c:', 'Apply:a:', 'Apply:b:', 'Update:a:', 'Update:a:status', 'Update:z:']);
  });

  it('drops empty sets and writes the wire shape', () => {
    const encoded = encodeManagedFields([set('empty', 'Apply', 't', { fields: new FieldSet() }), set('m', 'Update', '2024-01-01T00:00:00Z')]);
    assert.deepEqual(encoded, [{
      manager: 'm', operation: 'Update', apiVersion: 'v1', time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:a': {} } },
    }]);
  });

  it('decodes entries and skips ones that are not objects', () => {
    const decoded = decodeManagedFields([
      'junk',
      { manager: 'm', operation: 'Apply', apiVersion: 'apps/v1', time: 't', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } }, subresource: 'status' },
    ]);
    assert.equal(decoded.length, 1);
    assert.equal(decoded[0].subresource, 'status');
    assert.ok(decoded[0].fields.has(['f:spec', 'f:replicas']));
    assert.deepEqual(decodeManagedFields(undefined), []);
  });
});

describe('manager identity', () => {
  it('ignores the apiVersion for Apply managers but not for Update managers', () => {
    const base = { manager: 'm', apiVersion: 'v1' };
    assert.ok(sameManager({ ...base, operation: 'Apply' }, { ...base, operation: 'Apply', apiVersion: 'v2' }));
    assert.ok(!sameManager({ ...base, operation: 'Update' }, { ...base, operation: 'Update', apiVersion: 'v2' }));
    assert.ok(!sameManager({ ...base, operation: 'Apply' }, { ...base, operation: 'Update' }));
    assert.ok(!sameManager({ ...base, operation: 'Apply' }, { ...base, operation: 'Apply', subresource: 'status' }));
  });

  it('describes managers as conflict messages do', () => {
    assert.equal(describeManager({ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1' }), '"kubectl"');
    assert.equal(describeManager({ manager: 'kcm', operation: 'Update', apiVersion: 'apps/v1' }), '"kcm" using apps/v1');
    assert.equal(describeManager({ manager: 'k', operation: 'Update', apiVersion: 'v1', subresource: 'status' }), '"k" with subresource "status" using v1');
    assert.equal(managerIdentifier({ manager: 'k', operation: 'Apply', apiVersion: 'v1' }), '{"manager":"k","operation":"Apply"}');
  });
});
