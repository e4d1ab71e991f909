/**
 * The registry of served resource types: the built-ins plus one entry per served version of every
 * established CustomResourceDefinition. It follows CRD writes in the store, so a new CRD is served
 * as soon as its create is acknowledged.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { Store } from '../storage/store.ts';
import { builtinResources } from './builtin.ts';
import { resourceTypesOf } from './custom.ts';
import { storageName, type ResourceType } from './resource.ts';

const CRD_STORAGE = 'apiextensions.k8s.io/customresourcedefinitions';

/** Lookup of resource types by group/version/plural and by kind. */
export class Registry {
  private readonly builtins: ResourceType[] = builtinResources;
  private custom = new Map<string, ResourceType[]>(); // CRD name → its types
  private readonly changeListeners = new Set<() => void>();

  constructor(store: Store) {
    for (const crd of store.list(CRD_STORAGE)) this.custom.set(crd.metadata.name!, resourceTypesOf(crd));
    store.subscribe((ev) => {
      if (ev.resource !== CRD_STORAGE) return;
      this.setCustom(ev.object, ev.type === 'DELETED');
    });
  }

  private setCustom(crd: KubeObject, deleted: boolean): void {
    const name = crd.metadata.name!;
    const before = JSON.stringify(this.custom.get(name)?.map((t) => [t.version, t.schema, t.printerColumns]) ?? null);
    // A terminating CRD is still served (so finalizers of its objects can be removed) until it is gone.
    if (deleted) this.custom.delete(name);
    else this.custom.set(name, resourceTypesOf(crd));
    const after = JSON.stringify(this.custom.get(name)?.map((t) => [t.version, t.schema, t.printerColumns]) ?? null);
    if (before !== after) for (const l of this.changeListeners) l();
  }

  /** Calls `listener` whenever the set of served types changes (for discovery caches). */
  onChange(listener: () => void): void {
    this.changeListeners.add(listener);
  }

  /** Every served type. */
  all(): ResourceType[] {
    return [...this.builtins, ...[...this.custom.values()].flat()];
  }

  /** The type served at /api(s)/{group}/{version}/{plural}, if any. */
  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  /** The type of a kind in a group/version (for ownerReferences and admission). */
  findKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** The storage names of every type (one per group/plural). */
  storageNames(): string[] {
    return [...new Set(this.all().map(storageName))];
  }

  /** Served group/versions in discovery order: core first, then groups in order of appearance. */
  groupVersions(): { group: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const t of this.all()) {
      const vs = groups.get(t.group) ?? [];
      if (!vs.includes(t.version)) vs.push(t.version);
      groups.set(t.group, vs);
    }
    return [...groups.entries()].map(([group, versions]) => ({ group, versions }));
  }
}
