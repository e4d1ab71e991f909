import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, type JSONSchemaProps } from './structural.ts';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        state: { type: 'string', default: 'running' },
        replicas: { type: 'integer', default: 1 },
        nickname: { type: 'string', nullable: true, default: 'nick' },
        resources: {
          type: 'object',
          default: {},
          properties: { memory: { type: 'string', default: '2Gi' }, cpu: { type: 'string' } },
        },
        storage: {
          type: 'object',
          properties: { size: { type: 'string', default: '10Gi' } },
        },
        ports: {
          type: 'array',
          items: {
            type: 'object',
            default: { name: 'http' },
            properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' } },
          },
        },
        env: {
          type: 'object',
          additionalProperties: { type: 'object', default: { value: '' }, properties: { value: { type: 'string' }, from: { type: 'string', default: 'literal' } } },
        },
      },
    },
  },
};

describe('applyDefaults', () => {
  it('fills absent properties of existing objects', () => {
    const out = applyDefaults({ spec: { replicas: 3 } }, schema) as any;
    assert.equal(out.spec.state, 'running');
    assert.equal(out.spec.replicas, 3);
    assert.equal(out.spec.nickname, 'nick');
  });

  it('does not create a parent that has no default of its own', () => {
    assert.deepEqual(applyDefaults({}, schema), {});
    const out = applyDefaults({ spec: {} }, schema) as any;
    assert.equal(out.spec.storage, undefined, 'storage has no default, so its size is not defaulted');
    assert.deepEqual(applyDefaults({ spec: { storage: {} } }, schema), {
      spec: { storage: { size: '10Gi' }, state: 'running', replicas: 1, nickname: 'nick', resources: { memory: '2Gi' } },
    });
  });

  it('defaults inside a defaulted parent', () => {
    const out = applyDefaults({ spec: {} }, schema) as any;
    assert.deepEqual(out.spec.resources, { memory: '2Gi' });
    const kept = applyDefaults({ spec: { resources: { memory: '1Gi', cpu: '1' } } }, schema) as any;
    assert.deepEqual(kept.spec.resources, { memory: '1Gi', cpu: '1' });
  });

  it('replaces disallowed nulls with the default and keeps allowed ones', () => {
    const out = applyDefaults({ spec: { state: null, nickname: null } }, schema) as any;
    assert.equal(out.spec.state, 'running');
    assert.equal(out.spec.nickname, null);
  });

  it('defaults list items and null list items', () => {
    const out = applyDefaults({ spec: { ports: [{ name: 'a' }, null, { name: 'b', protocol: 'UDP' }] } }, schema) as any;
    assert.deepEqual(out.spec.ports, [{ name: 'a', protocol: 'TCP' }, { name: 'http', protocol: 'TCP' }, { name: 'b', protocol: 'UDP' }]);
  });

  it('defaults map values', () => {
    const out = applyDefaults({ spec: { env: { A: { value: 'x' }, B: null } } }, schema) as any;
    assert.deepEqual(out.spec.env, { A: { value: 'x', from: 'literal' }, B: { value: '', from: 'literal' } });
  });

  it('neither modifies its input nor shares the schema default', () => {
    const input = { spec: {} };
    const first = applyDefaults(input, schema) as any;
    first.spec.resources.memory = 'changed';
    const second = applyDefaults(input, schema) as any;
    assert.deepEqual(input, { spec: {} });
    assert.equal(second.spec.resources.memory, '2Gi');
    assert.deepEqual(schema.properties!.spec.properties!.resources.default, {});
  });
});
