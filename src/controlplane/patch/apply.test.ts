import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../apimachinery/errors.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../apimachinery/object.ts';
import { recordUpdateManagedFields, serverSideApply, type ApplyInput } from './apply.ts';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';
const T2 = '2024-01-01T00:02:00Z';

interface DeploymentOptions {
  replicas?: number;
  labels?: Record<string, string>;
  containers?: Array<Record<string, unknown>>;
}

function deployment(opts: DeploymentOptions = {}): KubeObject {
  const spec: Record<string, unknown> = {};
  if (opts.replicas !== undefined) spec.replicas = opts.replicas;
  if (opts.containers) spec.template = { spec: { containers: opts.containers } };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', ...(opts.labels ? { labels: opts.labels } : {}) },
    ...(Object.keys(spec).length > 0 ? { spec } : {}),
  };
}

function apply(live: KubeObject | undefined, applied: KubeObject, manager: string, extra: Partial<ApplyInput> = {}): KubeObject {
  return serverSideApply({ live, applied, manager, force: false, apiVersion: 'apps/v1', now: T1, ...extra }).object;
}

function entryOf(obj: KubeObject, manager: string, operation: 'Apply' | 'Update' = 'Apply'): ManagedFieldsEntry | undefined {
  return obj.metadata.managedFields?.find((e) => e.manager === manager && e.operation === operation);
}

function conflictOf(fn: () => unknown): StatusError {
  let caught: unknown;
  assert.throws(fn, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof StatusError, `expected StatusError, got ${String(caught)}`);
  assert.equal(caught.code, 409);
  return caught;
}

describe('serverSideApply: create and re-apply', () => {
  it('creates the object and records an Apply entry owning every applied field', () => {
    const applied = deployment({ replicas: 2, labels: { app: 'web' }, containers: [{ name: 'c1', image: 'nginx' }] });
    const obj = apply(undefined, applied, 'kubectl');
    assert.equal(obj.spec.replicas, 2);
    assert.deepEqual(obj.spec.template.spec.containers, [{ name: 'c1', image: 'nginx' }]);
    assert.deepEqual(obj.metadata.managedFields, [{
      manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"c1"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
        },
      },
    }]);
  });

  it('does not track or take server-owned metadata from the configuration', () => {
    const applied = deployment({ replicas: 1 });
    Object.assign(applied.metadata, { uid: 'forged', resourceVersion: '99', generation: 7, managedFields: [{ manager: 'x' }] });
    const live = { ...deployment({ replicas: 1 }), metadata: { name: 'web', namespace: 'ns', uid: 'real', resourceVersion: '5' } };
    const obj = apply(live, applied, 'm');
    assert.equal(obj.metadata.uid, 'real');
    assert.equal(obj.metadata.resourceVersion, '5');
    assert.equal(obj.metadata.generation, undefined);
    assert.deepEqual(entryOf(obj, 'm')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(obj.metadata.managedFields?.length, 1);
  });

  it('removes a field the manager applied before and now omits', () => {
    const first = apply(undefined, deployment({ replicas: 2, labels: { app: 'web', tier: 'front' } }), 'kubectl');
    const second = apply(first, deployment({ replicas: 2, labels: { app: 'web' } }), 'kubectl', { now: T2 });
    assert.deepEqual(second.metadata.labels, { app: 'web' });
    assert.deepEqual(entryOf(second, 'kubectl')?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } });
    assert.equal(entryOf(second, 'kubectl')?.time, T2);
  });

  it('removes a map emptied by the removal, but keeps top-level fields', () => {
    const first = apply(undefined, deployment({ replicas: 2, labels: { app: 'web' } }), 'kubectl');
    const second = apply(first, deployment(), 'kubectl');
    assert.equal(second.metadata.labels, undefined);
    assert.deepEqual(second.spec, {});
    assert.equal(second.metadata.managedFields, undefined, 'an apply owning nothing leaves no entry');
  });

  it('keeps an omitted field another manager also owns', () => {
    const first = apply(undefined, deployment({ replicas: 2, labels: { app: 'web' } }), 'a');
    const shared = apply(first, deployment({ labels: { app: 'web' } }), 'b');
    const result = apply(shared, deployment({ replicas: 2 }), 'a');
    assert.deepEqual(result.metadata.labels, { app: 'web' });
    assert.deepEqual(entryOf(result, 'b')?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:app': {} } } });
  });

  it('keeps a live field nobody applied', () => {
    const live = recordUpdateManagedFields(undefined, deployment({ replicas: 1, labels: { owner: 'ctl' } }), 'ctl', 'apps/v1', T0);
    const result = apply(live, deployment({ labels: { app: 'web' } }), 'kubectl');
    assert.deepEqual(result.metadata.labels, { owner: 'ctl', app: 'web' });
    assert.equal(result.spec.replicas, 1);
  });

  it('keeps the entry time when a re-apply changes nothing', () => {
    const first = apply(undefined, deployment({ replicas: 2 }), 'kubectl', { now: T1 });
    const again = apply(first, deployment({ replicas: 2 }), 'kubectl', { now: T2 });
    assert.equal(entryOf(again, 'kubectl')?.time, T1);
  });

  it('never mutates its inputs', () => {
    const live = apply(undefined, deployment({ replicas: 2, labels: { a: '1' } }), 'kubectl');
    const applied = deployment({ replicas: 3 });
    const liveBefore = structuredClone(live);
    const appliedBefore = structuredClone(applied);
    apply(live, applied, 'kubectl');
    assert.deepEqual(live, liveBefore);
    assert.deepEqual(applied, appliedBefore);
  });
});

describe('serverSideApply: conflicts and ownership', () => {
  const createdByOther = () => recordUpdateManagedFields(undefined, deployment({ replicas: 1 }), 'other', 'apps/v1', T0);

  it('answers a change to a field owned by an Update manager with kube-apiserver\'s 409 body', () => {
    const err = conflictOf(() => apply(createdByOther(), deployment({ replicas: 3 }), 'mine'));
    assert.deepEqual(err.toStatus(), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "other" using apps/v1: .spec.replicas',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "other" using apps/v1', field: '.spec.replicas' }] },
      code: 409,
    });
  });

  it('names an Apply manager without the apiVersion', () => {
    const live = apply(undefined, deployment({ replicas: 1 }), 'first');
    const err = conflictOf(() => apply(live, deployment({ replicas: 5 }), 'second'));
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "first": .spec.replicas');
  });

  it('lists several conflicts grouped by manager', () => {
    const byA = apply(undefined, deployment({ replicas: 1, labels: { app: 'a' } }), 'a');
    const byB = apply(byA, deployment({ labels: { tier: 'b' } }), 'b');
    const err = conflictOf(() => apply(byB, deployment({ replicas: 2, labels: { app: 'x', tier: 'y' } }), 'c'));
    assert.equal(err.message,
      'Apply failed with 3 conflicts: conflicts with "a":\n- .metadata.labels.app\n- .spec.replicas\nconflicts with "b":\n- .metadata.labels.tier');
    assert.deepEqual(err.details?.causes?.map((c) => c.field), ['.metadata.labels.app', '.spec.replicas', '.metadata.labels.tier']);
  });

  it('prints list item keys and the subresource in conflicts', () => {
    const live = apply(undefined, deployment({ containers: [{ name: 'c1', image: 'nginx' }] }), 'a', { subresource: 'status' });
    const err = conflictOf(() => apply(live, deployment({ containers: [{ name: 'c1', image: 'httpd' }] }), 'b'));
    assert.equal(err.message,
      'Apply failed with 1 conflict: conflict with "a" with subresource "status": .spec.template.spec.containers[name="c1"].image');
  });

  it('force moves the ownership of the conflicting field', () => {
    const obj = apply(createdByOther(), deployment({ replicas: 3 }), 'mine', { force: true });
    assert.equal(obj.spec.replicas, 3);
    assert.deepEqual(entryOf(obj, 'mine')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(entryOf(obj, 'other', 'Update'), undefined, 'the other manager owned nothing else, so its entry goes');
  });

  it('applying the value another manager set shares the field without a conflict', () => {
    const obj = apply(createdByOther(), deployment({ replicas: 1 }), 'mine');
    assert.deepEqual(entryOf(obj, 'mine')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.deepEqual(entryOf(obj, 'other', 'Update')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  });

  it('does not conflict on fields the configuration does not mention', () => {
    const live = createdByOther();
    const obj = apply(live, deployment({ labels: { app: 'x' } }), 'mine');
    assert.equal(obj.spec.replicas, 1);
  });

  it('lets the same manager change its own fields', () => {
    const live = apply(undefined, deployment({ replicas: 1 }), 'mine');
    assert.equal(apply(live, deployment({ replicas: 4 }), 'mine').spec.replicas, 4);
  });
});

describe('serverSideApply: lists', () => {
  it('merges map lists by key, keeping items applied by another manager', () => {
    const byA = apply(undefined, deployment({ containers: [{ name: 'a', image: '1' }] }), 'ma');
    const byB = apply(byA, deployment({ containers: [{ name: 'b', image: '2' }] }), 'mb');
    assert.deepEqual(byB.spec.template.spec.containers, [{ name: 'a', image: '1' }, { name: 'b', image: '2' }]);
    const dropped = apply(byB, deployment({ containers: [] }), 'mb');
    assert.deepEqual(dropped.spec.template.spec.containers, [{ name: 'a', image: '1' }], 'mb\'s own item is removed');
  });

  it('keys container ports by containerPort and protocol, defaulting protocol to TCP', () => {
    const obj = apply(undefined, deployment({ containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }), 'm');
    const containers = (entryOf(obj, 'm')?.fieldsV1 as any)['f:spec']['f:template']['f:spec']['f:containers'];
    assert.deepEqual(containers['k:{"name":"c"}']['f:ports'], { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } });
    const withProtocol = apply(obj, deployment({ containers: [{ name: 'c', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }] }] }), 'm');
    assert.deepEqual(withProtocol.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
  });

  it('replaces atomic lists and owns them whole', () => {
    const first = apply(undefined, deployment({ containers: [{ name: 'c', args: ['a', 'b'] }] }), 'm');
    const second = apply(first, deployment({ containers: [{ name: 'c', args: ['z'] }] }), 'm');
    assert.deepEqual(second.spec.template.spec.containers[0].args, ['z']);
    const owned = (entryOf(second, 'm')?.fieldsV1 as any)['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"c"}'];
    assert.deepEqual(owned, { '.': {}, 'f:args': {}, 'f:name': {} });
  });

  it('owns finalizers item by item as a set', () => {
    const live = { ...deployment(), metadata: { name: 'web', namespace: 'ns', finalizers: ['keep'] } };
    const obj = apply(live, { ...deployment(), metadata: { name: 'web', namespace: 'ns', finalizers: ['mine'] } }, 'm');
    assert.deepEqual(obj.metadata.finalizers, ['keep', 'mine']);
    assert.deepEqual(entryOf(obj, 'm')?.fieldsV1, { 'f:metadata': { 'f:finalizers': { 'v:"mine"': {} } } });
    const removed = apply(obj, deployment(), 'm');
    assert.deepEqual(removed.metadata.finalizers, ['keep']);
  });

  it('uses the caller\'s list types for custom resources', () => {
    const widget = (items: unknown[]) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { items } });
    const listTypes = (path: readonly string[]) => (path.join('.') === 'spec.items' ? { map: ['id'] } : undefined);
    const live = serverSideApply({ live: undefined, applied: widget([{ id: 1, v: 'a' }]), manager: 'x', force: false, apiVersion: 'example.com/v1', now: T0, listTypes }).object;
    const merged = serverSideApply({ live, applied: widget([{ id: 2, v: 'b' }]), manager: 'y', force: false, apiVersion: 'example.com/v1', now: T0, listTypes }).object;
    assert.deepEqual(merged.spec.items, [{ id: 1, v: 'a' }, { id: 2, v: 'b' }]);
    const atomic = serverSideApply({ live, applied: widget([{ id: 2, v: 'b' }]), manager: 'x', force: false, apiVersion: 'example.com/v1', now: T0 }).object;
    assert.deepEqual(atomic.spec.items, [{ id: 2, v: 'b' }], 'without a list type a custom list is atomic');
  });

  it('removes a field the configuration sets to null', () => {
    const live = apply(undefined, deployment({ replicas: 2, labels: { a: '1', b: '2' } }), 'm');
    const obj = apply(live, { ...deployment({ replicas: 2 }), metadata: { name: 'web', namespace: 'ns', labels: { a: '1', b: null as any } } }, 'm');
    assert.deepEqual(obj.metadata.labels, { a: '1' });
  });
});

describe('recordUpdateManagedFields', () => {
  it('records an Update entry owning every field on create', () => {
    const obj = recordUpdateManagedFields(undefined, deployment({ replicas: 1, labels: { app: 'web' } }), 'kubectl-create', 'apps/v1', T0);
    assert.deepEqual(obj.metadata.managedFields, [{
      manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } },
    }]);
  });

  it('gives changed fields to the writer and takes them from every other manager', () => {
    const applied = apply(undefined, deployment({ replicas: 1, labels: { app: 'web' } }), 'kubectl');
    const scaled = { ...structuredClone(applied), spec: { replicas: 5 } };
    const obj = recordUpdateManagedFields(applied, scaled, 'hpa', 'apps/v1', T2);
    assert.deepEqual(entryOf(obj, 'hpa', 'Update')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
    assert.equal(entryOf(obj, 'hpa', 'Update')?.time, T2);
    assert.deepEqual(entryOf(obj, 'kubectl')?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:app': {} } } });
    assert.deepEqual(obj.metadata.managedFields?.map((e) => e.operation), ['Apply', 'Update'], 'Apply entries sort first');
  });

  it('lets a later apply conflict with the Update owner', () => {
    const applied = apply(undefined, deployment({ replicas: 1 }), 'kubectl');
    const scaled = recordUpdateManagedFields(applied, { ...structuredClone(applied), spec: { replicas: 5 } }, 'hpa', 'apps/v1', T2);
    const err = conflictOf(() => apply(scaled, deployment({ replicas: 1 }), 'kubectl'));
    assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas');
  });

  it('drops removed fields from every set', () => {
    const created = recordUpdateManagedFields(undefined, deployment({ labels: { a: '1', b: '2' } }), 'creator', 'apps/v1', T0);
    const edited = structuredClone(created);
    delete edited.metadata.labels!.b;
    const obj = recordUpdateManagedFields(created, edited, 'editor', 'apps/v1', T1);
    assert.deepEqual(entryOf(obj, 'creator', 'Update')?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:a': {} } } });
    assert.equal(entryOf(obj, 'editor', 'Update'), undefined, 'a removal owns nothing');
  });

  it('adds nothing for a write that changes nothing', () => {
    const created = recordUpdateManagedFields(undefined, deployment({ replicas: 1 }), 'creator', 'apps/v1', T0);
    const obj = recordUpdateManagedFields(created, structuredClone(created), 'noop', 'apps/v1', T1);
    assert.deepEqual(obj.metadata.managedFields, created.metadata.managedFields);
  });

  it('merges with the same manager\'s earlier Update entry and keeps status writes apart', () => {
    const created = recordUpdateManagedFields(undefined, deployment({ replicas: 1 }), 'ctl', 'apps/v1', T0);
    const labelled = recordUpdateManagedFields(created, { ...structuredClone(created), metadata: { ...created.metadata, labels: { a: '1' } } },
      'ctl', 'apps/v1', T1);
    assert.deepEqual(entryOf(labelled, 'ctl', 'Update')?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:a': {} } }, 'f:spec': { 'f:replicas': {} } });
    const withStatus = recordUpdateManagedFields(labelled, { ...structuredClone(labelled), status: { readyReplicas: 1 } }, 'ctl', 'apps/v1', T2, 'status');
    const entries = withStatus.metadata.managedFields!.filter((e) => e.manager === 'ctl');
    assert.deepEqual(entries.map((e) => e.subresource ?? ''), ['', 'status']);
    assert.deepEqual(entries[1].fieldsV1, { 'f:status': { 'f:readyReplicas': {} } });
  });

  it('does not mutate its inputs', () => {
    const old = recordUpdateManagedFields(undefined, deployment({ replicas: 1 }), 'a', 'apps/v1', T0);
    const next = { ...structuredClone(old), spec: { replicas: 2 } };
    const oldBefore = structuredClone(old);
    const nextBefore = structuredClone(next);
    recordUpdateManagedFields(old, next, 'b', 'apps/v1', T1);
    assert.deepEqual(old, oldBefore);
    assert.deepEqual(next, nextBefore);
  });
});
