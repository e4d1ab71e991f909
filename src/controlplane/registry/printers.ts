/**
 * Printer columns of built-in kinds, the ones `kubectl get` shows (kube-apiserver's
 * pkg/printers/internalversion prints the same headers). Age cells are the creation time; the
 * Table writer turns `date` columns into ages.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { PrinterColumn } from './resource.ts';

const age: PrinterColumn = { name: 'Age', type: 'date', cell: (o) => o.metadata.creationTimestamp };

function col(name: string, cell: (o: KubeObject) => unknown, priority = 0, type: PrinterColumn['type'] = 'string'): PrinterColumn {
  return { name, type, priority, cell };
}

function podStatusText(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  const waiting = (pod.status?.containerStatuses ?? []).find((c: any) => c.state?.waiting?.reason);
  if (waiting) return waiting.state.waiting.reason;
  return pod.status?.reason ?? pod.status?.phase ?? 'Pending';
}

function podReady(pod: KubeObject): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? 0;
  return `${statuses.filter((c: any) => c.ready).length}/${total}`;
}

function podRestarts(pod: KubeObject): number {
  return (pod.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0);
}

function nodeStatus(node: KubeObject): string {
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  const parts = [ready?.status === 'True' ? 'Ready' : 'NotReady'];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: KubeObject): string {
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  return roles.length ? roles.join(',') : '<none>';
}

function servicePorts(svc: KubeObject): string {
  const ports = (svc.spec?.ports ?? []).map((p: any) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`);
  return ports.length ? ports.join(',') : '<none>';
}

/** Printer columns by `group/Kind` (core group as `/Kind`). */
export const builtinPrinters: Record<string, PrinterColumn[]> = {
  '/Pod': [
    col('Ready', podReady), col('Status', podStatusText), col('Restarts', podRestarts, 0, 'integer'), age,
    col('IP', (o) => o.status?.podIP ?? '<none>', 1), col('Node', (o) => o.spec?.nodeName ?? '<none>', 1),
  ],
  '/Node': [col('Status', nodeStatus), col('Roles', nodeRoles), age, col('Version', (o) => o.status?.nodeInfo?.kubeletVersion ?? '')],
  '/Namespace': [col('Status', (o) => o.status?.phase ?? 'Active'), age],
  '/Service': [
    col('Type', (o) => o.spec?.type ?? 'ClusterIP'), col('Cluster-IP', (o) => o.spec?.clusterIP ?? '<none>'),
    col('External-IP', () => '<none>'), col('Port(s)', servicePorts), age,
  ],
  '/PersistentVolumeClaim': [
    col('Status', (o) => o.status?.phase ?? 'Pending'), col('Volume', (o) => o.spec?.volumeName ?? ''),
    col('Capacity', (o) => o.status?.capacity?.storage ?? ''), col('Access Modes', (o) => accessModes(o.status?.accessModes)),
    col('StorageClass', (o) => o.spec?.storageClassName ?? ''), age,
  ],
  '/PersistentVolume': [
    col('Capacity', (o) => o.spec?.capacity?.storage ?? ''), col('Access Modes', (o) => accessModes(o.spec?.accessModes)),
    col('Reclaim Policy', (o) => o.spec?.persistentVolumeReclaimPolicy ?? ''), col('Status', (o) => o.status?.phase ?? ''),
    col('Claim', (o) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '')),
    col('StorageClass', (o) => o.spec?.storageClassName ?? ''), age,
  ],
  '/ConfigMap': [col('Data', (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, 0, 'integer'), age],
  '/Secret': [col('Type', (o) => o.type ?? 'Opaque'), col('Data', (o) => Object.keys(o.data ?? {}).length, 0, 'integer'), age],
  '/Endpoints': [col('Endpoints', (o) => endpointsText(o)), age],
  'apps/Deployment': [
    col('Ready', (o) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`),
    col('Up-to-date', (o) => o.status?.updatedReplicas ?? 0, 0, 'integer'),
    col('Available', (o) => o.status?.availableReplicas ?? 0, 0, 'integer'), age,
  ],
  'apps/ReplicaSet': [
    col('Desired', (o) => o.spec?.replicas ?? 1, 0, 'integer'), col('Current', (o) => o.status?.replicas ?? 0, 0, 'integer'),
    col('Ready', (o) => o.status?.readyReplicas ?? 0, 0, 'integer'), age,
  ],
  'storage.k8s.io/StorageClass': [
    col('Provisioner', (o) => o.provisioner), col('ReclaimPolicy', (o) => o.reclaimPolicy ?? 'Delete'),
    col('VolumeBindingMode', (o) => o.volumeBindingMode ?? 'Immediate'), age,
  ],
  'coordination.k8s.io/Lease': [col('Holder', (o) => o.spec?.holderIdentity ?? ''), age],
  'policy/PodDisruptionBudget': [
    col('Min Available', (o) => o.spec?.minAvailable ?? 'N/A'), col('Max Unavailable', (o) => o.spec?.maxUnavailable ?? 'N/A'),
    col('Allowed Disruptions', (o) => o.status?.disruptionsAllowed ?? 0, 0, 'integer'), age,
  ],
  'apiextensions.k8s.io/CustomResourceDefinition': [col('Created At', (o) => o.metadata.creationTimestamp, 0, 'date')],
};

function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return (modes ?? []).map((m) => short[m] ?? m).join(',');
}

function endpointsText(ep: KubeObject): string {
  const addrs: string[] = [];
  for (const s of ep.subsets ?? []) {
    for (const a of s.addresses ?? []) for (const p of s.ports ?? [{ port: '' }]) addrs.push(`${a.ip}:${p.port}`);
  }
  return addrs.length ? addrs.join(',') : '<none>';
}

/** The default columns when a kind has none of its own. */
export const defaultPrinterColumns: PrinterColumn[] = [age];
