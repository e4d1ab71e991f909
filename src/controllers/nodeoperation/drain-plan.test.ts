import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../apimachinery/object.ts';
import { describePodReasons, MIRROR_POD_ANNOTATION, planDrain } from './drain-plan.ts';

function pod(name: string, extra: { owner?: string; emptyDir?: boolean; phase?: string; deleting?: boolean; mirror?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'ns',
      ownerReferences: extra.owner ? [{ apiVersion: 'apps/v1', kind: extra.owner, name: `${name}-owner`, uid: 'u', controller: true }] : undefined,
      annotations: extra.mirror ? { [MIRROR_POD_ANNOTATION]: 'hash' } : undefined,
      deletionTimestamp: extra.deleting ? '2025-01-01T00:00:00Z' : undefined,
    },
    spec: { containers: [], volumes: extra.emptyDir ? [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }] : [] },
    status: { phase: extra.phase ?? 'Running' },
  };
}

const names = (pods: KubeObject[]) => pods.map((p) => p.metadata.name);

void describe('planDrain', () => {
  void it('evicts controlled pods, waits for terminating ones, leaves DaemonSet and mirror pods', () => {
    const plan = planDrain([
      pod('web', { owner: 'ReplicaSet' }), pod('old', { owner: 'ReplicaSet', deleting: true }),
      pod('agent', { owner: 'DaemonSet' }), pod('static', { mirror: true }),
    ]);
    assert.deepEqual(names(plan.evict), ['web']);
    assert.deepEqual(names(plan.terminating), ['old']);
    assert.equal(describePodReasons(plan.skipped), 'ns/agent (is managed by DaemonSet agent-owner), ns/static (is a mirror pod of a static pod)');
    assert.deepEqual(plan.refused, []);
  });

  void it('refuses unmanaged pods unless force, and emptyDir pods unless deleteEmptyDirData', () => {
    const pods = [pod('bare'), pod('cache', { owner: 'ReplicaSet', emptyDir: true })];
    const strict = planDrain(pods);
    assert.deepEqual(strict.evict, []);
    assert.equal(describePodReasons(strict.refused), [
      'ns/bare (is not managed by a controller, so nothing would recreate it (set parameters.drain.force to evict it anyway))',
      'ns/cache (uses emptyDir volume scratch whose data would be lost (set parameters.drain.deleteEmptyDirData to evict it anyway))',
    ].join(', '));
    assert.deepEqual(names(planDrain(pods, { force: true }).evict), ['bare']);
    assert.deepEqual(names(planDrain(pods, { force: true, deleteEmptyDirData: true }).evict), ['bare', 'cache']);
  });

  void it('refuses DaemonSet pods when ignoreDaemonSets is false', () => {
    const plan = planDrain([pod('agent', { owner: 'DaemonSet' })], { ignoreDaemonSets: false });
    assert.equal(plan.refused.length, 1);
    assert.match(plan.refused[0].reason, /^is managed by DaemonSet agent-owner, which would recreate it/);
  });

  void it('evicts finished pods whatever their volumes and owners', () => {
    const plan = planDrain([pod('job-done', { phase: 'Succeeded', emptyDir: true }), pod('crashed', { phase: 'Failed' })]);
    assert.deepEqual(names(plan.evict), ['job-done', 'crashed']);
    assert.deepEqual(plan.refused, []);
  });
});
