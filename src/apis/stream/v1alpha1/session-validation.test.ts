import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSessionSpec } from './session-validation.ts';
import type { SessionSpec } from './session.ts';

function validSpec(): SessionSpec {
  return {
    user: 'alice',
    template: 'firefox',
    state: 'running',
    resources: { requests: { cpu: '1000m', memory: '2Gi' } },
    persistentHome: true,
    idleTimeout: '30m',
    maxSessionDuration: '8h',
    repository: { owner: 'alice', name: 'notes', ref: 'main' },
  };
}

void test('a valid spec has no causes; optional fields may be left out', () => {
  assert.deepEqual(validateSessionSpec(validSpec()), []);
  assert.deepEqual(validateSessionSpec({ user: 'bob', template: 'code-server' }), []);
  assert.deepEqual(validateSessionSpec({ user: 'bob', template: 'tpl.v2', idleTimeout: '0', maxSessionDuration: '1h30m' }), []);
});

void test('user and template are required', () => {
  assert.deepEqual(validateSessionSpec({ user: '', template: '' }), [
    { reason: 'FieldValueRequired', field: 'spec.user', message: 'Required value: the user who owns the session' },
    { reason: 'FieldValueRequired', field: 'spec.template', message: 'Required value: the name of the Template to launch' },
  ]);
  assert.deepEqual(validateSessionSpec({ ...validSpec(), user: '   ' }).map((c) => c.field), ['spec.user']);
});

void test('template must be a DNS-1123 subdomain', () => {
  const causes = validateSessionSpec({ ...validSpec(), template: 'Firefox_Browser' });
  assert.equal(causes.length, 1);
  assert.equal(causes[0].field, 'spec.template');
  assert.equal(causes[0].reason, 'FieldValueInvalid');
  assert.match(causes[0].message, /^Invalid value: "Firefox_Browser": a lowercase RFC 1123 subdomain must consist of/);
  assert.deepEqual(validateSessionSpec({ ...validSpec(), template: 'a'.repeat(254) }).map((c) => c.message), [
    `Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`,
  ]);
});

void test('durations must parse as Go durations and not be negative', () => {
  assert.deepEqual(validateSessionSpec({ ...validSpec(), idleTimeout: '30', maxSessionDuration: '2d' }), [
    { reason: 'FieldValueInvalid', field: 'spec.idleTimeout', message: 'Invalid value: "30": time: missing unit in duration "30"' },
    { reason: 'FieldValueInvalid', field: 'spec.maxSessionDuration', message: 'Invalid value: "2d": time: unknown unit "d" in duration "2d"' },
  ]);
  assert.deepEqual(validateSessionSpec({ ...validSpec(), idleTimeout: '-5m' }), [
    { reason: 'FieldValueInvalid', field: 'spec.idleTimeout', message: 'Invalid value: "-5m": must be greater than or equal to 0' },
  ]);
});

void test('state, resources and repository', () => {
  const spec = { ...validSpec(), state: 'paused' as 'running', resources: { limits: { memory: '4 GB' } }, repository: { owner: '', name: '' } };
  assert.deepEqual(validateSessionSpec(spec).map((c) => `${c.field}: ${c.reason}`), [
    'spec.state: FieldValueNotSupported',
    'spec.resources.limits[memory]: FieldValueInvalid',
    'spec.repository.owner: FieldValueRequired',
    'spec.repository.name: FieldValueRequired',
  ]);
  assert.equal(validateSessionSpec(spec)[0].message, 'Unsupported value: "paused": supported values: "running", "hibernated", "terminated"');
});
