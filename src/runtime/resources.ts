/**
 * The resource table: how a kind maps to its REST path (group, version, plural, scope).
 * Built-in kinds are listed here; custom resources are registered by whoever defines them.
 * A table instead of discovery keeps requests predictable and works before a CRD is served.
 */

import type { KindRef } from '../apimachinery/kind.ts';

export type { KindRef };

/** Everything needed to build the REST path of a kind. */
export interface ResourceType extends KindRef {
  /** API group ('' for the core group). */
  group: string;
  version: string;
  /** Lower-case plural used in URLs, e.g. `configmaps`. */
  plural: string;
  namespaced: boolean;
}

/** What {@link ResourceTable.register} takes. */
export interface ResourceRegistration extends KindRef {
  plural: string;
  namespaced: boolean;
}

/** Splits `apps/v1` into group and version (`v1` is the core group). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The group part of a KindRef's apiVersion. */
export function groupOf(ref: KindRef): string {
  return splitApiVersion(ref.apiVersion).group;
}

/** A short `apiVersion/kind` label for logs and map keys. */
export function kindKey(ref: KindRef): string {
  return `${ref.apiVersion}/${ref.kind}`;
}

const BUILT_INS: ResourceRegistration[] = [
  ...core('ConfigMap', 'Secret', 'Pod', 'Service', 'ServiceAccount', 'PersistentVolumeClaim', 'Event', 'Endpoints', 'ResourceQuota', 'LimitRange'),
  { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { apiVersion: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
  { apiVersion: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false },
  ...namespaced('apps/v1', 'Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet'),
  ...namespaced('batch/v1', 'Job', 'CronJob'),
  ...namespaced('coordination.k8s.io/v1', 'Lease'),
  ...namespaced('events.k8s.io/v1', 'Event'),
  ...namespaced('networking.k8s.io/v1', 'Ingress', 'NetworkPolicy'),
  ...namespaced('discovery.k8s.io/v1', 'EndpointSlice'),
  ...namespaced('policy/v1', 'PodDisruptionBudget'),
  ...namespaced('rbac.authorization.k8s.io/v1', 'Role', 'RoleBinding'),
  ...clusterScoped('rbac.authorization.k8s.io/v1', 'ClusterRole', 'ClusterRoleBinding'),
  ...clusterScoped('apiextensions.k8s.io/v1', 'CustomResourceDefinition'),
  ...clusterScoped('admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'),
  ...clusterScoped('storage.k8s.io/v1', 'StorageClass'),
];

function defaultPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

function core(...kinds: string[]): ResourceRegistration[] {
  return namespaced('v1', ...kinds).map((r) => (r.kind === 'Endpoints' ? { ...r, plural: 'endpoints' } : r));
}

function namespaced(apiVersion: string, ...kinds: string[]): ResourceRegistration[] {
  return kinds.map((kind) => ({ apiVersion, kind, plural: defaultPlural(kind), namespaced: true }));
}

function clusterScoped(apiVersion: string, ...kinds: string[]): ResourceRegistration[] {
  return kinds.map((kind) => ({ apiVersion, kind, plural: defaultPlural(kind), namespaced: false }));
}

/** Maps kinds to resources. Starts with the built-in kinds the platform uses. */
export class ResourceTable {
  readonly #byKind = new Map<string, ResourceType>();

  constructor(extra: ResourceRegistration[] = []) {
    for (const r of [...BUILT_INS, ...extra]) this.register(r);
  }

  /** Adds (or replaces) a kind, typically a custom resource. Returns `this` for chaining. */
  register(r: ResourceRegistration): this {
    const { group, version } = splitApiVersion(r.apiVersion);
    this.#byKind.set(kindKey(r), { apiVersion: r.apiVersion, kind: r.kind, plural: r.plural, namespaced: r.namespaced, group, version });
    return this;
  }

  /** The resource of `ref`; throws when the kind was never registered. */
  resolve(ref: KindRef): ResourceType {
    const found = this.#byKind.get(kindKey(ref));
    if (!found) throw new Error(`kind ${ref.kind} in ${ref.apiVersion} is not in the resource table; register it first`);
    return found;
  }

  /** True when `ref` is registered. */
  has(ref: KindRef): boolean {
    return this.#byKind.has(kindKey(ref));
  }
}

/** Query-free REST paths of a resource: the collection, or one object (with a subresource). */
export function resourcePath(rt: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  const root = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const ns = rt.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  let path = `${root}${ns}/${rt.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource) path += `/${subresource}`;
  return path;
}
