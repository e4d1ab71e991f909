import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prune, type JSONSchemaProps } from './structural.ts';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        image: { type: 'string' },
        ports: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        env: { type: 'object', additionalProperties: { type: 'object', properties: { value: { type: 'string' } } } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
        blobs: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        template: {
          type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true,
        },
        strictTemplate: {
          type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } },
        },
        nickname: { type: 'string' },
        nullableName: { type: 'string', nullable: true },
        defaulted: { type: 'string', default: 'd' },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
};

describe('prune', () => {
  it('keeps apiVersion, kind and metadata at the root and drops unknown fields with their paths', () => {
    const input = {
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } },
      spec: { image: 'nginx', foo: 1, ports: [{ name: 'http', protocl: 'TCP' }] },
      status: { phase: 'Running', bar: true },
      top: 1,
    };
    const { value, unknownFields } = prune(input, schema);
    assert.deepEqual(value, {
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } },
      spec: { image: 'nginx', ports: [{ name: 'http' }] },
      status: { phase: 'Running' },
    });
    assert.deepEqual(unknownFields, ['spec.foo', 'spec.ports[0].protocl', 'status.bar', 'top']);
  });

  it('does not modify its input', () => {
    const input = { spec: { image: 'x', foo: 1 } };
    prune(input, schema);
    assert.deepEqual(input, { spec: { image: 'x', foo: 1 } });
  });

  it('reduces root metadata to ObjectMeta fields and reports the rest', () => {
    const input = {
      metadata: {
        name: 'w', bogus: 1, annotations: { x: 'y' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u', extra: 1 }],
      },
    };
    const { value, unknownFields } = prune(input, schema);
    assert.deepEqual(value, {
      metadata: { name: 'w', annotations: { x: 'y' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u' }] },
    });
    assert.deepEqual(unknownFields, ['metadata.bogus', 'metadata.ownerReferences[0].extra']);
  });

  it('prunes map values against additionalProperties', () => {
    const { value, unknownFields } = prune({ spec: { env: { A: { value: '1', secret: true } } } }, schema);
    assert.deepEqual(value, { spec: { env: { A: { value: '1' } } } });
    assert.deepEqual(unknownFields, ['spec.env.A.secret']);
  });

  it('keeps unknown fields under x-kubernetes-preserve-unknown-fields but prunes its specified properties', () => {
    const input = { spec: { extra: { anything: { deep: [1, { x: 2 }] }, known: { a: 'k', b: 'dropped' } } } };
    const { value, unknownFields } = prune(input, schema);
    assert.deepEqual(value, { spec: { extra: { anything: { deep: [1, { x: 2 }] }, known: { a: 'k' } } } });
    assert.deepEqual(unknownFields, ['spec.extra.known.b']);
  });

  it('keeps everything inside preserved list items', () => {
    const { value, unknownFields } = prune({ spec: { blobs: [{ a: 1 }, { b: { c: 2 } }] } }, schema);
    assert.deepEqual(value, { spec: { blobs: [{ a: 1 }, { b: { c: 2 } }] } });
    assert.deepEqual(unknownFields, []);
  });

  it('treats embedded resources like a root: type meta kept, metadata coerced', () => {
    const input = {
      spec: {
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', wrong: 1 }, spec: { containers: [] } },
        strictTemplate: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: {} }, spec: { x: 'y', z: 1 }, other: 2 },
      },
    };
    const { value, unknownFields } = prune(input, schema);
    assert.deepEqual(value, {
      spec: {
        template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } },
        strictTemplate: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: {} }, spec: { x: 'y' } },
      },
    });
    assert.deepEqual(unknownFields, ['spec.strictTemplate.other', 'spec.strictTemplate.spec.z', 'spec.template.metadata.wrong']);
  });

  it('drops nulls the schema neither allows nor defaults, silently', () => {
    const { value, unknownFields } = prune({ spec: { nickname: null, nullableName: null, defaulted: null } }, schema);
    assert.deepEqual(value, { spec: { nullableName: null, defaulted: null } });
    assert.deepEqual(unknownFields, []);
  });

  it('drops type meta silently when the value is not a resource root', () => {
    const { value, unknownFields } = prune({ apiVersion: 'v1', image: 'x', foo: 1 }, schema.properties!.spec, { isResourceRoot: false });
    assert.deepEqual(value, { image: 'x' });
    assert.deepEqual(unknownFields, ['foo']);
  });

  it('keeps the whole object under a preserve-unknown-fields root', () => {
    const open: JSONSchemaProps = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const input = { apiVersion: 'a/v1', kind: 'K', metadata: { name: 'n' }, spec: { anything: 1 } };
    assert.deepEqual(prune(input, open), { value: input, unknownFields: [] });
  });
});
