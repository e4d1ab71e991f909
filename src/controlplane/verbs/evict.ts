/**
 * The pods/eviction subresource: a pod is deleted only if every PodDisruptionBudget selecting it
 * allows a disruption; otherwise 429 TooManyRequests with the DisruptionBudget cause, which
 * `kubectl drain` retries. An allowed eviction records the pod in the budget's disruptedPods and
 * lowers disruptionsAllowed, as the eviction REST handler does.
 */
import { StatusError, badRequest, notFound } from '../../apimachinery/errors.ts';
import { matchesLabels, selectorFromLabelSelector } from '../../apimachinery/labels.ts';
import { deepCopy, type KubeObject } from '../../apimachinery/object.ts';
import { objectKey, revisionOf } from '../storage/store.ts';
import { deleteObject, type DeleteOptions } from './delete.ts';
import { rfc3339, type RequestScope, type Services } from './scope.ts';

const PDB_STORAGE = 'policy/poddisruptionbudgets';

function budgetsFor(svc: Services, pod: KubeObject): KubeObject[] {
  return svc.store.list(PDB_STORAGE, pod.metadata.namespace).filter((pdb) => {
    if (!pdb.spec?.selector) return false;
    return matchesLabels(selectorFromLabelSelector(pdb.spec.selector), pod.metadata.labels ?? {});
  });
}

function refuse(pdb: KubeObject): StatusError {
  const s = pdb.status ?? {};
  const message = `The disruption budget ${pdb.metadata.name} needs ${s.desiredHealthy ?? 0} healthy pods and has ${s.currentHealthy ?? 0} currently`;
  return new StatusError(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.',
    { causes: [{ reason: 'DisruptionBudget', message }] });
}

/** Handles POST pods/{name}/eviction. */
export async function evictPod(svc: Services, scope: RequestScope, name: string, eviction: KubeObject): Promise<void> {
  if (eviction?.metadata?.name && eviction.metadata.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const pod = svc.store.get('/pods', objectKey(scope.namespace, name));
  if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
  const terminal = ['Succeeded', 'Failed'].includes(pod.status?.phase);
  const opts: DeleteOptions = eviction?.deleteOptions ?? {};
  if (!terminal && !pod.metadata.deletionTimestamp) {
    const budgets = budgetsFor(svc, pod);
    if (budgets.length > 1) throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    if (budgets.length === 1) {
      const pdb = budgets[0];
      if ((pdb.status?.disruptionsAllowed ?? 0) <= 0 || (pdb.status?.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw refuse(pdb);
      if (!scope.dryRun) recordDisruption(svc, pdb, name);
    }
  }
  await deleteObject(svc, scope, name, opts);
}

function recordDisruption(svc: Services, pdb: KubeObject, podName: string): void {
  const next = deepCopy(pdb);
  next.status = { ...next.status, disruptionsAllowed: next.status.disruptionsAllowed - 1 };
  next.status.disruptedPods = { ...next.status.disruptedPods, [podName]: rfc3339(svc.now()) };
  svc.store.put(PDB_STORAGE, objectKey(pdb.metadata.namespace, pdb.metadata.name!), next, revisionOf(pdb));
}
