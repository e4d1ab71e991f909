import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateNodeOperationSpec } from './nodeoperation-validation.ts';
import type { NodeOperationSpec } from './nodeoperation.ts';

function fields(spec: NodeOperationSpec | undefined): string[] {
  return validateNodeOperationSpec(spec).map((c) => `${c.field}: ${c.reason}`);
}

void test('valid operations have no causes', () => {
  const valid: NodeOperationSpec[] = [
    { nodeName: 'worker-1', operation: 'cordon' },
    { nodeName: 'worker-1', operation: 'drain', parameters: { drain: { gracePeriodSeconds: 30, ignoreDaemonSets: true } } },
    { nodeName: 'worker-1', operation: 'label', parameters: { labels: { 'streamspace.io/gpu': 'true' } } },
    { nodeName: 'worker-1', operation: 'unlabel', parameters: { labels: { 'streamspace.io/gpu': '' } } },
    { nodeName: 'worker-1', operation: 'taint', parameters: { taint: { key: 'dedicated', value: 'sessions', effect: 'NoSchedule' } } },
    { nodeName: 'worker-1', operation: 'untaint', parameters: { taint: { key: 'dedicated' } } },
  ];
  for (const spec of valid) assert.deepEqual(validateNodeOperationSpec(spec), [], spec.operation);
});

void test('operations need their parameters', () => {
  assert.deepEqual(fields({ nodeName: 'n', operation: 'label' }), ['spec.parameters.labels: FieldValueRequired']);
  assert.deepEqual(fields({ nodeName: 'n', operation: 'unlabel', parameters: { labels: {} } }), ['spec.parameters.labels: FieldValueRequired']);
  assert.deepEqual(fields({ nodeName: 'n', operation: 'taint' }), ['spec.parameters.taint: FieldValueRequired']);
  assert.deepEqual(fields({ nodeName: 'n', operation: 'taint', parameters: { taint: { key: '' } } }), [
    'spec.parameters.taint.key: FieldValueRequired', 'spec.parameters.taint.effect: FieldValueRequired',
  ]);
});

void test('label keys/values, taint effect, node name and operation are checked', () => {
  assert.deepEqual(fields({ nodeName: 'n', operation: 'label', parameters: { labels: { 'bad key': 'ok', good: 'bad value!' } } }), [
    'spec.parameters.labels: FieldValueInvalid', 'spec.parameters.labels: FieldValueInvalid',
  ]);
  assert.deepEqual(fields({ nodeName: 'n', operation: 'taint', parameters: { taint: { key: 'k', effect: 'Evict' as 'NoSchedule' } } }), [
    'spec.parameters.taint.effect: FieldValueNotSupported',
  ]);
  assert.deepEqual(fields({ nodeName: 'Node_1', operation: 'reboot' as 'cordon' }), ['spec.nodeName: FieldValueInvalid', 'spec.operation: FieldValueNotSupported']);
  assert.deepEqual(fields(undefined), ['spec: FieldValueRequired']);
});
