import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateStructural, type JSONSchemaProps } from './structural.ts';

const widget: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        replicas: { type: 'integer', minimum: 1, maximum: 10 },
        image: { type: 'string', minLength: 3, maxLength: 20, pattern: '^[a-z0-9./:-]+$' },
        state: { type: 'string', enum: ['running', 'hibernated'] },
        ratio: { type: 'number', exclusiveMinimum: true, minimum: 0, exclusiveMaximum: true, maximum: 1.5 },
        step: { type: 'integer', multipleOf: 5 },
        weight: { type: 'number' },
        port: { 'x-kubernetes-int-or-string': true },
        count32: { type: 'integer', format: 'int32' },
        enabled: { type: 'boolean' },
        nickname: { type: 'string', nullable: true },
        ports: {
          type: 'array',
          maxItems: 3,
          minItems: 1,
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, port: { type: 'integer' } },
          },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2, minProperties: 1 },
        strict: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
      },
    },
  },
};

function causes(spec: Record<string, unknown>): ReturnType<typeof validateStructural> {
  return validateStructural({ spec: { image: 'nginx', ...spec } }, widget);
}

describe('validateStructural: kube message shapes', () => {
  it('accepts a valid object', () => {
    assert.deepEqual(causes({ replicas: 3, state: 'running', ports: [{ name: 'http', port: 80 }] }), []);
  });

  it('reports maximum and minimum with kube-openapi wording', () => {
    assert.deepEqual(causes({ replicas: 11 }), [{
      reason: 'FieldValueInvalid', field: 'spec.replicas',
      message: 'Invalid value: 11: spec.replicas in body should be less than or equal to 10',
    }]);
    assert.deepEqual(causes({ replicas: 0 }), [{
      reason: 'FieldValueInvalid', field: 'spec.replicas',
      message: 'Invalid value: 0: spec.replicas in body should be greater than or equal to 1',
    }]);
  });

  it('reports exclusive bounds and float bounds', () => {
    assert.deepEqual(causes({ ratio: 1.5 }).map((c) => c.message), [
      'Invalid value: 1.5: spec.ratio in body should be less than 1.5',
    ]);
    assert.deepEqual(causes({ ratio: 0 }).map((c) => c.message), [
      'Invalid value: 0: spec.ratio in body should be greater than 0',
    ]);
  });

  it('reports a missing required field as FieldValueRequired', () => {
    assert.deepEqual(validateStructural({ spec: {} }, widget), [
      { reason: 'FieldValueRequired', field: 'spec.image', message: 'Required value' },
    ]);
  });

  it('reports enum violations as FieldValueNotSupported', () => {
    assert.deepEqual(causes({ state: 'x' }), [{
      reason: 'FieldValueNotSupported', field: 'spec.state',
      message: 'Unsupported value: "x": supported values: "running", "hibernated"',
    }]);
  });

  it('lists non-string enum values as quoted JSON', () => {
    const schema: JSONSchemaProps = { type: 'object', properties: { n: { type: 'integer', enum: [1, 2] } } };
    assert.deepEqual(validateStructural({ n: 3 }, schema).map((c) => c.message), [
      'Unsupported value: 3: supported values: "1", "2"',
    ]);
  });

  it('reports type mismatches as FieldValueTypeInvalid with the JSON type name', () => {
    assert.deepEqual(causes({ replicas: 'string' }), [{
      reason: 'FieldValueTypeInvalid', field: 'spec.replicas',
      message: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    }]);
    assert.deepEqual(causes({ enabled: 'yes', ports: {} }).map((c) => c.message), [
      'Invalid value: "string": spec.enabled in body must be of type boolean: "string"',
      'Invalid value: "object": spec.ports in body must be of type array: "object"',
    ]);
  });

  it('reports a fractional number for an integer, with the range error kube-openapi adds', () => {
    assert.deepEqual(causes({ replicas: 2.5 }), [
      {
        reason: 'FieldValueTypeInvalid', field: 'spec.replicas',
        message: 'Invalid value: "number": spec.replicas in body must be of type integer: "number"',
      },
      {
        reason: 'FieldValueInvalid', field: '<nil>',
        message: 'Invalid value: "": Checked value must be of type integer (default format) in spec.replicas',
      },
    ]);
  });

  it('accepts an integer where a number is declared', () => {
    assert.deepEqual(causes({ weight: 1 }), []);
  });

  it('compares integers with the bound truncated to an integer, as kube-openapi does', () => {
    assert.deepEqual(causes({ ratio: 1 }).map((c) => c.message), ['Invalid value: 1: spec.ratio in body should be less than 1']);
    assert.deepEqual(causes({ ratio: 1.25 }), []);
  });

  it('checks int32 ranges', () => {
    assert.deepEqual(causes({ count32: 2147483647 }), []);
    assert.deepEqual(causes({ count32: 2147483648 }).map((c) => c.message), [
      'Invalid value: "": Checked value must be of type integer with format int32 in spec.count32',
    ]);
  });

  it('reports null for non-nullable fields and accepts it for nullable ones', () => {
    assert.deepEqual(causes({ replicas: null }), [{
      reason: 'FieldValueTypeInvalid', field: 'spec.replicas',
      message: 'Invalid value: "null": spec.replicas in body must be of type integer: "null"',
    }]);
    assert.deepEqual(causes({ nickname: null }), []);
  });

  it('reports string length and pattern errors', () => {
    assert.deepEqual(causes({ image: 'x'.repeat(21) }), [
      { reason: 'FieldValueTooLong', field: 'spec.image', message: 'Too long: may not be more than 20 bytes' },
    ]);
    assert.deepEqual(causes({ image: 'ab' }), [
      { reason: 'FieldValueInvalid', field: 'spec.image', message: 'Invalid value: "ab": spec.image in body should be at least 3 chars long' },
    ]);
    assert.deepEqual(causes({ image: 'NGINX' }), [{
      reason: 'FieldValueInvalid', field: 'spec.image',
      message: 'Invalid value: "NGINX": spec.image in body should match \'^[a-z0-9./:-]+$\'',
    }]);
  });

  it('counts characters, not UTF-16 units, for lengths', () => {
    const schema: JSONSchemaProps = { type: 'object', properties: { s: { type: 'string', maxLength: 2 } } };
    assert.deepEqual(validateStructural({ s: '😀😀' }, schema), []);
  });

  it('reports multipleOf', () => {
    assert.deepEqual(causes({ step: 7 }).map((c) => c.message), ['Invalid value: 7: spec.step in body should be a multiple of 5']);
    assert.deepEqual(causes({ step: 10 }), []);
  });

  it('reports array sizes and item paths', () => {
    assert.deepEqual(causes({ ports: [] }), [{
      reason: 'FieldValueInvalid', field: 'spec.ports', message: 'Invalid value: 0: spec.ports in body should have at least 1 items',
    }]);
    const four = [1, 2, 3, 4].map((n) => ({ name: `p${n}` }));
    assert.deepEqual(causes({ ports: four }), [
      { reason: 'FieldValueTooMany', field: 'spec.ports', message: 'Too many: 4: must have at most 3 items' },
    ]);
    assert.deepEqual(causes({ ports: [{ name: 'a' }, { port: 'x' }] }), [
      {
        reason: 'FieldValueTypeInvalid', field: 'spec.ports[1].port',
        message: 'Invalid value: "string": spec.ports[1].port in body must be of type integer: "string"',
      },
      { reason: 'FieldValueRequired', field: 'spec.ports[1].name', message: 'Required value' },
    ]);
  });

  it('validates additionalProperties schemas and property counts', () => {
    assert.deepEqual(causes({ labels: { a: 'x', b: 1 } }).map((c) => [c.field, c.message]), [
      ['spec.labels.b', 'Invalid value: "integer": spec.labels.b in body must be of type string: "integer"'],
    ]);
    assert.deepEqual(causes({ labels: { a: 'x', b: 'y', c: 'z' } }), [
      { reason: 'FieldValueTooMany', field: 'spec.labels', message: 'Too many: 3: must have at most 2 items' },
    ]);
    assert.deepEqual(causes({ labels: {} }).map((c) => c.message), [
      'Invalid value: 0: spec.labels in body should have at least 1 properties',
    ]);
  });

  it('reports forbidden properties when additionalProperties is false', () => {
    assert.deepEqual(causes({ strict: { a: 'x', b: 'y' } }), [{
      reason: 'FieldValueInvalid', field: 'spec.strict', message: 'Invalid value: "b": spec.strict.b in body is a forbidden property',
    }]);
  });

  it('accepts integers and strings for x-kubernetes-int-or-string and rejects the rest', () => {
    assert.deepEqual(causes({ port: 8080 }), []);
    assert.deepEqual(causes({ port: 'http' }), []);
    assert.deepEqual(causes({ port: true }), [{
      reason: 'FieldValueTypeInvalid', field: 'spec.port',
      message: 'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    }]);
  });

  it('validates the anyOf pair generated for int-or-string', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: { port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } },
    };
    assert.deepEqual(validateStructural({ port: 'http' }, schema), []);
    assert.deepEqual(validateStructural({ port: 1.5 }, schema).map((c) => [c.field, c.message]), [
      ['port', 'Invalid value: "number": port in body must be of type integer,string: "number"'],
      ['<nil>', 'Invalid value: "": "port" must validate at least one schema (anyOf)'],
      ['port', 'Invalid value: "number": port in body must be of type integer: "number"'],
      ['<nil>', 'Invalid value: "": Checked value must be of type integer (default format) in port'],
    ]);
  });

  it('reports oneOf, allOf and not with the validation root as field', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { a: { type: 'string' }, b: { type: 'string' } },
          oneOf: [{ required: ['a'] }, { required: ['b'] }],
          not: { required: ['c'] },
          allOf: [{ properties: { a: { maxLength: 1 } } }],
        },
      },
    };
    assert.deepEqual(validateStructural({ spec: { a: 'x' } }, schema), []);
    assert.deepEqual(validateStructural({ spec: { a: 'x', b: 'y' } }, schema).map((c) => c.message), [
      'Invalid value: "": "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives',
    ]);
    assert.deepEqual(validateStructural({ spec: { c: 'x' } }, schema).map((c) => [c.field, c.message]), [
      ['<nil>', 'Invalid value: "": "spec" must validate one and only one schema (oneOf). Found none valid'],
      ['spec.a', 'Required value'],
      ['<nil>', 'Invalid value: "": "spec" must not validate the schema (not)'],
    ]);
    assert.deepEqual(validateStructural({ spec: { a: 'xy' } }, schema).map((c) => [c.field, c.message]), [
      ['spec.a', 'Too long: may not be more than 1 byte'],
      ['<nil>', 'Invalid value: "": "spec" must validate all the schemas (allOf). None validated'],
    ]);
  });

  it('prefixes fields with the given path, as for a status-only validation', () => {
    const status: JSONSchemaProps = { type: 'object', properties: { phase: { type: 'string', enum: ['Running'] } } };
    assert.deepEqual(validateStructural({ phase: 'Gone' }, status, 'status'), [{
      reason: 'FieldValueNotSupported', field: 'status.phase', message: 'Unsupported value: "Gone": supported values: "Running"',
    }]);
  });

  it('reports a wrongly typed root on the root field', () => {
    assert.deepEqual(validateStructural('x', { type: 'object' }), [
      { reason: 'FieldValueTypeInvalid', field: '<nil>', message: 'Invalid value: "string":  in body must be of type object: "string"' },
    ]);
  });

  it('accepts anything under x-kubernetes-preserve-unknown-fields without a type', () => {
    const schema: JSONSchemaProps = { type: 'object', properties: { blob: { 'x-kubernetes-preserve-unknown-fields': true } } };
    assert.deepEqual(validateStructural({ blob: { any: [1, 'two'] } }, schema), []);
    assert.deepEqual(validateStructural({ blob: 3 }, schema), []);
  });
});

describe('validateStructural: formats', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      at: { type: 'string', format: 'date-time' },
      day: { type: 'string', format: 'date' },
      data: { type: 'string', format: 'byte' },
      id: { type: 'string', format: 'uuid' },
      custom: { type: 'string', format: 'my-own-format' },
    },
  };

  it('accepts well-formed values and ignores unknown formats', () => {
    const value = { at: '2024-05-01T10:20:30Z', day: '2024-02-29', data: 'aGVsbG8=', id: '123e4567-e89b-12d3-a456-426614174000', custom: '??' };
    assert.deepEqual(validateStructural(value, schema), []);
  });

  it('reports malformed values as type errors naming the format', () => {
    assert.deepEqual(validateStructural({ at: 'yesterday', day: '2023-02-29' }, schema), [
      { reason: 'FieldValueTypeInvalid', field: 'at', message: 'Invalid value: "yesterday": at in body must be of type date-time: "yesterday"' },
      { reason: 'FieldValueTypeInvalid', field: 'day', message: 'Invalid value: "2023-02-29": day in body must be of type date: "2023-02-29"' },
    ]);
  });

  it('reports a non-string value for a formatted string by its own format', () => {
    assert.deepEqual(validateStructural({ at: 5 }, schema).map((c) => c.message), [
      'Invalid value: "int64": at in body must be of type date-time: "int64"',
    ]);
  });
});

describe('validateStructural: list types and embedded resources', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } },
          },
          routes: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['host', 'path'],
            items: { type: 'object', properties: { host: { type: 'string' }, path: { type: 'string' } } },
          },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    },
  };

  it('reports repeated set items once, at the second occurrence', () => {
    assert.deepEqual(validateStructural({ spec: { tags: ['a', 'b', 'a', 'a'] } }, schema), [
      { reason: 'FieldValueDuplicate', field: 'spec.tags[2]', message: 'Duplicate value: "a"' },
    ]);
  });

  it('reports repeated map keys with the key as value', () => {
    const ports = [{ name: 'http', port: 80 }, { name: 'http', port: 8080 }];
    assert.deepEqual(validateStructural({ spec: { ports } }, schema), [
      { reason: 'FieldValueDuplicate', field: 'spec.ports[1]', message: 'Duplicate value: {"name":"http"}' },
    ]);
    const routes = [{ host: 'a', path: '/' }, { host: 'a', path: '/x' }, { path: '/', host: 'a' }];
    assert.deepEqual(validateStructural({ spec: { routes } }, schema), [
      { reason: 'FieldValueDuplicate', field: 'spec.routes[2]', message: 'Duplicate value: {"host":"a","path":"/"}' },
    ]);
  });

  it('treats items without the key as sharing one unspecified key', () => {
    assert.deepEqual(validateStructural({ spec: { ports: [{ port: 1 }, { port: 2 }] } }, schema), [
      { reason: 'FieldValueDuplicate', field: 'spec.ports[1]', message: 'Duplicate value: {}' },
    ]);
  });

  it('requires apiVersion and kind in embedded resources', () => {
    assert.deepEqual(validateStructural({ spec: { template: { metadata: {} } } }, schema), [
      { reason: 'FieldValueRequired', field: 'spec.template.apiVersion', message: 'Required value' },
      { reason: 'FieldValueRequired', field: 'spec.template.kind', message: 'Required value' },
    ]);
    assert.deepEqual(validateStructural({ spec: { template: { apiVersion: 'v1', kind: 'Pod' } } }, schema), []);
    assert.deepEqual(validateStructural({ spec: { template: { apiVersion: 1, kind: '' } } }, schema), [
      { reason: 'FieldValueInvalid', field: 'spec.template.apiVersion', message: 'Invalid value: 1: must be a string' },
      { reason: 'FieldValueInvalid', field: 'spec.template.kind', message: 'Invalid value: "": must not be empty' },
    ]);
  });
});
