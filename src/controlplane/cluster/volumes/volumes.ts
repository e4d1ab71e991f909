/**
 * Storage: the default StorageClass `standard` (created at start when the cluster has no class),
 * and what the persistent volume controller and a dynamic provisioner do for claims. A new claim
 * gets the `kubernetes.io/pvc-protection` finalizer and, when it names no class, the default class
 * (the DefaultStorageClass and StorageObjectInUseProtection admission plugins do this at
 * create; here it follows right after). A claim binds to a matching Available
 * volume, or to one provisioned for it (`pvc-<claim uid>`, capacity from the request, the class's
 * reclaim policy) — at once for Immediate classes, once a pod using it is scheduled for
 * WaitForFirstConsumer. Binding sets the claim's volumeName, bind annotations and Bound status, and
 * the volume's claimRef and Bound status. A volume whose claim is gone is deleted (Delete policy)
 * or Released (Retain).
 */
import { deepEqual, type KubeObject } from '../../../apimachinery/object.ts';
import { parseQuantity } from '../../../apimachinery/quantity.ts';
import { componentClient, keyOf, splitKey, type Controller, type ControllerContext } from '../controller.ts';
import { isStatus, T, type InternalClient } from '../internal-client.ts';
import { claimNamesOf } from '../pod-state.ts';
import { ReconcileQueue } from '../work-queue.ts';

/** The provisioner name of simulated volumes. */
export const PROVISIONER = 'streamspace.io/simulated';
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];
const SOURCE = { component: 'persistentvolume-controller' };

function isDefaultClass(sc: KubeObject): boolean {
  return DEFAULT_CLASS_ANNOTATIONS.some((a) => sc.metadata.annotations?.[a] === 'true');
}

/** The default StorageClass: the newest one annotated as default, as the admission plugin picks. */
export function defaultStorageClass(client: InternalClient): KubeObject | undefined {
  const defaults = client.list(T.storageClasses).filter(isDefaultClass);
  defaults.sort((a, b) => Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? '') || (a.metadata.name! < b.metadata.name! ? -1 : 1));
  return defaults[0];
}

function storageOf(value: unknown): bigint {
  try {
    return parseQuantity(value as string).nanos;
  } catch {
    return 0n;
  }
}

/** A volume that can serve the claim: Available, same class, large enough, every requested access mode. */
function fits(pv: KubeObject, pvc: KubeObject, className: string): boolean {
  if (pv.spec?.claimRef || pv.status?.phase !== 'Available' || pv.metadata.deletionTimestamp) return false;
  if ((pv.spec?.storageClassName ?? '') !== className) return false;
  if (storageOf(pv.spec?.capacity?.storage) < storageOf(pvc.spec?.resources?.requests?.storage)) return false;
  return (pvc.spec?.accessModes ?? []).every((m: string) => (pv.spec?.accessModes ?? []).includes(m));
}

/** The volume and claim controller. */
class VolumeController {
  private readonly ctx: ControllerContext;
  readonly client: InternalClient;
  readonly queue: ReconcileQueue;
  private readonly classRefused = new Set<string>();

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
    this.client = componentClient(ctx, 'kube-controller-manager');
    this.queue = new ReconcileQueue('volumes', (key) => (key.startsWith('pv:') ? this.syncVolume(key.slice(3)) : this.syncClaim(key.slice(4))));
  }

  /** Creates `standard` when the cluster has no StorageClass at all. */
  async ensureDefaultClass(): Promise<void> {
    if (this.client.list(T.storageClasses).length) return;
    await this.client.create(T.storageClasses, {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', allowVolumeExpansion: true,
    });
  }

  private async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    let pvc = this.client.get(T.pvcs, namespace, name);
    if (!pvc || pvc.metadata.deletionTimestamp) return;
    pvc = await this.admit(pvc);
    if (pvc.status?.phase === 'Bound') return;
    const className: string = pvc.spec?.storageClassName ?? defaultStorageClass(this.client)?.metadata.name ?? '';
    const pv = this.volumeFor(pvc, className) ?? (await this.provision(pvc, className));
    if (pv) await this.bind(pvc, pv);
  }

  /** What admission would have added at create: the protection finalizer and the default class. */
  private async admit(pvc: KubeObject): Promise<KubeObject> {
    const finalizers = pvc.metadata.finalizers ?? [];
    const needsFinalizer = !finalizers.includes(PVC_PROTECTION_FINALIZER);
    const needsClass = pvc.spec?.storageClassName === undefined && !pvc.spec?.volumeName;
    const defaultClass = needsClass ? defaultStorageClass(this.client) : undefined;
    const setClass = defaultClass && !this.classRefused.has(pvc.metadata.uid!);
    if (!needsFinalizer && !setClass) return pvc;
    const next = { ...pvc, metadata: { ...pvc.metadata, finalizers: needsFinalizer ? [...finalizers, PVC_PROTECTION_FINALIZER] : finalizers } };
    if (setClass) next.spec = { ...pvc.spec, storageClassName: defaultClass.metadata.name };
    try {
      return await this.client.update(T.pvcs, next);
    } catch (err) {
      // A PVC strategy that does not yet allow storageClassName nil → default keeps the claim class-less; it still binds through the default.
      if (!setClass || !isStatus(err, 422)) throw err;
      this.classRefused.add(pvc.metadata.uid!);
      return needsFinalizer ? this.client.update(T.pvcs, { ...next, spec: pvc.spec }) : pvc;
    }
  }

  private volumeFor(pvc: KubeObject, className: string): KubeObject | undefined {
    if (pvc.spec?.volumeName) {
      const pv = this.client.get(T.pvs, undefined, pvc.spec.volumeName);
      const ref = pv?.spec?.claimRef;
      return pv && (!ref || ref.uid === pvc.metadata.uid) ? pv : undefined;
    }
    const bound = this.client.list(T.pvs).find((pv) => pv.spec?.claimRef?.uid === pvc.metadata.uid);
    if (bound) return bound;
    const candidates = this.client.list(T.pvs).filter((pv) => fits(pv, pvc, className));
    candidates.sort((a, b) => (storageOf(a.spec.capacity?.storage) < storageOf(b.spec.capacity?.storage) ? -1 : 1));
    return candidates[0];
  }

  private async provision(pvc: KubeObject, className: string): Promise<KubeObject | undefined> {
    if (!className) {
      this.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return undefined;
    }
    const sc = this.client.get(T.storageClasses, undefined, className);
    if (!sc) {
      this.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return undefined;
    }
    const node = sc.volumeBindingMode === 'WaitForFirstConsumer' ? this.consumerNode(pvc) : undefined;
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !node) {
      this.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return undefined;
    }
    const ns = pvc.metadata.namespace;
    const source = { component: `${PROVISIONER}_${this.ctx.svc.now().getTime().toString(36)}` };
    this.ctx.events.emit(pvc, { type: 'Normal', reason: 'Provisioning', message: `External provisioner is provisioning volume for claim "${ns}/${pvc.metadata.name}"`, source });
    const pv = await this.client.create(T.pvs, this.volumeObject(pvc, sc, node));
    this.ctx.events.emit(pvc, { type: 'Normal', reason: 'ProvisioningSucceeded', message: `Successfully provisioned volume ${pv.metadata.name}`, source });
    return pv;
  }

  private volumeObject(pvc: KubeObject, sc: KubeObject, node: string | undefined): KubeObject {
    const name = `pvc-${pvc.metadata.uid}`;
    const spec: Record<string, unknown> = {
      capacity: { storage: pvc.spec.resources.requests.storage }, accessModes: pvc.spec.accessModes,
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete', storageClassName: sc.metadata.name, volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
      hostPath: { path: `/var/lib/streamspace/volumes/${name}`, type: 'DirectoryOrCreate' },
      claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion },
    };
    if (node) {
      spec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } };
    }
    return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } }, spec };
  }

  private consumerNode(pvc: KubeObject): string | undefined {
    const uses = (p: KubeObject) => p.spec?.nodeName && !p.metadata.deletionTimestamp && claimNamesOf(p).includes(pvc.metadata.name!);
    return this.client.list(T.pods, pvc.metadata.namespace).find(uses)?.spec.nodeName;
  }

  private async bind(pvc: KubeObject, pv: KubeObject): Promise<void> {
    const claimRef = { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid, resourceVersion: pvc.metadata.resourceVersion };
    let volume = pv;
    if (volume.spec?.claimRef?.uid !== pvc.metadata.uid) volume = await this.client.update(T.pvs, { ...volume, spec: { ...volume.spec, claimRef } });
    if (volume.status?.phase !== 'Bound') volume = await this.client.update(T.pvs, { ...volume, status: { ...volume.status, phase: 'Bound' } }, 'status');
    const annotations: Record<string, string> = { ...pvc.metadata.annotations, 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' };
    if (volume.metadata.annotations?.['pv.kubernetes.io/provisioned-by']) {
      Object.assign(annotations, { 'volume.beta.kubernetes.io/storage-provisioner': PROVISIONER, 'volume.kubernetes.io/storage-provisioner': PROVISIONER });
    }
    let claim = pvc;
    if (claim.spec?.volumeName !== volume.metadata.name || !deepEqual(annotations, claim.metadata.annotations)) {
      const spec = { ...claim.spec, volumeName: volume.metadata.name };
      claim = await this.client.update(T.pvcs, { ...claim, metadata: { ...claim.metadata, annotations }, spec });
    }
    const status = { ...claim.status, phase: 'Bound', accessModes: volume.spec.accessModes, capacity: { ...volume.spec.capacity } };
    if (!deepEqual(status, claim.status)) await this.client.update(T.pvcs, { ...claim, status }, 'status');
  }

  private async syncVolume(name: string): Promise<void> {
    const pv = this.client.get(T.pvs, undefined, name);
    const ref = pv?.spec?.claimRef;
    if (!pv || !ref || pv.metadata.deletionTimestamp) return;
    const pvc = this.client.get(T.pvcs, ref.namespace, ref.name);
    if (pvc && (!ref.uid || pvc.metadata.uid === ref.uid)) {
      // A volume bound to a claim that does not know it yet: finish the binding from the claim's side.
      if (pvc.spec?.volumeName !== name || pvc.status?.phase !== 'Bound') this.queue.add(`pvc:${keyOf(pvc.metadata.namespace, pvc.metadata.name!)}`);
      return;
    }
    if (pv.spec.persistentVolumeReclaimPolicy === 'Retain') {
      if (pv.status?.phase !== 'Released') await this.client.update(T.pvs, { ...pv, status: { ...pv.status, phase: 'Released' } }, 'status');
      return;
    }
    await this.client.delete(T.pvs, undefined, name, { preconditions: { uid: pv.metadata.uid } });
  }

  private event(pvc: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctx.events.emit(pvc, { type, reason, message, source: SOURCE });
  }
}

/** Starts the volume controller (after creating the default StorageClass when there is none). */
export async function startVolumes(ctx: ControllerContext): Promise<Controller> {
  const c = new VolumeController(ctx);
  const { client, queue } = c;
  await c.ensureDefaultClass();
  const claimKey = (ns: string | undefined, name: string) => `pvc:${keyOf(ns, name)}`;
  const pendingClaims = () => {
    for (const pvc of client.list(T.pvcs)) if (pvc.status?.phase !== 'Bound') queue.add(claimKey(pvc.metadata.namespace, pvc.metadata.name!));
  };
  const unsubscribe = client.onChange([T.pvcs, T.pvs, T.storageClasses, T.pods], (ev) => {
    const obj = ev.object;
    if (obj.kind === 'PersistentVolumeClaim') {
      if (ev.type !== 'DELETED') queue.add(claimKey(obj.metadata.namespace, obj.metadata.name!));
      for (const pv of client.list(T.pvs)) if (pv.spec?.claimRef?.uid === obj.metadata.uid) queue.add(`pv:${pv.metadata.name}`);
    } else if (obj.kind === 'PersistentVolume') {
      if (ev.type !== 'DELETED') queue.add(`pv:${obj.metadata.name}`);
      pendingClaims();
    } else if (obj.kind === 'StorageClass') {
      pendingClaims();
    } else if (obj.spec?.nodeName && ev.type !== 'DELETED') {
      for (const claim of claimNamesOf(obj)) queue.add(claimKey(obj.metadata.namespace, claim));
    }
  });
  for (const pvc of client.list(T.pvcs)) queue.add(claimKey(pvc.metadata.namespace, pvc.metadata.name!));
  for (const pv of client.list(T.pvs)) queue.add(`pv:${pv.metadata.name}`);
  return {
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}
