/**
 * Patch metadata of the built-in kinds: the `patchStrategy`/`patchMergeKey` struct tags that
 * strategic merge patch reads, and the `+listType`/`+listMapKey` markers that server-side apply
 * reads, transcribed from the kubernetes/api types (core/v1, apps/v1, batch/v1, policy/v1,
 * networking/v1, coordination/v1, events/v1) and metav1.ObjectMeta.
 *
 * Only fields that carry metadata, or lead to a type that does, are listed: every other list is
 * replaced by strategic merge patch and atomic for server-side apply, every other map is merged.
 * Kubernetes itself keeps some lists atomic that one might expect to merge: `spec.tolerations`,
 * `spec.taints` (Node), `spec.finalizers` (Namespace), `imagePullSecrets` (ServiceAccount),
 * `subsets` (Endpoints), and all Ingress/NetworkPolicy lists.
 */
import type { JsonValue } from '../../apimachinery/object.ts';

/** How one field of a built-in type is patched. */
export interface FieldPatchMeta {
  /** The struct type of the value (or of each list element) when it has patch metadata of its own. */
  readonly type?: string;
  /**
   * Strategic merge `patchStrategy`: `merge` lists merge (by `mergeKey` for objects, as a set for
   * scalars); `replace` maps are replaced whole. Absent: lists are replaced, maps merged.
   */
  readonly strategy?: 'merge' | 'replace';
  /** Strategic merge `patchMergeKey`. */
  readonly mergeKey?: string;
  /** Server-side apply list type (`x-kubernetes-list-type`); absent means atomic. */
  readonly listType?: 'map' | 'set';
  /** Server-side apply key fields of a `map` list (`x-kubernetes-list-map-keys`). */
  readonly listMapKeys?: readonly string[];
  /** Defaults of key fields an item may omit (the `+default` of `protocol`). */
  readonly keyDefaults?: Readonly<Record<string, JsonValue>>;
}

/** The patched fields of one type, by JSON field name. */
export type TypeFields = Readonly<Record<string, FieldPatchMeta>>;

/** A list merged by `key` for both strategic merge patch and server-side apply. */
function byKey(key: string, type?: string): FieldPatchMeta {
  return { strategy: 'merge', mergeKey: key, listType: 'map', listMapKeys: [key], ...(type ? { type } : {}) };
}

/** Ports: strategic merge by port number, apply by port number and protocol (TCP when omitted). */
function portsBy(key: string): FieldPatchMeta {
  return { strategy: 'merge', mergeKey: key, listType: 'map', listMapKeys: [key, 'protocol'], keyDefaults: { protocol: 'TCP' } };
}

const scalarSet: FieldPatchMeta = { strategy: 'merge', listType: 'set' };
const conditions = byKey('type');

function nested(type: string): FieldPatchMeta {
  return { type };
}

/** Struct types, by Go type name. */
const STRUCTS: Readonly<Record<string, TypeFields>> = {
  ObjectMeta: { ownerReferences: byKey('uid'), finalizers: scalarSet },
  PodTemplateSpec: { metadata: nested('ObjectMeta'), spec: nested('PodSpec') },
  PodSpec: {
    // volumes and resourceClaims also carry `retainKeys`; the `$retainKeys` directive is honoured everywhere.
    volumes: byKey('name'),
    initContainers: byKey('name', 'Container'),
    containers: byKey('name', 'Container'),
    ephemeralContainers: byKey('name', 'Container'),
    imagePullSecrets: byKey('name'),
    hostAliases: byKey('ip'),
    topologySpreadConstraints: {
      strategy: 'merge', mergeKey: 'topologyKey', listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
    },
    schedulingGates: byKey('name'),
    resourceClaims: byKey('name'),
  },
  Container: {
    ports: portsBy('containerPort'),
    env: byKey('name'),
    volumeMounts: byKey('mountPath'),
    volumeDevices: byKey('devicePath'),
    resources: nested('ResourceRequirements'),
  },
  ResourceRequirements: { claims: { listType: 'map', listMapKeys: ['name'] } },
  PodStatus: {
    conditions,
    podIPs: byKey('ip'),
    hostIPs: { strategy: 'merge', mergeKey: 'ip' },
    resourceClaimStatuses: byKey('name'),
  },
  StatusWithConditions: { conditions },
  WorkloadSpec: { template: nested('PodTemplateSpec') },
  JobTemplateSpec: { metadata: nested('ObjectMeta'), spec: nested('WorkloadSpec') },
  CronJobSpec: { jobTemplate: nested('JobTemplateSpec') },
  // Job conditions merge by type in strategic merge patch but are atomic for apply.
  JobStatus: { conditions: { strategy: 'merge', mergeKey: 'type' } },
  ServiceSpec: { ports: portsBy('port') },
  NodeSpec: { podCIDRs: scalarSet },
  NodeStatus: { conditions, addresses: byKey('type') },
  PodDisruptionBudgetSpec: { selector: { strategy: 'replace' } },
};

/** The top-level fields of a kind: metadata is ObjectMeta everywhere. */
function root(spec?: string, status?: string, extra: TypeFields = {}): TypeFields {
  return {
    metadata: nested('ObjectMeta'),
    ...(spec ? { spec: nested(spec) } : {}),
    ...(status ? { status: nested(status) } : {}),
    ...extra,
  };
}

const OBJECT_ONLY = root();

/** Built-in kinds by group-qualified kind (`Deployment.apps`, `Pod`). */
const KINDS: Readonly<Record<string, TypeFields>> = {
  Pod: root('PodSpec', 'PodStatus'),
  PodTemplate: root(undefined, undefined, { template: nested('PodTemplateSpec') }),
  ReplicationController: root('WorkloadSpec', 'StatusWithConditions'),
  'Deployment.apps': root('WorkloadSpec', 'StatusWithConditions'),
  'ReplicaSet.apps': root('WorkloadSpec', 'StatusWithConditions'),
  'StatefulSet.apps': root('WorkloadSpec', 'StatusWithConditions'),
  'DaemonSet.apps': root('WorkloadSpec', 'StatusWithConditions'),
  'Job.batch': root('WorkloadSpec', 'JobStatus'),
  'CronJob.batch': root('CronJobSpec'),
  Service: root('ServiceSpec', 'StatusWithConditions'),
  Node: root('NodeSpec', 'NodeStatus'),
  Namespace: root(undefined, 'StatusWithConditions'),
  PersistentVolumeClaim: root(undefined, 'StatusWithConditions'),
  ServiceAccount: root(undefined, undefined, { secrets: byKey('name') }),
  Endpoints: OBJECT_ONLY,
  ConfigMap: OBJECT_ONLY,
  Secret: OBJECT_ONLY,
  Event: OBJECT_ONLY,
  'Event.events.k8s.io': OBJECT_ONLY,
  'Ingress.networking.k8s.io': OBJECT_ONLY,
  'NetworkPolicy.networking.k8s.io': OBJECT_ONLY,
  'Lease.coordination.k8s.io': OBJECT_ONLY,
  'PodDisruptionBudget.policy': root('PodDisruptionBudgetSpec', 'StatusWithConditions'),
};

/** The key the patch engines take for a kind: `apps/v1/Deployment`, or `v1/Pod` for the core group. */
export function strategicMergeKind(group: string, version: string, kind: string): string {
  return group ? `${group}/${version}/${kind}` : `${version}/${kind}`;
}

/**
 * The top-level fields of a kind key (`apps/v1/Deployment`, `v1/Pod`). Kinds not in the table get
 * ObjectMeta metadata only, so everything else behaves like a JSON merge patch.
 */
export function rootFieldsOf(kind: string): TypeFields {
  const parts = kind.split('/');
  const name = parts[parts.length - 1];
  const group = parts.length > 2 ? parts.slice(0, -2).join('/') : '';
  const qualified = group ? `${name}.${group}` : name;
  return Object.hasOwn(KINDS, qualified) ? KINDS[qualified] : OBJECT_ONLY;
}

/** The metadata of field `name` in `fields` (own properties only: `constructor` is a field name, not a lookup). */
export function fieldMetaIn(fields: TypeFields | undefined, name: string): FieldPatchMeta | undefined {
  return fields && Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/** The fields of the value (or list element) type of `meta`, when that type has patch metadata. */
export function childFieldsOf(meta: FieldPatchMeta | undefined): TypeFields | undefined {
  return meta?.type && Object.hasOwn(STRUCTS, meta.type) ? STRUCTS[meta.type] : undefined;
}

/** The metadata at a field path of a kind (`['spec', 'template', 'spec', 'containers']`); list items add no path segment. */
export function fieldMetaAt(kind: string, fieldPath: readonly string[]): FieldPatchMeta | undefined {
  let fields: TypeFields | undefined = rootFieldsOf(kind);
  let meta: FieldPatchMeta | undefined;
  for (const name of fieldPath) {
    meta = fieldMetaIn(fields, name);
    if (!meta) return undefined;
    fields = childFieldsOf(meta);
  }
  return meta;
}
