import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../apimachinery/errors.ts';
import { applyMergePatch, assertMergePatchBody } from './mergepatch.ts';

describe('applyMergePatch', () => {
  // RFC 7386 Appendix A, every row.
  const rfcExamples: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, expected] of rfcExamples) {
    it(`RFC 7386: ${JSON.stringify(target)} + ${JSON.stringify(patch)}`, () => {
      assert.deepEqual(applyMergePatch(target, patch), expected);
    });
  }

  it('applies the RFC 7386 section 3 example', () => {
    const target = { title: 'Goodbye!', author: { givenName: 'John', familyName: 'Doe' }, tags: ['example', 'sample'], content: 'This will be unchanged' };
    const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
    assert.deepEqual(applyMergePatch(target, patch), {
      title: 'Hello!', author: { givenName: 'John' }, tags: ['example'], content: 'This will be unchanged', phoneNumber: '+01-123-456-7890',
    });
  });

  it('keeps nulls inside arrays (only object members are deletions)', () => {
    assert.deepEqual(applyMergePatch({ a: 1 }, { list: [null, 1] }), { a: 1, list: [null, 1] });
  });

  it('deletes a label and adds another on a Kubernetes object', () => {
    const cm = { metadata: { name: 'c', labels: { a: '1', b: '2' } }, data: { k: 'v' } };
    assert.deepEqual(applyMergePatch(cm, { metadata: { labels: { a: null, c: '3' } } }),
      { metadata: { name: 'c', labels: { b: '2', c: '3' } }, data: { k: 'v' } });
  });

  it('never mutates the target or the patch, and shares no structure with them', () => {
    const target = { spec: { a: { deep: 1 }, list: [1] } };
    const patch = { spec: { b: { added: true }, list: [2] } };
    const before = structuredClone(target);
    const patchBefore = structuredClone(patch);
    const result = applyMergePatch(target, patch) as any;
    assert.deepEqual(target, before);
    assert.deepEqual(patch, patchBefore);
    result.spec.a.deep = 99;
    result.spec.b.added = false;
    assert.equal(target.spec.a.deep, 1);
    assert.equal(patch.spec.b.added, true);
  });

  it('treats a __proto__ key as data, not as the prototype', () => {
    const patch = JSON.parse('{"data":{"__proto__":"x","constructor":"y"}}');
    const result = applyMergePatch({ data: {} }, patch) as any;
    assert.equal(Object.getPrototypeOf(result.data), Object.prototype);
    assert.deepEqual(Object.keys(result.data), ['__proto__', 'constructor']);
    assert.equal(Object.getOwnPropertyDescriptor(result.data, '__proto__')?.value, 'x');
  });
});

describe('assertMergePatchBody', () => {
  it('rejects null and scalars with 400 "Invalid JSON Patch" like kube-apiserver', () => {
    for (const body of [null, 'x', 3, true]) {
      assert.throws(() => assertMergePatchBody(body), (err: unknown) => {
        assert.ok(err instanceof StatusError);
        assert.equal(err.code, 400);
        assert.equal(err.reason, 'BadRequest');
        assert.equal(err.message, 'Invalid JSON Patch');
        return true;
      });
    }
  });

  it('accepts objects and arrays', () => {
    assert.doesNotThrow(() => assertMergePatchBody({}));
    assert.doesNotThrow(() => assertMergePatchBody([]));
  });
});
