/**
 * The Deployment controller. A Deployment owns one ReplicaSet per pod template revision, named
 * `<deployment>-<pod-template-hash>` with the pod-template-hash label on the ReplicaSet, its
 * selector and its template, a controller ownerReference with blockOwnerDeletion, and the
 * `deployment.kubernetes.io/revision` annotation (also set on the Deployment). A template change
 * creates a new ReplicaSet and moves replicas over — RollingUpdate within maxSurge/maxUnavailable,
 * Recreate after every old pod is gone; scaling changes the current ReplicaSet; old ReplicaSets
 * beyond revisionHistoryLimit are deleted; `spec.paused` holds rollouts. Status: see
 * ./deployment-status.ts.
 */
import { matchesLabels, selectorFromLabelSelector } from '../../../apimachinery/labels.ts';
import { deepEqual, type KubeObject } from '../../../apimachinery/object.ts';
import { componentClient, keyOf, splitKey, type Controller, type ControllerContext } from '../controller.ts';
import { adoptedRefs, claimOf, controllerRefOf, controllerRefTo, releasedRefs } from '../controller-ref.ts';
import { deploymentStatus } from './deployment-status.ts';
import { isStatus, T, type InternalClient } from '../internal-client.ts';
import { isPodTerminal } from '../pod-state.ts';
import { planRecreate, planRollingUpdate, surgeAndUnavailable, type ReplicaSetCounts } from './rollout.ts';
import { podTemplateHash, sameTemplate, TEMPLATE_HASH_LABEL } from './template-hash.ts';
import { ReconcileQueue, type ReconcileResult } from '../work-queue.ts';

/** Annotations the deployment controller writes. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const DESIRED_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
const MAX_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
const SOURCE = { component: 'deployment-controller' };
/** Deployment annotations not copied to its ReplicaSets. */
const NOT_COPIED = [/^deployment\.kubernetes\.io\//, /^kubectl\.kubernetes\.io\/last-applied-configuration$/];

function revisionOf(rs: KubeObject): number {
  return Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
}

function withAnnotation(obj: KubeObject, key: string, value: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [key]: value } } };
}

function countsOf(rs: KubeObject): ReplicaSetCounts {
  return { replicas: rs.spec?.replicas ?? 0, available: rs.status?.availableReplicas ?? 0 };
}

function byAge(a: KubeObject, b: KubeObject): number {
  return Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? '') || revisionOf(a) - revisionOf(b);
}

function scaleAnnotations(d: KubeObject): Record<string, string> {
  const desired = d.spec?.replicas ?? 1;
  return { [DESIRED_ANNOTATION]: String(desired), [MAX_ANNOTATION]: String(desired + surgeAndUnavailable(d.spec?.strategy, desired).maxSurge) };
}

function newReplicaSet(d: KubeObject, hash: string, replicas: number, revision: number): KubeObject {
  const template = structuredClone(d.spec.template);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [TEMPLATE_HASH_LABEL]: hash } };
  const copied = Object.entries<string>(d.metadata.annotations ?? {}).filter(([k]) => !NOT_COPIED.some((re) => re.test(k)));
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, labels: { ...template.metadata.labels },
      annotations: { ...Object.fromEntries(copied), ...scaleAnnotations(d), [REVISION_ANNOTATION]: String(revision) },
      ownerReferences: [controllerRefTo(d)],
    },
    spec: {
      replicas, minReadySeconds: d.spec.minReadySeconds ?? 0, template,
      selector: { ...d.spec.selector, matchLabels: { ...d.spec.selector?.matchLabels, [TEMPLATE_HASH_LABEL]: hash } },
    },
  };
}

/** The Deployment controller. */
class DeploymentController {
  private readonly ctx: ControllerContext;
  readonly client: InternalClient;
  readonly queue: ReconcileQueue;

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
    this.client = componentClient(ctx, 'kube-controller-manager');
    this.queue = new ReconcileQueue('deployment', (key) => this.sync(key));
  }

  private async sync(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const d = this.client.get(T.deployments, namespace, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const owned = await this.claimReplicaSets(d);
    let newRs = owned.find((rs) => sameTemplate(rs.spec?.template, d.spec?.template));
    const olds = owned.filter((rs) => rs !== newRs).sort(byAge);
    const created = !newRs && !d.spec?.paused;
    if (created) newRs = await this.createNewReplicaSet(d, olds);
    if (newRs) {
      newRs = await this.settleRevision(d, newRs, olds);
      await this.scale(d, newRs, olds);
      await this.cleanup(d, olds);
    }
    return this.updateStatus(d, newRs?.metadata.name, created);
  }

  private async claimReplicaSets(d: KubeObject): Promise<KubeObject[]> {
    const selector = selectorFromLabelSelector(d.spec?.selector);
    const owned: KubeObject[] = [];
    for (const rs of this.client.list(T.replicaSets, d.metadata.namespace)) {
      const claim = claimOf(rs, d, matchesLabels(selector, rs.metadata.labels));
      if (claim === 'owned') owned.push(rs);
      else if (claim === 'adopt') owned.push(await this.client.update(T.replicaSets, { ...rs, metadata: { ...rs.metadata, ownerReferences: adoptedRefs(rs, d) } }));
      else if (claim === 'release') await this.client.update(T.replicaSets, { ...rs, metadata: { ...rs.metadata, ownerReferences: releasedRefs(rs, d) } });
    }
    return owned;
  }

  private initialReplicas(d: KubeObject, olds: KubeObject[]): number {
    const desired = d.spec?.replicas ?? 1;
    if (d.spec?.strategy?.type === 'Recreate') return planRecreate(desired, { replicas: 0, available: 0 }, olds.map(countsOf), this.oldPodsLeft(olds))[0];
    return planRollingUpdate(desired, d.spec?.strategy, { replicas: 0, available: 0 }, olds.map(countsOf))[0];
  }

  private async createNewReplicaSet(d: KubeObject, olds: KubeObject[]): Promise<KubeObject> {
    const collisionCount = d.status?.collisionCount ?? 0;
    const hash = podTemplateHash(d.spec.template, collisionCount);
    const revision = Math.max(0, ...olds.map(revisionOf)) + 1;
    const replicas = this.initialReplicas(d, olds);
    try {
      const rs = await this.client.create(T.replicaSets, newReplicaSet(d, hash, replicas, revision));
      if (replicas > 0) this.ctx.events.emit(d, { type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${rs.metadata.name} from 0 to ${replicas}`, source: SOURCE });
      return rs;
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
      const existing = this.client.get(T.replicaSets, d.metadata.namespace, `${d.metadata.name}-${hash}`);
      if (existing && controllerRefOf(existing)?.uid === d.metadata.uid && sameTemplate(existing.spec?.template, d.spec.template)) return existing;
      // A different ReplicaSet has this name: hash again with a higher collision count.
      await this.client.update(T.deployments, { ...d, status: { ...d.status, collisionCount: collisionCount + 1 } }, 'status');
      throw err;
    }
  }

  /** A template rolled back to an older ReplicaSet makes that one the newest revision again. */
  private async settleRevision(d: KubeObject, newRs: KubeObject, olds: KubeObject[]): Promise<KubeObject> {
    const maxOld = Math.max(0, ...olds.map(revisionOf));
    let rs = newRs;
    if (revisionOf(rs) <= maxOld || !revisionOf(rs)) {
      rs = await this.client.update(T.replicaSets, withAnnotation(rs, REVISION_ANNOTATION, String(maxOld + 1)));
    }
    const revision = String(revisionOf(rs));
    const fresh = this.client.get(T.deployments, d.metadata.namespace, d.metadata.name!);
    if (fresh && fresh.metadata.annotations?.[REVISION_ANNOTATION] !== revision) {
      await this.client.update(T.deployments, withAnnotation(fresh, REVISION_ANNOTATION, revision));
    }
    return rs;
  }

  private oldPodsLeft(olds: KubeObject[]): boolean {
    const uids = new Set(olds.map((rs) => rs.metadata.uid));
    return olds.length > 0 && this.client.list(T.pods, olds[0].metadata.namespace).some((p) => uids.has(controllerRefOf(p)?.uid) && !isPodTerminal(p));
  }

  private async scale(d: KubeObject, newRs: KubeObject, olds: KubeObject[]): Promise<void> {
    const desired = d.spec?.replicas ?? 1;
    let plan: number[];
    if (d.spec?.paused) {
      if (olds.some((rs) => (rs.spec?.replicas ?? 0) > 0)) return;
      plan = [desired];
    } else if (d.spec?.strategy?.type === 'Recreate') {
      plan = planRecreate(desired, countsOf(newRs), olds.map(countsOf), this.oldPodsLeft(olds));
    } else {
      plan = planRollingUpdate(desired, d.spec?.strategy, countsOf(newRs), olds.map(countsOf));
    }
    // Scale down before up, so a Recreate or surge-free rollout never exceeds its bounds.
    const targets = [newRs, ...olds].map((rs, i) => ({ rs, replicas: plan[i] })).filter((t) => t.replicas !== undefined);
    targets.sort((a, b) => (a.replicas - (a.rs.spec?.replicas ?? 0)) - (b.replicas - (b.rs.spec?.replicas ?? 0)));
    for (const t of targets) await this.scaleReplicaSet(d, t.rs, t.replicas, t.rs === newRs);
  }

  private async scaleReplicaSet(d: KubeObject, rs: KubeObject, replicas: number, isNew: boolean): Promise<void> {
    const from = rs.spec?.replicas ?? 0;
    const annotations = isNew || from !== replicas ? { ...rs.metadata.annotations, ...scaleAnnotations(d) } : rs.metadata.annotations;
    if (from === replicas && deepEqual(annotations, rs.metadata.annotations)) return;
    const fresh = this.client.get(T.replicaSets, rs.metadata.namespace, rs.metadata.name!) ?? rs;
    await this.client.update(T.replicaSets, { ...fresh, metadata: { ...fresh.metadata, annotations }, spec: { ...fresh.spec, replicas } });
    if (from === replicas) return;
    const verb = replicas > from ? 'up' : 'down';
    this.ctx.events.emit(d, { type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled ${verb} replica set ${rs.metadata.name} from ${from} to ${replicas}`, source: SOURCE });
  }

  private async cleanup(d: KubeObject, olds: KubeObject[]): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const idle = olds.filter((rs) => !rs.metadata.deletionTimestamp && (rs.spec?.replicas ?? 0) === 0 && !(rs.status?.replicas ?? 0));
    idle.sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      await this.client.delete(T.replicaSets, rs.metadata.namespace, rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } });
    }
  }

  private async updateStatus(d: KubeObject, newRsName: string | undefined, created: boolean): Promise<ReconcileResult> {
    const fresh = this.client.get(T.deployments, d.metadata.namespace, d.metadata.name!);
    if (!fresh || fresh.metadata.uid !== d.metadata.uid) return;
    const all = this.client.list(T.replicaSets, d.metadata.namespace).filter((rs) => controllerRefOf(rs)?.uid === d.metadata.uid);
    const newRs = all.find((rs) => rs.metadata.name === newRsName);
    const now = this.ctx.svc.now().getTime();
    const { status, wakeAt } = deploymentStatus(fresh, newRs, all, created, now);
    if (!deepEqual(status, fresh.status)) await this.client.update(T.deployments, { ...fresh, status }, 'status');
    return wakeAt === undefined ? undefined : { requeueAfterMs: Math.max(1, wakeAt - now) };
  }
}

/** Starts the Deployment controller. */
export function startDeployments(ctx: ControllerContext): Controller {
  const c = new DeploymentController(ctx);
  const { client, queue } = c;
  const unsubscribe = client.onChange([T.deployments, T.replicaSets, T.pods], (ev) => {
    const obj = ev.object;
    if (obj.kind === 'Deployment') {
      if (ev.type !== 'DELETED') queue.add(keyOf(obj.metadata.namespace, obj.metadata.name!));
      return;
    }
    if (obj.kind === 'Pod') {
      // Recreate waits for the last old pod to go.
      if (ev.type === 'DELETED') enqueueOwnerOfOwner(client, queue, obj);
      return;
    }
    const ref = controllerRefOf(obj) ?? (ev.previous && controllerRefOf(ev.previous));
    if (ref?.kind === 'Deployment') queue.add(keyOf(obj.metadata.namespace, ref.name));
    else if (!ref) for (const d of client.list(T.deployments, obj.metadata.namespace)) queue.add(keyOf(d.metadata.namespace, d.metadata.name!));
  });
  for (const d of client.list(T.deployments)) queue.add(keyOf(d.metadata.namespace, d.metadata.name!));
  return {
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}

function enqueueOwnerOfOwner(client: InternalClient, queue: ReconcileQueue, pod: KubeObject): void {
  const rsRef = controllerRefOf(pod);
  if (rsRef?.kind !== 'ReplicaSet') return;
  const rs = client.get(T.replicaSets, pod.metadata.namespace, rsRef.name);
  const dRef = rs && controllerRefOf(rs);
  if (dRef?.kind === 'Deployment') queue.add(keyOf(pod.metadata.namespace, dRef.name));
}
