/**
 * Naming between the two worlds: client-node model classes (`V1Pod`, `CoreV1Event`,
 * `V1DeploymentSpec`) and the OpenAPI component names kube-apiserver publishes
 * (`io.k8s.api.core.v1.Pod`, `io.k8s.api.events.v1.Event`, `io.k8s.api.apps.v1.DeploymentSpec`).
 *
 * client-node drops the API group from model names and only prefixes it (`CoreV1…`, `EventsV1…`)
 * where two groups define the same name. The group of an unprefixed nested model is therefore
 * inferred, by this rule:
 *   1. apimachinery's meta/v1 types (ObjectMeta, LabelSelector, Condition…) are meta;
 *   2. a group-prefixed name says its group;
 *   3. core types that other groups embed (PodTemplateSpec, ObjectReference, Toleration…) are core;
 *   4. anything else belongs to the group of the model that references it, i.e. of the top-level
 *      kind it was reached from (DeploymentSpec and RollingUpdateDeployment are apps).
 * The table in 3 is the complete set of such cross-group references among client-node's v1 models.
 */
import { hasModel } from './client-node-models.ts';

const META_PACKAGE = 'io.k8s.apimachinery.pkg.apis.meta';
const CORE_PACKAGE = 'io.k8s.api.core';

/** apimachinery pkg/apis/meta/v1 types client-node names `V1<Type>`. */
const META_V1_TYPES = new Set([
  'APIGroup', 'APIGroupList', 'APIResource', 'APIResourceList', 'APIVersions', 'Condition', 'DeleteOptions',
  'FieldSelectorRequirement', 'GroupResource', 'GroupVersionForDiscovery', 'LabelSelector', 'LabelSelectorRequirement', 'ListMeta',
  'ManagedFieldsEntry', 'ObjectMeta', 'OwnerReference', 'Preconditions', 'ServerAddressByClientCIDR', 'ShardInfo', 'Status',
  'StatusCause', 'StatusDetails', 'WatchEvent',
]);

/** Core v1 types referenced from other groups' models. */
const CORE_V1_SHARED_TYPES = new Set([
  'EventSource', 'NodeSelector', 'ObjectReference', 'PersistentVolumeClaim', 'PersistentVolumeSpec', 'PodTemplateSpec',
  'Toleration', 'TopologySelectorTerm', 'TypedLocalObjectReference',
]);

/** Component names of the apimachinery value types client-node flattens to strings. */
export const INT_OR_STRING_SCHEMA = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY_SCHEMA = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const OBJECT_META_SCHEMA = `${META_PACKAGE}.v1.ObjectMeta`;
export const LIST_META_SCHEMA = `${META_PACKAGE}.v1.ListMeta`;

const MODEL_NAME = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z][A-Za-z0-9]*)$/;

/** The parts of a client-node model name: group prefix (if any), version and type. */
export interface ModelNameParts {
  prefix?: string;
  version: string;
  type: string;
}

/** Splits `CoreV1Event` into prefix `Core`, version `v1`, type `Event`; undefined for non-model names. */
export function parseModelName(model: string): ModelNameParts | undefined {
  const m = MODEL_NAME.exec(model);
  if (!m) return undefined;
  return { prefix: m[1], version: m[2].toLowerCase(), type: m[3] };
}

/** The OpenAPI name prefix of an API group's types: `io.k8s.api.apps`, `io.k8s.api.core` for the core group. */
export function packageForGroup(group: string): string {
  if (!group) return CORE_PACKAGE;
  const first = group.split('.')[0];
  return packageForPrefix(group === 'internal.apiserver.k8s.io' ? 'apiserverinternal' : first);
}

function packageForPrefix(prefix: string): string {
  const lower = prefix.toLowerCase();
  if (lower === 'apiextensions') return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions';
  if (lower === 'apiregistration') return 'io.k8s.kube-aggregator.pkg.apis.apiregistration';
  return `io.k8s.api.${lower}`;
}

/** The package (`io.k8s.api.apps`) of an OpenAPI name (`io.k8s.api.apps.v1.Deployment`). */
export function packageOf(schemaName: string): string {
  return schemaName.split('.').slice(0, -2).join('.');
}

/**
 * The OpenAPI component name of a client-node model reached from a model of package
 * `referrerPackage` (see the module comment for the rule).
 */
export function schemaNameForModel(model: string, referrerPackage: string): string {
  const parts = parseModelName(model);
  if (!parts) throw new Error(`not a client-node model name: ${model}`);
  return `${modelPackage(parts, referrerPackage)}.${parts.version}.${parts.type}`;
}

function modelPackage(parts: ModelNameParts, referrerPackage: string): string {
  if (parts.prefix) return packageForPrefix(parts.prefix);
  if (parts.version === 'v1' && META_V1_TYPES.has(parts.type)) return META_PACKAGE;
  if (parts.version === 'v1' && CORE_V1_SHARED_TYPES.has(parts.type)) return CORE_PACKAGE;
  return referrerPackage;
}

/** The OpenAPI name of a top-level kind: `io.k8s.api.apps.v1.Deployment`. */
export function schemaNameForKind(group: string, version: string, kind: string): string {
  return `${packageForGroup(group)}.${version}.${kind}`;
}

/**
 * The client-node model of a built-in kind: `V1Pod`, `V1Deployment`, `CoreV1Event` (core/v1) vs
 * `EventsV1Event` (events.k8s.io/v1). Undefined when client-node has no such model.
 */
export function modelNameFor(group: string, version: string, kind: string): string | undefined {
  const versionPart = version.charAt(0).toUpperCase() + version.slice(1);
  const first = group ? group.split('.')[0] : 'core';
  const prefixed = `${first.charAt(0).toUpperCase()}${first.slice(1)}${versionPart}${kind}`;
  if (hasModel(prefixed)) return prefixed;
  const plain = `${versionPart}${kind}`;
  return hasModel(plain) ? plain : undefined;
}
