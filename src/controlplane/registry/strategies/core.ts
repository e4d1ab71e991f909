/** Strategies of core kinds with small rules: namespaces, services, secrets, config maps, volumes, nodes. */
import { fieldForbidden, fieldInvalid, fieldRequired, type StatusCause } from '../../../apimachinery/errors.ts';
import type { KubeObject } from '../../../apimachinery/object.ts';
import type { Strategy } from '../resource.ts';

export const namespaceStrategy: Strategy = {
  prepareForCreate(ns) {
    ns.spec = { finalizers: ['kubernetes'] };
    ns.status = { phase: 'Active' };
    ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name! };
  },
  prepareForUpdate(ns, old) {
    ns.spec = old.spec; // namespace spec changes only through /finalize
    ns.metadata.labels = { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name! };
  },
  selectableFields: (ns) => ({ 'status.phase': ns.status?.phase ?? '' }),
};

let nextClusterIp = 1;
/** Allocates Service cluster IPs from 10.96.0.0/12 (what kube's default service CIDR uses). */
function allocateClusterIp(): string {
  const n = nextClusterIp++;
  return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

export const serviceStrategy: Strategy = {
  prepareForCreate(svc) {
    svc.spec ??= {};
    svc.spec.type ??= 'ClusterIP';
    svc.spec.sessionAffinity ??= 'None';
    if (svc.spec.clusterIP !== 'None') svc.spec.clusterIP ??= allocateClusterIp();
    svc.spec.clusterIPs ??= [svc.spec.clusterIP];
    for (const p of svc.spec.ports ?? []) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
    svc.status = { loadBalancer: {} };
  },
  prepareForUpdate(svc, old) {
    svc.spec ??= {};
    svc.spec.clusterIP ??= old.spec?.clusterIP;
    svc.spec.clusterIPs ??= old.spec?.clusterIPs;
    svc.spec.type ??= 'ClusterIP';
    svc.spec.sessionAffinity ??= 'None';
    for (const p of svc.spec.ports ?? []) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
  },
  validate(svc) {
    const causes: StatusCause[] = [];
    (svc.spec?.ports ?? []).forEach((p: any, i: number) => {
      if (!Number.isInteger(p.port) || p.port < 1 || p.port > 65535) {
        causes.push(fieldInvalid(`spec.ports[${i}].port`, p.port ?? null, 'must be between 1 and 65535, inclusive'));
      }
    });
    return causes;
  },
  validateUpdate(svc, old) {
    if (old.spec?.clusterIP && svc.spec?.clusterIP !== old.spec.clusterIP) {
      return [fieldInvalid('spec.clusterIPs[0]', svc.spec?.clusterIP ?? '', 'may not change once set')];
    }
    return [];
  },
};

function immutableData(obj: KubeObject, old: KubeObject): StatusCause[] {
  if (!old.immutable) return [];
  const causes: StatusCause[] = [];
  if (JSON.stringify(obj.data ?? {}) !== JSON.stringify(old.data ?? {})) causes.push(fieldForbidden('data', 'field is immutable when `immutable` is set'));
  if (obj.immutable !== true) causes.push(fieldForbidden('immutable', 'field is immutable when `immutable` is set'));
  return causes;
}

function foldStringData(secret: KubeObject): void {
  if (!secret.stringData) return;
  secret.data ??= {};
  for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(String(v)).toString('base64');
  delete secret.stringData;
}

export const secretStrategy: Strategy = {
  prepareForCreate(s) {
    foldStringData(s);
    s.type ??= 'Opaque';
  },
  prepareForUpdate: (s) => foldStringData(s),
  validate(s) {
    const causes: StatusCause[] = [];
    for (const [k, v] of Object.entries(s.data ?? {})) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) causes.push(fieldInvalid(`data[${k}]`, '<value omitted>', 'illegal base64 data'));
    }
    return causes;
  },
  validateUpdate: (s, old) => [
    ...immutableData(s, old),
    ...(s.type !== old.type ? [fieldInvalid('type', s.type, 'field is immutable')] : []),
  ],
  selectableFields: (s) => ({ type: s.type ?? '' }),
};

export const configMapStrategy: Strategy = { validateUpdate: immutableData };

export const pvcStrategy: Strategy = {
  prepareForCreate(pvc) {
    pvc.spec ??= {};
    pvc.spec.volumeMode ??= 'Filesystem';
    pvc.status = { phase: 'Pending' };
  },
  validate(pvc) {
    const causes: StatusCause[] = [];
    if (!pvc.spec?.accessModes?.length) causes.push(fieldRequired('spec.accessModes', 'at least 1 access mode is required'));
    if (!pvc.spec?.resources?.requests?.storage) causes.push(fieldRequired('spec.resources[storage]'));
    return causes;
  },
  validateUpdate(pvc, old) {
    // Setting a class on a claim that had none is allowed (the DefaultStorageClass admission does it).
    const classFree = old.spec?.storageClassName === undefined;
    const strip = (spec: any) =>
      JSON.stringify({ ...spec, resources: undefined, volumeName: undefined, ...(classFree ? { storageClassName: undefined } : {}) });
    const binding = !old.spec?.volumeName && pvc.spec?.volumeName;
    if (strip(pvc.spec) === strip(old.spec) && (binding || pvc.spec?.volumeName === old.spec?.volumeName)) return [];
    return [fieldForbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
  },
};

export const pvStrategy: Strategy = {
  prepareForCreate(pv) {
    pv.status = { phase: 'Available' };
    pv.spec ??= {};
    pv.spec.persistentVolumeReclaimPolicy ??= 'Retain';
    pv.spec.volumeMode ??= 'Filesystem';
  },
};

export const nodeStrategy: Strategy = {
  prepareForCreate(node) {
    node.spec ??= {};
    node.status ??= {};
  },
  selectableFields: (n) => ({ 'spec.unschedulable': String(n.spec?.unschedulable ?? false) }),
};

export const eventStrategy: Strategy = {
  selectableFields(e) {
    const io = e.involvedObject ?? e.regarding ?? {};
    return {
      'involvedObject.kind': io.kind ?? '', 'involvedObject.name': io.name ?? '', 'involvedObject.namespace': io.namespace ?? '',
      'involvedObject.uid': io.uid ?? '', 'involvedObject.apiVersion': io.apiVersion ?? '', 'involvedObject.resourceVersion': io.resourceVersion ?? '',
      'involvedObject.fieldPath': io.fieldPath ?? '', reason: e.reason ?? '', type: e.type ?? '', source: e.source?.component ?? e.reportingController ?? '',
      'regarding.kind': io.kind ?? '', 'regarding.name': io.name ?? '', 'regarding.namespace': io.namespace ?? '',
      reportingController: e.reportingController ?? '',
    };
  },
};
