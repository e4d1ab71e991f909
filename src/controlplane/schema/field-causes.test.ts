import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  badValue, duplicateCause, goJson, goNumber, invalidCause, notSupportedCause, requiredCause, tooLongCause, tooManyCause, typeInvalidCause,
} from './field-causes.ts';

describe('field causes', () => {
  it('prints bad values as apimachinery does', () => {
    assert.equal(badValue(11), '11');
    assert.equal(badValue(1.5), '1.5');
    assert.equal(badValue(true), 'true');
    assert.equal(badValue('x'), '"x"');
    assert.equal(badValue(null), 'null');
    assert.equal(badValue({ b: 1, a: [1, 'x'] }), '{"a":[1,"x"],"b":1}');
  });

  it('prints floats like Go %v and JSON like Go json.Marshal', () => {
    assert.equal(goNumber(0.00001), '1e-05');
    assert.equal(goNumber(1e21), '1e+21');
    assert.equal(goNumber(0.5), '0.5');
    assert.equal(goJson('<a&b>'), '"\\u003ca\\u0026b\\u003e"');
  });

  it('builds each cause with its reason and message body', () => {
    assert.deepEqual(invalidCause('spec.x', 3, 'too big'), { reason: 'FieldValueInvalid', field: 'spec.x', message: 'Invalid value: 3: too big' });
    assert.deepEqual(typeInvalidCause('spec.x', 'string', 'd'), { reason: 'FieldValueTypeInvalid', field: 'spec.x', message: 'Invalid value: "string": d' });
    assert.deepEqual(requiredCause('spec.x'), { reason: 'FieldValueRequired', field: 'spec.x', message: 'Required value' });
    assert.deepEqual(notSupportedCause('spec.x', 'c', ['a', 'b']), {
      reason: 'FieldValueNotSupported', field: 'spec.x', message: 'Unsupported value: "c": supported values: "a", "b"',
    });
    assert.deepEqual(tooLongCause('spec.x', 1), { reason: 'FieldValueTooLong', field: 'spec.x', message: 'Too long: may not be more than 1 byte' });
    assert.deepEqual(tooManyCause('spec.x', 3, 2), { reason: 'FieldValueTooMany', field: 'spec.x', message: 'Too many: 3: must have at most 2 items' });
    assert.deepEqual(duplicateCause('spec.x[1]', { name: 'a' }), { reason: 'FieldValueDuplicate', field: 'spec.x[1]', message: 'Duplicate value: {"name":"a"}' });
  });
});
