import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/object.ts';
import { APPLIED_HASH_ANNOTATION, hasDrifted, isSubset, withAppliedHash } from './drift.ts';

const desired: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { a: '1' } },
  spec: {
    replicas: 1,
    template: { spec: { containers: [{ name: 'c', image: 'i:1', resources: { requests: { memory: '1024Mi', cpu: '1' } }, env: [{ name: 'A', value: 'x' }] }] } },
  },
};

test('server defaults, status and fields of other managers are not drift', () => {
  const observed = structuredClone(desired);
  observed.metadata.uid = 'u';
  observed.metadata.labels!.extra = 'y';
  observed.spec.template.spec.containers[0].imagePullPolicy = 'IfNotPresent';
  observed.spec.template.spec.containers[0].env.push({ name: 'ADDED', value: 'by-hand' });
  observed.spec.template.spec.containers.push({ name: 'sidecar', image: 'mesh' });
  observed.status = { readyReplicas: 1 };
  assert.equal(isSubset(desired, observed), true);
});

test('quantities compare by value', () => {
  const observed = structuredClone(desired);
  observed.spec.template.spec.containers[0].resources.requests = { memory: '1Gi', cpu: '1000m' };
  assert.equal(isSubset(desired, observed), true);
  observed.spec.template.spec.containers[0].resources.requests.memory = '2Gi';
  assert.equal(isSubset(desired, observed), false);
});

test('a changed value, a missing named item or a different unnamed list is drift', () => {
  const image = structuredClone(desired);
  image.spec.template.spec.containers[0].image = 'evil:1';
  assert.equal(isSubset(desired, image), false);
  const noEnv = structuredClone(desired);
  noEnv.spec.template.spec.containers[0].env = [];
  assert.equal(isSubset(desired, noEnv), false);
  assert.equal(isSubset({ args: ['a', 'b'] }, { args: ['a', 'b', 'c'] }), false);
  assert.equal(isSubset({ replicas: 0 }, { replicas: 1 }), false);
});

test('empty lists and objects equal absent ones, as the API server omits them', () => {
  assert.equal(isSubset({ volumes: [], emptyDir: {} }, {}), true);
});

test('the applied hash changes with the desired object, so a field the controller stopped wanting is noticed', () => {
  const before = withAppliedHash(desired);
  const withoutEnv = structuredClone(desired);
  delete withoutEnv.spec.template.spec.containers[0].env;
  const after = withAppliedHash(withoutEnv);
  assert.notEqual(before.metadata.annotations?.[APPLIED_HASH_ANNOTATION], after.metadata.annotations?.[APPLIED_HASH_ANNOTATION]);
  assert.equal(hasDrifted(after, before), true, 'the old object still has env, but its hash says it was applied from something else');
  assert.equal(hasDrifted(before, before), false);
  assert.equal(hasDrifted(before, undefined), true);
  assert.equal(withAppliedHash(structuredClone(desired)).metadata.annotations?.[APPLIED_HASH_ANNOTATION], before.metadata.annotations?.[APPLIED_HASH_ANNOTATION], 'the same object, the same hash');
});
