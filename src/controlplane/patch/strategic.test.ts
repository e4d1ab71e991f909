import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../apimachinery/errors.ts';
import { applyStrategicMergePatch } from './strategic.ts';
import { fieldMetaAt, strategicMergeKind } from './strategic-merge-keys.ts';

const POD = 'v1/Pod';
const DEPLOYMENT = 'apps/v1/Deployment';

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...metadata }, spec };
}

function names(list: Array<{ name: string }>): string[] {
  return list.map((item) => item.name);
}

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

describe('strategic merge: lists with merge keys', () => {
  it('merges containers by name, keeping the containers the patch does not name', () => {
    const original = pod({ containers: [{ name: 'a', image: 'nginx:1', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'redis' }] });
    const result = applyStrategicMergePatch(original, { spec: { containers: [{ name: 'a', image: 'nginx:2' }] } }, POD) as any;
    assert.deepEqual(result.spec.containers, [
      { name: 'a', image: 'nginx:2', ports: [{ containerPort: 80 }] },
      { name: 'b', image: 'redis' },
    ]);
  });

  it('puts a container the patch adds before the server-only ones, as apimachinery orders them', () => {
    const original = pod({ containers: [{ name: 'a' }, { name: 'b' }] });
    const result = applyStrategicMergePatch(original, { spec: { containers: [{ name: 'c', image: 'x' }] } }, POD) as any;
    assert.deepEqual(names(result.spec.containers), ['c', 'a', 'b']);
  });

  it('keeps the patch order for named items and live order for the rest (apimachinery test case)', () => {
    const original = pod({ containers: [{ name: '1' }, { name: '2', image: 'b' }, { name: '3' }] });
    const result = applyStrategicMergePatch(original, { spec: { containers: [{ name: '3', image: 'c' }, { name: '1', image: 'a' }] } }, POD) as any;
    assert.deepEqual(result.spec.containers, [{ name: '2', image: 'b' }, { name: '3', image: 'c' }, { name: '1', image: 'a' }]);
  });

  it('merges env by name inside a container', () => {
    const original = pod({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }] });
    const patch = { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: 'changed' }, { name: 'Z', value: '3' }] }] } };
    const result = applyStrategicMergePatch(original, patch, POD) as any;
    const env = result.spec.containers[0].env;
    assert.deepEqual(Object.fromEntries(env.map((e: any) => [e.name, e.value])), { X: '1', Y: 'changed', Z: '3' });
  });

  it('merges container ports by containerPort, volumeMounts by mountPath and volumes by name', () => {
    const original = pod({
      containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ mountPath: '/data', name: 'v1' }] }],
      volumes: [{ name: 'v1', emptyDir: {} }],
    });
    const patch = {
      spec: {
        containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }], volumeMounts: [{ mountPath: '/cache', name: 'v2' }] }],
        volumes: [{ name: 'v2', emptyDir: {} }],
      },
    };
    const result = applyStrategicMergePatch(original, patch, POD) as any;
    const container = result.spec.containers[0];
    assert.deepEqual(container.ports, [{ containerPort: 80, name: 'web' }, { containerPort: 443 }]);
    assert.deepEqual(container.volumeMounts.map((m: any) => m.mountPath).sort(), ['/cache', '/data']);
    assert.deepEqual(names(result.spec.volumes).sort(), ['v1', 'v2']);
  });

  it('reaches the pod template of a Deployment', () => {
    const original = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] } } },
    };
    const result = applyStrategicMergePatch(original, { spec: { template: { spec: { containers: [{ name: 'b', image: '2' }] } } } }, DEPLOYMENT) as any;
    assert.deepEqual(result.spec.template.spec.containers, [{ name: 'a', image: '1' }, { name: 'b', image: '2' }]);
  });

  it('merges metadata.ownerReferences by uid and status conditions by type', () => {
    const original = pod({}, { ownerReferences: [{ uid: 'u1', name: 'rs1', kind: 'ReplicaSet', apiVersion: 'apps/v1' }] });
    (original as any).status = { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] };
    const patch = {
      metadata: { ownerReferences: [{ uid: 'u2', name: 'rs2', kind: 'ReplicaSet', apiVersion: 'apps/v1' }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    };
    const result = applyStrategicMergePatch(original, patch, POD) as any;
    assert.deepEqual(result.metadata.ownerReferences.map((o: any) => o.uid).sort(), ['u1', 'u2']);
    assert.deepEqual(result.status.conditions.find((c: any) => c.type === 'Ready').status, 'True');
    assert.equal(result.status.conditions.length, 2);
  });

  it('merges Service ports by port', () => {
    const original = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }] } };
    const result = applyStrategicMergePatch(original, { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443 }] } }, 'v1/Service') as any;
    assert.deepEqual(result.spec.ports, [{ port: 80, targetPort: 9090 }, { port: 443 }]);
  });

  it('merges finalizers as a set of scalars', () => {
    const original = pod({}, { finalizers: ['a', 'b'] });
    const result = applyStrategicMergePatch(original, { metadata: { finalizers: ['b', 'c'] } }, POD) as any;
    assert.deepEqual(result.metadata.finalizers, ['a', 'b', 'c']);
  });
});

describe('strategic merge: replaced lists and maps', () => {
  it('replaces a list without a merge key (args) and tolerations, which Kubernetes keeps atomic', () => {
    const original = pod({ containers: [{ name: 'a', args: ['x', 'y'] }], tolerations: [{ key: 'k1', operator: 'Exists' }] });
    const patch = { spec: { containers: [{ name: 'a', args: ['z'] }], tolerations: [{ key: 'k2', operator: 'Exists' }] } };
    const result = applyStrategicMergePatch(original, patch, POD) as any;
    assert.deepEqual(result.spec.containers[0].args, ['z']);
    assert.deepEqual(result.spec.tolerations, [{ key: 'k2', operator: 'Exists' }]);
  });

  it('replaces Node taints (atomic in Kubernetes) but merges podCIDRs', () => {
    const original = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, spec: { taints: [{ key: 'a', effect: 'NoSchedule' }], podCIDRs: ['10.0.0.0/24'] } };
    const patch = { spec: { taints: [{ key: 'b', effect: 'NoSchedule' }], podCIDRs: ['10.0.1.0/24'] } };
    const result = applyStrategicMergePatch(original, patch, 'v1/Node') as any;
    assert.deepEqual(result.spec.taints, [{ key: 'b', effect: 'NoSchedule' }]);
    // New scalars go before the server-only ones, as in apimachinery.
    assert.deepEqual(result.spec.podCIDRs, ['10.0.1.0/24', '10.0.0.0/24']);
  });

  it('replaces a PodDisruptionBudget selector whole (patchStrategy replace)', () => {
    const original = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { selector: { matchLabels: { a: '1' } } } };
    const result = applyStrategicMergePatch(original, { spec: { selector: { matchLabels: { b: '2' } } } }, 'policy/v1/PodDisruptionBudget') as any;
    assert.deepEqual(result.spec.selector, { matchLabels: { b: '2' } });
  });

  it('deletes a label with null and merges the others', () => {
    const original = pod({}, { labels: { a: '1', b: '2' } });
    const result = applyStrategicMergePatch(original, { metadata: { labels: { a: null, c: '3' } } }, POD) as any;
    assert.deepEqual(result.metadata.labels, { b: '2', c: '3' });
  });

  it('drops nulls inside values that are new to the object', () => {
    const result = applyStrategicMergePatch(pod({}), { spec: { nodeSelector: { a: '1', b: null } } }, POD) as any;
    assert.deepEqual(result.spec.nodeSelector, { a: '1' });
  });
});

describe('strategic merge: directives', () => {
  it('$patch: delete on a list item removes the item with that merge key', () => {
    const original = pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
    const result = applyStrategicMergePatch(original, { spec: { containers: [{ name: 'b', $patch: 'delete' }] } }, POD) as any;
    assert.deepEqual(names(result.spec.containers), ['a', 'c']);
  });

  it('$patch: delete and a merge in the same list', () => {
    const original = pod({ containers: [{ name: 'a', image: '1' }, { name: 'b' }] });
    const patch = { spec: { containers: [{ name: 'a', $patch: 'delete' }, { name: 'b', image: '2' }] } };
    assert.deepEqual((applyStrategicMergePatch(original, patch, POD) as any).spec.containers, [{ name: 'b', image: '2' }]);
  });

  it('a {"$patch":"replace"} item replaces the whole merged list', () => {
    const original = pod({ containers: [{ name: 'a', image: '1' }, { name: 'b' }] });
    const patch = { spec: { containers: [{ name: 'c', image: '3' }, { $patch: 'replace' }] } };
    assert.deepEqual((applyStrategicMergePatch(original, patch, POD) as any).spec.containers, [{ name: 'c', image: '3' }]);
  });

  it('$patch: replace on a map replaces it instead of merging', () => {
    const original = pod({ nodeSelector: { a: '1', b: '2' } });
    const result = applyStrategicMergePatch(original, { spec: { nodeSelector: { c: '3', $patch: 'replace' } } }, POD) as any;
    assert.deepEqual(result.spec.nodeSelector, { c: '3' });
  });

  it('$patch: delete on a map empties it', () => {
    const original = pod({}, { labels: { a: '1' } });
    const result = applyStrategicMergePatch(original, { metadata: { labels: { $patch: 'delete' } } }, POD) as any;
    assert.deepEqual(result.metadata.labels, {});
  });

  it('$deleteFromPrimitiveList removes finalizers', () => {
    const original = pod({}, { finalizers: ['a', 'b', 'c'] });
    const result = applyStrategicMergePatch(original, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'x'] } }, POD) as any;
    assert.deepEqual(result.metadata.finalizers, ['a', 'c']);
  });

  it('$deleteFromPrimitiveList with additions in the same patch', () => {
    const original = pod({}, { finalizers: ['a', 'b'] });
    const patch = { metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'] } };
    assert.deepEqual((applyStrategicMergePatch(original, patch, POD) as any).metadata.finalizers.sort(), ['b', 'c']);
  });

  it('$deleteFromPrimitiveList on an absent list adds nothing', () => {
    const result = applyStrategicMergePatch(pod({}), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, POD) as any;
    assert.equal(result.metadata.finalizers, undefined);
  });

  it('$setElementOrder orders the merged list, server-only items kept', () => {
    const original = pod({ containers: [{ name: 'a' }, { name: 'b' }] });
    const patch = {
      spec: {
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'c' }, { name: 'a' }],
        containers: [{ name: 'c', image: 'x' }],
      },
    };
    const result = applyStrategicMergePatch(original, patch, POD) as any;
    assert.deepEqual(names(result.spec.containers), ['b', 'c', 'a']);
    assert.equal(Object.keys(result.spec).some((k) => k.startsWith('$')), false);
  });

  it('$setElementOrder reorders a list the patch does not otherwise touch', () => {
    const original = pod({}, { finalizers: ['a', 'b', 'c'] });
    const result = applyStrategicMergePatch(original, { metadata: { '$setElementOrder/finalizers': ['c', 'a', 'b'] } }, POD) as any;
    assert.deepEqual(result.metadata.finalizers, ['c', 'a', 'b']);
  });

  it('$retainKeys clears the fields it does not list (Deployment strategy switch)', () => {
    const original = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
    };
    const result = applyStrategicMergePatch(original, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, DEPLOYMENT) as any;
    assert.deepEqual(result.spec.strategy, { type: 'Recreate' });
  });

  it('honours directives for kinds it has no metadata for, and replaces their lists', () => {
    const original = {
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', finalizers: ['a'], labels: { x: '1' } },
      spec: { items: [{ name: 'a' }], settings: { keep: true, drop: true } },
    };
    const patch = {
      metadata: { finalizers: ['b'], labels: { $patch: 'replace', y: '2' } },
      spec: { items: [{ name: 'b' }], settings: { drop: null } },
    };
    const result = applyStrategicMergePatch(original, patch, 'example.com/v1/Widget') as any;
    assert.deepEqual(result.metadata.finalizers, ['b', 'a'], 'ObjectMeta metadata applies to every kind');
    assert.deepEqual(result.metadata.labels, { y: '2' });
    assert.deepEqual(result.spec.items, [{ name: 'b' }]);
    assert.deepEqual(result.spec.settings, { keep: true });
  });
});

describe('strategic merge: errors (kube-apiserver statuses)', () => {
  it('400 for a body that is not an object', () => {
    const err = statusErrorOf(() => applyStrategicMergePatch(pod({}), [1], POD), 400);
    assert.equal(err.message, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  });

  it('a null body changes nothing', () => {
    assert.deepEqual(applyStrategicMergePatch(pod({ a: 1 }), null, POD), pod({ a: 1 }));
  });

  it('400 for malformed $retainKeys, and for a patch key it does not list', () => {
    const original = pod({});
    assert.equal(statusErrorOf(() => applyStrategicMergePatch(original, { spec: { $retainKeys: 'x' } }, POD), 400).message,
      'invalid patch format of retainKeys');
    statusErrorOf(() => applyStrategicMergePatch(original, { spec: { $retainKeys: ['a'], b: 1 } }, POD), 400);
  });

  it('400 for a directive key without a field', () => {
    assert.equal(statusErrorOf(() => applyStrategicMergePatch(pod({}), { metadata: { $deleteFromPrimitiveList: ['a'] } }, POD), 400).message,
      'invalid patch format of primitive list');
    assert.equal(statusErrorOf(() => applyStrategicMergePatch(pod({}), { metadata: { $setElementOrder: ['a'] } }, POD), 400).message,
      'invalid patch format of setElementOrder list');
  });

  it('500 with the raw message for an item without its merge key', () => {
    const original = pod({ containers: [{ name: 'a' }] });
    const err = statusErrorOf(() => applyStrategicMergePatch(original, { spec: { containers: [{ image: 'x' }] } }, POD), 500);
    assert.equal(err.reason, '');
    assert.equal(err.message, 'map: map[image:x] does not contain declared merge key: name');
  });

  it('500 for an unknown $patch value', () => {
    const err = statusErrorOf(() => applyStrategicMergePatch(pod({}), { spec: { $patch: 'explode' } }, POD), 500);
    assert.equal(err.message, 'unknown patch type: explode in map: map[$patch:explode]');
    statusErrorOf(() => applyStrategicMergePatch(pod({ containers: [{ name: 'a' }] }), { spec: { containers: [{ name: 'a', $patch: 'merge' }] } }, POD), 500);
  });

  it('422 for lists of lists in a merged list', () => {
    const err = statusErrorOf(() => applyStrategicMergePatch(pod({}, { finalizers: ['a'] }), { metadata: { finalizers: [['b']] } }, POD), 422);
    assert.equal(err.reason, 'Invalid');
  });

  it('never mutates the original or the patch', () => {
    const original = pod({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] }, { finalizers: ['f'], labels: { a: '1' } });
    const patch = {
      metadata: { labels: { a: null }, '$deleteFromPrimitiveList/finalizers': ['f'] },
      spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '2' }] }, { name: 'b', $patch: 'delete' }] },
    };
    const originalBefore = structuredClone(original);
    const patchBefore = structuredClone(patch);
    const result = applyStrategicMergePatch(original, patch, POD) as any;
    assert.deepEqual(original, originalBefore);
    assert.deepEqual(patch, patchBefore);
    assert.equal(result.spec.containers[0].env[0].value, '2');
  });
});

describe('strategic merge key table', () => {
  it('builds kind keys and answers per field path', () => {
    assert.equal(strategicMergeKind('apps', 'v1', 'Deployment'), DEPLOYMENT);
    assert.equal(strategicMergeKind('', 'v1', 'Pod'), POD);
    assert.equal(fieldMetaAt(DEPLOYMENT, ['spec', 'template', 'spec', 'containers', 'env'])?.mergeKey, 'name');
    assert.deepEqual(fieldMetaAt(POD, ['spec', 'topologySpreadConstraints'])?.listMapKeys, ['topologyKey', 'whenUnsatisfiable']);
    assert.equal(fieldMetaAt(POD, ['spec', 'hostAliases'])?.mergeKey, 'ip');
    assert.equal(fieldMetaAt(POD, ['spec', 'tolerations']), undefined);
    assert.equal(fieldMetaAt('batch/v1/CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'initContainers'])?.mergeKey, 'name');
    assert.equal(fieldMetaAt(POD, ['spec', 'constructor']), undefined, 'prototype members are not fields');
  });
});
