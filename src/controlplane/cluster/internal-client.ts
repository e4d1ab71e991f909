/**
 * The client the simulated cluster controllers use: the same verbs as HTTP requests (admission,
 * validation, resourceVersions, watch events), called in-process as the system user. Controllers
 * inside the control plane play the part of kube-controller-manager, the scheduler and kubelets,
 * which in a real cluster are API clients too.
 */
import { StatusError } from '../../apimachinery/errors.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import type { ResourceType } from '../registry/resource.ts';
import { storageName } from '../registry/resource.ts';
import type { ChangeEvent } from '../storage/store.ts';
import { createObject } from '../verbs/create.ts';
import { deleteObject, type DeleteOptions } from '../verbs/delete.ts';
import { patchObject, PATCH_TYPES } from '../verbs/patch.ts';
import { getObject, listObjects } from '../verbs/read.ts';
import { SYSTEM_USER, type RequestScope, type Services, type UserInfo } from '../verbs/scope.ts';
import { updateObject } from '../verbs/update.ts';

/** A reference to a resource type: `{group, version, plural}`. */
export interface TypeRef {
  group: string;
  version: string;
  plural: string;
}

/** Common type references of the simulated controllers. */
export const T = {
  pods: { group: '', version: 'v1', plural: 'pods' },
  nodes: { group: '', version: 'v1', plural: 'nodes' },
  namespaces: { group: '', version: 'v1', plural: 'namespaces' },
  services: { group: '', version: 'v1', plural: 'services' },
  endpoints: { group: '', version: 'v1', plural: 'endpoints' },
  events: { group: '', version: 'v1', plural: 'events' },
  pvcs: { group: '', version: 'v1', plural: 'persistentvolumeclaims' },
  pvs: { group: '', version: 'v1', plural: 'persistentvolumes' },
  serviceAccounts: { group: '', version: 'v1', plural: 'serviceaccounts' },
  configMaps: { group: '', version: 'v1', plural: 'configmaps' },
  secrets: { group: '', version: 'v1', plural: 'secrets' },
  crds: { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments' },
  replicaSets: { group: 'apps', version: 'v1', plural: 'replicasets' },
  storageClasses: { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses' },
  pdbs: { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets' },
} satisfies Record<string, TypeRef>;

/** True when `err` is a Status error with `code`. */
export function isStatus(err: unknown, code: number): boolean {
  return err instanceof StatusError && err.code === code;
}

/** In-process API client acting as a system component. */
export class InternalClient {
  private readonly svc: Services;
  private readonly user: UserInfo;
  private readonly manager: string;

  constructor(svc: Services, manager: string, user: UserInfo = SYSTEM_USER) {
    this.svc = svc;
    this.user = user;
    this.manager = manager;
  }

  /** A registered type; a full ResourceType passes through (a terminating CRD's types are no longer registered). */
  private type(ref: TypeRef | ResourceType): ResourceType {
    if ('strategy' in ref) return ref;
    const rt = this.svc.registry.find(ref.group, ref.version, ref.plural);
    if (!rt) throw new Error(`unknown resource ${ref.group}/${ref.version}/${ref.plural}`);
    return rt;
  }

  private scope(ref: TypeRef | ResourceType, namespace?: string): RequestScope {
    return { rt: this.type(ref), namespace, user: this.user, dryRun: false, fieldManager: this.manager, fieldValidation: 'Ignore', warnings: [] };
  }

  get(ref: TypeRef | ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    try {
      return getObject(this.svc, this.type(ref), namespace, name);
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  list(ref: TypeRef | ResourceType, namespace?: string): KubeObject[] {
    return listObjects(this.svc, this.type(ref), namespace, { filter: {} }).items;
  }

  create(ref: TypeRef | ResourceType, obj: KubeObject): Promise<KubeObject> {
    return createObject(this.svc, this.scope(ref, obj.metadata.namespace), obj);
  }

  update(ref: TypeRef | ResourceType, obj: KubeObject, subresource = ''): Promise<KubeObject> {
    return updateObject(this.svc, this.scope(ref, obj.metadata.namespace), obj.metadata.name!, obj, subresource);
  }

  /** Merge-patches an object (or its status), retried on conflicts by the verb. */
  patch(ref: TypeRef | ResourceType, namespace: string | undefined, name: string, patch: unknown, subresource = ''): Promise<KubeObject> {
    return patchObject(this.svc, this.scope(ref, namespace), name, {
      contentType: PATCH_TYPES.merge, body: JSON.stringify(patch), force: false, subresource,
    });
  }

  /** Deletes; a missing object is not an error. */
  async delete(ref: TypeRef | ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<void> {
    try {
      await deleteObject(this.svc, this.scope(ref, namespace), name, opts);
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }

  /** Calls `fn` for every committed change of every resource (garbage collector, namespace controller). */
  onEveryChange(fn: (ev: ChangeEvent) => void): () => void {
    return this.svc.store.subscribe(fn);
  }

  /**
   * The namespace controller's last step: PUT namespaces/{name}/finalize without `finalizer`.
   * Once spec.finalizers is empty the namespace is removed (kube-apiserver's namespace store
   * deletes on that update). Until verbs/update.ts applies the finalize subresource itself, an
   * update it left unchanged is completed here with the same compare-and-swap removal.
   */
  async finalizeNamespace(ns: KubeObject, finalizer: string): Promise<void> {
    const spec = { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f: string) => f !== finalizer) };
    // PUT namespaces/{name}/finalize; with no finalizers left the update removes the namespace.
    await this.update(T.namespaces, { ...ns, spec }, 'finalize');
  }

  /** Calls `fn` for every committed change of the given types. */
  onChange(refs: TypeRef[], fn: (ev: ChangeEvent) => void): () => void {
    const names = new Set(refs.map((r) => storageName({ group: r.group, plural: r.plural })));
    return this.svc.store.subscribe((ev) => {
      if (names.has(ev.resource)) fn(ev);
    });
  }
}
