/**
 * What the server knows about one resource type: its names (for URLs, discovery and messages),
 * its scope, its subresources and the strategy hooks that give it behaviour beyond generic
 * storage. Built-in types are described in ./builtin.ts; custom resources are described from their
 * CustomResourceDefinition in ./custom.ts.
 */
import type { StatusCause } from '../../apimachinery/errors.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import type { JSONSchemaProps } from '../schema/structural.ts';

/** The scale subresource's paths (CRDs) or fixed shape (Deployments, ReplicaSets). */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** A printer column of Table responses. */
export interface PrinterColumn {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
  /** JSONPath for custom resources (`.spec.user`). */
  jsonPath?: string;
  /** Computed cell for built-in kinds. */
  cell?: (obj: KubeObject, now: number) => unknown;
}

/** Behaviour hooks, named after kube-apiserver's RESTStrategy methods. */
export interface Strategy {
  /** Sets server-owned fields on create (status of a new Pod, a Namespace's finalizers…). */
  prepareForCreate?(obj: KubeObject): void;
  /** Adjusts an update before validation (e.g. keep fields users may not change). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Kind-specific validation of a new object, beyond its schema. */
  validate?(obj: KubeObject): StatusCause[];
  /** Kind-specific validation of an update (immutable fields…). */
  validateUpdate?(obj: KubeObject, old: KubeObject): StatusCause[];
  /** Field-selector values of an object, beyond metadata.name/namespace. */
  selectableFields?(obj: KubeObject): Record<string, string>;
}

/** One served resource type (group/version/plural). */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresource names served besides the object itself. */
  subresources: { status?: boolean; scale?: ScaleSubresource; extra?: string[] };
  /** True for CRD-backed types: strategic merge patch answers 415, PUT needs a resourceVersion. */
  custom: boolean;
  /**
   * Whether metadata.generation is kept (1 on create, +1 on each spec change and on graceful
   * deletion), as the kind's kube-apiserver strategy does: workloads, Pods, Ingresses, webhook
   * configurations, CRDs and every custom resource; not ConfigMaps, Secrets, Services, Nodes….
   */
  tracksGeneration: boolean;
  /** Whether PUT without metadata.resourceVersion is allowed (ConfigMaps yes, custom resources no). */
  allowUnconditionalUpdate: boolean;
  /** Name of its OpenAPI component schema (`io.k8s.api.core.v1.Pod`). */
  schemaName: string;
  /** Structural schema for custom resources (validation, pruning, defaulting). */
  schema?: JSONSchemaProps;
  /** Pods are deleted gracefully: deletion sets a deletionTimestamp and the kubelet finishes it. */
  graceful?: boolean;
  printerColumns?: PrinterColumn[];
  strategy: Strategy;
  /** A custom resource whose CRD is being deleted: served, but no new objects. */
  terminating?: boolean;
}

/** The `apiVersion` of a resource type's objects. */
export function apiVersionOf(rt: Pick<ResourceType, 'group' | 'version'>): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** The storage name of a resource type: `apps/deployments`, `/pods` for the core group. */
export function storageName(rt: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${rt.group}/${rt.plural}`;
}
