/** Legacy discovery documents: /api, /apis, /api/v1 and /apis/{group}/{version}. */
import type { Registry } from '../registry/registry.ts';
import type { ResourceType } from '../registry/resource.ts';

const SUBRESOURCE_KINDS: Record<string, { kind: string; group?: string; version?: string; verbs: string[] }> = {
  status: { kind: '', verbs: ['get', 'patch', 'update'] },
  scale: { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  log: { kind: 'Pod', verbs: ['get'] },
  eviction: { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  binding: { kind: 'Binding', verbs: ['create'] },
  finalize: { kind: 'Namespace', verbs: ['update'] },
};

function resourceEntries(rt: ResourceType): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: rt.plural, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: rt.verbs,
  };
  if (rt.shortNames.length) main.shortNames = rt.shortNames;
  if (rt.categories.length) main.categories = rt.categories;
  const subs: string[] = [...(rt.subresources.status ? ['status'] : []), ...(rt.subresources.scale ? ['scale'] : []), ...(rt.subresources.extra ?? [])];
  return [main, ...subs.map((s) => {
    const d = SUBRESOURCE_KINDS[s];
    const entry: Record<string, unknown> = { name: `${rt.plural}/${s}`, singularName: '', namespaced: rt.namespaced, kind: d.kind || rt.kind, verbs: d.verbs };
    if (d.group) entry.group = d.group;
    if (d.version) entry.version = d.version;
    return entry;
  })];
}

/** GET /api */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** GET /apis */
export function apiGroupList(registry: Registry): Record<string, unknown> {
  const groups = registry.groupVersions().filter((g) => g.group !== '').map((g) => {
    const versions = g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v }));
    return { name: g.group, versions, preferredVersion: versions[0] };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** GET /apis/{group} */
export function apiGroup(registry: Registry, group: string): Record<string, unknown> | undefined {
  const g = registry.groupVersions().find((x) => x.group === group);
  if (!g || !group) return undefined;
  const versions = g.versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions, preferredVersion: versions[0] };
}

/** GET /api/v1 or /apis/{group}/{version}; undefined when not served. */
export function apiResourceList(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.all().filter((t) => t.group === group && t.version === version);
  if (!types.length) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources: types.flatMap(resourceEntries) };
}
