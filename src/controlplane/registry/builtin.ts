/**
 * The built-in resource types the embedded control plane serves, with the names, scopes, verbs,
 * short names and subresources kube-apiserver gives them.
 */
import { builtinPrinters } from './printers.ts';
import type { ResourceType, ScaleSubresource, Strategy } from './resource.ts';
import {
  configMapStrategy, eventStrategy, namespaceStrategy, nodeStrategy, pvStrategy, pvcStrategy, secretStrategy, serviceStrategy,
} from './strategies/core.ts';
import { crdStrategy } from './strategies/crds.ts';
import { podStrategy } from './strategies/pods.ts';
import { deploymentStrategy, replicaSetStrategy } from './strategies/workloads.ts';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface BuiltinSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  scale?: ScaleSubresource;
  extra?: string[];
  strategy?: Strategy;
  /** Package of its OpenAPI schema name, e.g. `core` → io.k8s.api.core.v1.Pod. */
  schemaPackage: string;
  graceful?: boolean;
  allowUnconditionalUpdate?: boolean;
  /** See ResourceType.tracksGeneration. */
  generation?: boolean;
}

const WORKLOAD_SCALE: ScaleSubresource = { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' };

function builtin(s: BuiltinSpec): ResourceType {
  const group = s.group;
  return {
    group, version: s.version, kind: s.kind, listKind: `${s.kind}List`, plural: s.plural, singular: s.kind.toLowerCase(),
    namespaced: s.namespaced, shortNames: s.shortNames ?? [], categories: s.categories ?? [], verbs: ALL_VERBS,
    subresources: { status: s.status, scale: s.scale, extra: s.extra }, custom: false, tracksGeneration: s.generation ?? false,
    allowUnconditionalUpdate: s.allowUnconditionalUpdate ?? true,
    schemaName: s.schemaPackage.startsWith('io.') ? `${s.schemaPackage}.${s.kind}` : `io.k8s.api.${s.schemaPackage}.${s.version}.${s.kind}`,
    graceful: s.graceful, printerColumns: builtinPrinters[`${group}/${s.kind}`], strategy: s.strategy ?? {},
  };
}

const core = (kind: string, plural: string, rest: Partial<BuiltinSpec> = {}): ResourceType =>
  builtin({ group: '', version: 'v1', kind, plural, namespaced: true, schemaPackage: 'core', ...rest });

/** Every built-in resource type, in discovery order. */
export const builtinResources: ResourceType[] = [
  core('Namespace', 'namespaces', { namespaced: false, shortNames: ['ns'], status: true, extra: ['finalize'], strategy: namespaceStrategy }),
  core('Pod', 'pods', { generation: true, shortNames: ['po'], categories: ['all'], status: true, extra: ['log', 'eviction', 'binding'], strategy: podStrategy, graceful: true }),
  core('Service', 'services', { shortNames: ['svc'], categories: ['all'], status: true, strategy: serviceStrategy }),
  core('Endpoints', 'endpoints', { shortNames: ['ep'] }),
  core('ConfigMap', 'configmaps', { shortNames: ['cm'], strategy: configMapStrategy }),
  core('Secret', 'secrets', { strategy: secretStrategy }),
  core('ServiceAccount', 'serviceaccounts', { shortNames: ['sa'] }),
  core('Event', 'events', { shortNames: ['ev'], strategy: eventStrategy }),
  core('Node', 'nodes', { namespaced: false, shortNames: ['no'], status: true, strategy: nodeStrategy }),
  core('PersistentVolume', 'persistentvolumes', { namespaced: false, shortNames: ['pv'], status: true, strategy: pvStrategy }),
  core('PersistentVolumeClaim', 'persistentvolumeclaims', { shortNames: ['pvc'], status: true, strategy: pvcStrategy }),
  builtin({ group: 'apps', version: 'v1', kind: 'Deployment', generation: true, plural: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'], status: true, scale: WORKLOAD_SCALE, strategy: deploymentStrategy, schemaPackage: 'apps' }),
  builtin({ group: 'apps', version: 'v1', kind: 'ReplicaSet', generation: true, plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'], status: true, scale: WORKLOAD_SCALE, strategy: replicaSetStrategy, schemaPackage: 'apps' }),
  builtin({ group: 'events.k8s.io', version: 'v1', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], strategy: eventStrategy, schemaPackage: 'events' }),
  builtin({ group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', namespaced: false, shortNames: ['sc'], schemaPackage: 'storage' }),
  builtin({ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', generation: true, plural: 'ingresses', namespaced: true, shortNames: ['ing'], status: true, schemaPackage: 'networking' }),
  builtin({ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', generation: true, plural: 'networkpolicies', namespaced: true, shortNames: ['netpol'], schemaPackage: 'networking' }),
  builtin({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', namespaced: true, schemaPackage: 'coordination' }),
  builtin({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', generation: true, plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'], status: true, schemaPackage: 'policy' }),
  builtin({ group: 'admissionregistration.k8s.io', version: 'v1', kind: 'MutatingWebhookConfiguration', generation: true, plural: 'mutatingwebhookconfigurations', namespaced: false, categories: ['api-extensions'], schemaPackage: 'admissionregistration' }),
  builtin({ group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration', generation: true, plural: 'validatingwebhookconfigurations', namespaced: false, categories: ['api-extensions'], schemaPackage: 'admissionregistration' }),
  builtin({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', generation: true, plural: 'customresourcedefinitions', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], status: true, strategy: crdStrategy, schemaPackage: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1' }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles', namespaced: true, schemaPackage: 'rbac' }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings', namespaced: true, schemaPackage: 'rbac' }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', namespaced: false, schemaPackage: 'rbac' }),
  builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false, schemaPackage: 'rbac' }),
];
