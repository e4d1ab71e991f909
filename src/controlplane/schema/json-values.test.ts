import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cloneJson, isPlainObject, jsonEqual, jsonType } from './json-values.ts';

describe('json values', () => {
  it('names JSON types', () => {
    assert.deepEqual([null, true, 1, 1.5, 's', [], {}].map(jsonType), ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object']);
    assert.ok(isPlainObject({}));
    assert.ok(!isPlainObject([]));
    assert.ok(!isPlainObject(null));
  });

  it('compares deeply, ignoring key order', () => {
    assert.ok(jsonEqual({ a: [1, { b: 2 }], c: 'x' }, { c: 'x', a: [1, { b: 2 }] }));
    assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: 2 }));
    assert.ok(!jsonEqual([1, 2], [2, 1]));
    assert.ok(!jsonEqual({ a: undefined }, { b: undefined }));
  });

  it('copies without sharing containers', () => {
    const source = { a: [{ b: 1 }] };
    const copy = cloneJson(source);
    assert.deepEqual(copy, source);
    copy.a[0].b = 2;
    assert.equal(source.a[0].b, 1);
  });
});
