/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods (not terminal, not being deleted)
 * matching the selector and controlled by the ReplicaSet. It adopts matching orphans and releases
 * owned pods whose labels stopped matching, creates missing pods from the template (generateName
 * `<rs>-`, controller ownerReference with blockOwnerDeletion), deletes surplus pods in kube's
 * order (unscheduled, then pending, then not ready, then the most recently ready, then the newest),
 * and reports replicas, fullyLabeledReplicas, readyReplicas, availableReplicas (minReadySeconds)
 * and observedGeneration.
 */
import { matchesLabels, selectorFromLabelSelector } from '../../../apimachinery/labels.ts';
import { deepEqual, type KubeObject } from '../../../apimachinery/object.ts';
import { componentClient, keyOf, splitKey, type Controller, type ControllerContext } from '../controller.ts';
import { adoptedRefs, claimOf, controllerRefOf, controllerRefTo, releasedRefs } from '../controller-ref.ts';
import { T, type InternalClient } from '../internal-client.ts';
import { isPodActive, isPodAvailable, isPodReady, readySince } from '../pod-state.ts';
import { ReconcileQueue, type ReconcileResult } from '../work-queue.ts';

/** Most pods created or deleted in one pass (kube's burstReplicas). */
const BURST = 500;

function podFromTemplate(rs: KubeObject): KubeObject {
  const template = rs.spec.template ?? {};
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      generateName: `${rs.metadata.name}-`, namespace: rs.metadata.namespace, labels: { ...meta.labels },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [controllerRefTo(rs)],
    },
    spec: structuredClone(template.spec ?? {}),
  };
}

/** kube's ActivePods ordering: the pod listed first is the first to delete. */
function deletionRank(pod: KubeObject): number[] {
  const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
  const ready = isPodReady(pod);
  const since = readySince(pod) ?? 0;
  const restarts = (pod.status?.containerStatuses ?? []).reduce((n: number, c: any) => Math.max(n, c.restartCount ?? 0), 0);
  return [
    pod.spec?.nodeName ? 1 : 0, phaseRank[pod.status?.phase] ?? 1, ready ? 1 : 0,
    ready ? -since : 0, -restarts, -Date.parse(pod.metadata.creationTimestamp ?? '0'),
  ];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The ReplicaSet controller. */
class ReplicaSetController {
  private readonly ctx: ControllerContext;
  readonly client: InternalClient;
  readonly queue: ReconcileQueue;

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
    this.client = componentClient(ctx, 'kube-controller-manager');
    this.queue = new ReconcileQueue('replicaset', (key) => this.sync(key));
  }

  private async sync(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const rs = this.client.get(T.replicaSets, namespace, name);
    if (!rs) return;
    await this.claimPods(rs);
    if (!rs.metadata.deletionTimestamp) await this.manageReplicas(rs);
    return this.updateStatus(rs);
  }

  private ownedPods(rs: KubeObject): KubeObject[] {
    return this.client.list(T.pods, rs.metadata.namespace).filter((p) => controllerRefOf(p)?.uid === rs.metadata.uid);
  }

  private async claimPods(rs: KubeObject): Promise<void> {
    const selector = selectorFromLabelSelector(rs.spec?.selector);
    for (const pod of this.client.list(T.pods, rs.metadata.namespace)) {
      const claim = claimOf(pod, rs, matchesLabels(selector, pod.metadata.labels));
      if (claim === 'adopt') await this.setOwners(pod, adoptedRefs(pod, rs));
      else if (claim === 'release') await this.setOwners(pod, releasedRefs(pod, rs));
    }
  }

  private async setOwners(pod: KubeObject, ownerReferences: KubeObject['metadata']['ownerReferences']): Promise<void> {
    await this.client.update(T.pods, { ...pod, metadata: { ...pod.metadata, ownerReferences } });
  }

  private async manageReplicas(rs: KubeObject): Promise<void> {
    const active = this.ownedPods(rs).filter(isPodActive);
    const diff = (rs.spec?.replicas ?? 1) - active.length;
    if (diff > 0) {
      for (let i = 0; i < Math.min(diff, BURST); i++) await this.createPod(rs);
      return;
    }
    const doomed = active.sort((a, b) => compareRanks(deletionRank(a), deletionRank(b))).slice(0, Math.min(-diff, BURST));
    for (const pod of doomed) {
      await this.client.delete(T.pods, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
    }
  }

  private async createPod(rs: KubeObject): Promise<void> {
    try {
      const pod = await this.client.create(T.pods, podFromTemplate(rs));
      this.ctx.events.emit(rs, { type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${pod.metadata.name}`, source: { component: 'replicaset-controller' } });
    } catch (err) {
      this.ctx.events.emit(rs, { type: 'Warning', reason: 'FailedCreate', message: `Error creating: ${(err as Error).message}`, source: { component: 'replicaset-controller' } });
      throw err;
    }
  }

  private async updateStatus(rs: KubeObject): Promise<ReconcileResult> {
    const now = this.ctx.svc.now().getTime();
    const active = this.ownedPods(rs).filter(isPodActive);
    const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
    const minReady = rs.spec?.minReadySeconds ?? 0;
    let available = 0;
    let wakeAt: number | undefined;
    for (const p of active) {
      const a = isPodAvailable(p, minReady, now);
      if (a.available) available++;
      else if (a.wakeAt) wakeAt = Math.min(wakeAt ?? a.wakeAt, a.wakeAt);
    }
    const status: Record<string, unknown> = { replicas: active.length };
    const counts: Record<string, number> = {
      fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: active.filter(isPodReady).length, availableReplicas: available, observedGeneration: rs.metadata.generation ?? 1,
    };
    for (const [k, v] of Object.entries(counts)) if (v) status[k] = v;
    const fresh = this.client.get(T.replicaSets, rs.metadata.namespace, rs.metadata.name!);
    if (!fresh || fresh.metadata.uid !== rs.metadata.uid) return;
    if (fresh.status?.conditions?.length) status.conditions = fresh.status.conditions;
    if (!deepEqual(fresh.status, status)) {
      await this.client.update(T.replicaSets, { ...fresh, status }, 'status');
    }
    return wakeAt === undefined ? undefined : { requeueAfterMs: wakeAt - now };
  }
}

/** Starts the ReplicaSet controller. */
export function startReplicaSets(ctx: ControllerContext): Controller {
  const c = new ReplicaSetController(ctx);
  const { client, queue } = c;
  const enqueueFor = (pod: KubeObject) => {
    const ref = controllerRefOf(pod);
    if (ref?.kind === 'ReplicaSet') queue.add(keyOf(pod.metadata.namespace, ref.name));
    else if (!ref) {
      // An orphan may be adopted by any ReplicaSet whose selector matches it.
      for (const rs of client.list(T.replicaSets, pod.metadata.namespace)) {
        if (matchesLabels(selectorFromLabelSelector(rs.spec?.selector), pod.metadata.labels)) queue.add(keyOf(rs.metadata.namespace, rs.metadata.name!));
      }
    }
  };
  const unsubscribe = client.onChange([T.replicaSets, T.pods], (ev) => {
    const obj = ev.object;
    if (obj.kind === 'ReplicaSet') {
      if (ev.type !== 'DELETED') queue.add(keyOf(obj.metadata.namespace, obj.metadata.name!));
      return;
    }
    enqueueFor(obj);
    if (ev.previous && controllerRefOf(ev.previous)?.uid !== controllerRefOf(obj)?.uid) enqueueFor(ev.previous);
  });
  for (const rs of client.list(T.replicaSets)) queue.add(keyOf(rs.metadata.namespace, rs.metadata.name!));
  return {
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}
