import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../apimachinery/errors.ts';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './jsonpatch.ts';

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd', labels: { app: 'web' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'redis' }] } } },
});

/** Asserts `fn` throws a StatusError with `code` and returns it. */
function statusErrorOf(fn: () => unknown, code: number): StatusError {
  let caught: unknown;
  assert.throws(fn, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof StatusError, `expected StatusError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  return caught;
}

describe('applyJsonPatch operations', () => {
  it('adds a member and appends to an array with "-"', () => {
    const result = applyJsonPatch(deployment(), [
      { op: 'add', path: '/metadata/labels/tier', value: 'front' },
      { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'c', image: 'busybox' } },
    ]) as any;
    assert.equal(result.metadata.labels.tier, 'front');
    assert.deepEqual(result.spec.template.spec.containers.map((c: any) => c.name), ['a', 'b', 'c']);
  });

  it('inserts into an array at an index', () => {
    const result = applyJsonPatch(deployment(), [{ op: 'add', path: '/spec/template/spec/containers/0', value: { name: 'z' } }]) as any;
    assert.deepEqual(result.spec.template.spec.containers.map((c: any) => c.name), ['z', 'a', 'b']);
  });

  it('removes a member and an array element', () => {
    const result = applyJsonPatch(deployment(), [
      { op: 'remove', path: '/metadata/labels/app' },
      { op: 'remove', path: '/spec/template/spec/containers/0' },
    ]) as any;
    assert.deepEqual(result.metadata.labels, {});
    assert.deepEqual(result.spec.template.spec.containers, [{ name: 'b', image: 'redis' }]);
  });

  it('replaces a value', () => {
    const result = applyJsonPatch(deployment(), [{ op: 'replace', path: '/spec/replicas', value: 5 }]) as any;
    assert.equal(result.spec.replicas, 5);
  });

  it('passes a matching test and then applies the following ops', () => {
    const result = applyJsonPatch(deployment(), [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 2 },
    ]) as any;
    assert.equal(result.spec.replicas, 2);
  });

  it('moves and copies values', () => {
    const result = applyJsonPatch(deployment(), [
      { op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' },
      { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/application' },
    ]) as any;
    assert.deepEqual(result.metadata.annotations, { app: 'web' });
    assert.deepEqual(result.metadata.labels, { application: 'web' });
  });

  it('unescapes ~1 and ~0 in paths', () => {
    const result = applyJsonPatch({ metadata: { annotations: {} } }, [
      { op: 'add', path: '/metadata/annotations/example.com~1a~0b', value: 'v' },
    ]) as any;
    assert.deepEqual(result.metadata.annotations, { 'example.com/a~b': 'v' });
  });

  it('treats a null body as an empty patch, as kube-apiserver decodes it', () => {
    assert.deepEqual(applyJsonPatch(deployment(), null), deployment());
  });

  it('lets a test for null pass on an absent member, like kube-apiserver\'s json-patch library', () => {
    const result = applyJsonPatch(deployment(), [
      { op: 'test', path: '/metadata/annotations', value: null },
      { op: 'add', path: '/metadata/annotations', value: { a: 'b' } },
    ]) as any;
    assert.deepEqual(result.metadata.annotations, { a: 'b' });
  });

  it('never mutates the target or the ops, and does not alias op values into the result', () => {
    const target = deployment();
    const value = { name: 'c', image: 'busybox' };
    const ops = [{ op: 'add', path: '/spec/template/spec/containers/-', value }, { op: 'replace', path: '/spec/replicas', value: 3 }];
    const opsBefore = structuredClone(ops);
    const result = applyJsonPatch(target, ops) as any;
    assert.deepEqual(target, deployment());
    assert.deepEqual(ops, opsBefore);
    result.spec.template.spec.containers[2].image = 'changed';
    assert.equal(value.image, 'busybox');
  });

  it('leaves the target untouched when a later op fails', () => {
    const target = deployment();
    statusErrorOf(() => applyJsonPatch(target, [
      { op: 'replace', path: '/spec/replicas', value: 9 },
      { op: 'test', path: '/spec/replicas', value: 1 },
    ]), 422);
    assert.equal(target.spec.replicas, 1);
  });
});

describe('applyJsonPatch errors (kube-apiserver statuses)', () => {
  it('answers a failing test op with the bare 422 Invalid body', () => {
    const err = statusErrorOf(() => applyJsonPatch(deployment(), [{ op: 'test', path: '/spec/replicas', value: 5 }]), 422);
    assert.deepEqual(err.toStatus(), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'the server rejected our request due to an error in our request', reason: 'Invalid', details: {}, code: 422,
    });
    assert.match(String(err.cause), /test/i, 'the library detail is kept for logs');
  });

  it('answers ops on paths that do not exist with 422', () => {
    const failing = [
      { op: 'remove', path: '/metadata/annotations/x' },
      { op: 'replace', path: '/spec/paused', value: true },
      { op: 'add', path: '/spec/missing/child', value: 1 },
      { op: 'move', from: '/spec/nothing', path: '/spec/x' },
      { op: 'copy', from: '/spec/nothing', path: '/spec/x' },
      { op: 'remove', path: '/spec/template/spec/containers/7' },
      { op: 'test', path: '/spec/missing/child', value: null },
    ];
    for (const op of failing) {
      const err = statusErrorOf(() => applyJsonPatch(deployment(), [op]), 422);
      assert.equal(err.reason, 'Invalid', JSON.stringify(op));
    }
  });

  it('answers unknown ops and ops without a path with 422 (they decode, then fail to apply)', () => {
    statusErrorOf(() => applyJsonPatch(deployment(), [{ op: 'frobnicate', path: '/spec' }]), 422);
    statusErrorOf(() => applyJsonPatch(deployment(), [{ op: 'remove' }]), 422);
    statusErrorOf(() => applyJsonPatch(deployment(), [null]), 422);
  });

  it('answers a body that is not an op array with 400 and the decoder message', () => {
    const err = statusErrorOf(() => applyJsonPatch(deployment(), { op: 'add' }), 400);
    assert.equal(err.reason, 'BadRequest');
    assert.equal(err.message, 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
    assert.equal(statusErrorOf(() => applyJsonPatch(deployment(), 'x'), 400).message,
      'error decoding patch: json: cannot unmarshal string into Go value of type []handlers.jsonPatchOp');
  });

  it('answers a non-object op with 400', () => {
    const err = statusErrorOf(() => applyJsonPatch(deployment(), ['add']), 400);
    assert.equal(err.message, 'error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp');
  });

  it('answers an op member of the wrong JSON type with 400', () => {
    const err = statusErrorOf(() => applyJsonPatch(deployment(), [{ op: 'remove', path: 5 }]), 400);
    assert.equal(err.message, 'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.path of type string');
  });

  it('answers more than 10000 operations with 413', () => {
    const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/kind', value: 'Deployment' }));
    const err = statusErrorOf(() => applyJsonPatch(deployment(), ops), 413);
    assert.equal(err.reason, 'RequestEntityTooLarge');
    assert.equal(err.message, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
  });

  it('refuses prototype pollution through paths', () => {
    statusErrorOf(() => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: true }]), 422);
    assert.equal(({} as any).polluted, undefined);
  });
});
