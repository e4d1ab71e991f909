import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldElement, formatPath, keyElement, parseElement, valueElement } from './field-path.ts';
import { FieldSet } from './field-set.ts';

/** managedFields as kube-apiserver wrote them for `kubectl apply --server-side` of an nginx Deployment. */
const KUBE_FIELDS_V1 = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:selector': {},
    'f:template': {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': {
            '.': {}, 'f:image': {}, 'f:name': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          },
        },
      },
    },
  },
};

describe('FieldSet', () => {
  it('decodes fieldsV1: leaves and "."-marked nodes are members, plain parents are not', () => {
    const set = FieldSet.fromFieldsV1(KUBE_FIELDS_V1);
    assert.ok(set.has(['f:spec', 'f:replicas']));
    assert.ok(set.has(['f:spec', 'f:selector']));
    assert.ok(set.has(['f:metadata', 'f:labels']), 'the "." member');
    assert.ok(set.has(['f:metadata', 'f:labels', 'f:app']));
    assert.ok(!set.has(['f:spec']), 'a parent without "." is not owned itself');
    assert.ok(set.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}']));
    assert.equal(set.size, 11);
  });

  it('encodes back to the same fieldsV1', () => {
    assert.deepEqual(FieldSet.fromFieldsV1(KUBE_FIELDS_V1).toFieldsV1(), KUBE_FIELDS_V1);
  });

  it('decodes garbage to the empty set', () => {
    assert.equal(FieldSet.fromFieldsV1('nope').size, 0);
    assert.deepEqual(new FieldSet().toFieldsV1(), {});
  });

  it('answers set algebra and ancestry questions', () => {
    const a = new FieldSet([['f:spec', 'f:replicas'], ['f:metadata', 'f:labels', 'f:app']]);
    const b = new FieldSet([['f:spec', 'f:replicas']]);
    assert.deepEqual(a.difference(b).paths(), [['f:metadata', 'f:labels', 'f:app']]);
    assert.equal(a.union(new FieldSet([['f:x']])).size, 3);
    assert.ok(a.hasWithin(['f:metadata']));
    assert.ok(!a.hasWithin(['f:status']));
    assert.ok(b.coversPath(['f:spec', 'f:replicas', 'f:deeper']));
    assert.ok(!b.coversPath(['f:spec']));
    assert.ok(b.equals(new FieldSet([['f:spec', 'f:replicas']])));
    assert.ok(!a.equals(b));
  });
});

describe('field paths', () => {
  it('spells elements as fieldsV1 keys, with key fields sorted', () => {
    assert.equal(fieldElement('spec'), 'f:spec');
    assert.equal(keyElement({ protocol: 'TCP', containerPort: 80 }), 'k:{"containerPort":80,"protocol":"TCP"}');
    assert.equal(valueElement('kubernetes.io/pvc-protection'), 'v:"kubernetes.io/pvc-protection"');
    assert.deepEqual(parseElement('k:{"name":"c"}'), { kind: 'key', key: { name: 'c' } });
    assert.deepEqual(parseElement('i:3'), { kind: 'index', index: 3 });
    assert.equal(parseElement('k:not json'), undefined);
    assert.equal(parseElement('x:y'), undefined);
  });

  it('formats paths the way structured-merge-diff prints conflicts', () => {
    assert.equal(formatPath(['f:spec', 'f:replicas']), '.spec.replicas');
    assert.equal(formatPath(['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:image']), '.spec.containers[name="c"].image');
    assert.equal(formatPath(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}']), '.spec.ports[port=80,protocol="TCP"]');
    assert.equal(formatPath(['f:metadata', 'f:finalizers', 'v:"x"']), '.metadata.finalizers[="x"]');
    assert.equal(formatPath(['f:list', 'i:2']), '.list[2]');
  });
});
