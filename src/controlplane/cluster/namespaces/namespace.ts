/**
 * The namespace controller: a namespace being deleted (phase Terminating) has every namespaced
 * object of every resource — custom resources included — deleted, waits until they are all gone
 * (their own finalizers and graceful pod deletion included), reporting progress in kube's
 * conditions (NamespaceContentRemaining, NamespaceFinalizersRemaining, …), and then finalizes the
 * namespace (its `kubernetes` finalizer) so the API removes it.
 */
import { deepEqual, type KubeObject } from '../../../apimachinery/object.ts';
import { storageName, type ResourceType } from '../../registry/resource.ts';
import { rfc3339 } from '../../verbs/scope.ts';
import { withCondition, type Condition } from '../conditions.ts';
import { componentClient, type Controller, type ControllerContext } from '../controller.ts';
import { T, type InternalClient } from '../internal-client.ts';
import { ReconcileQueue } from '../work-queue.ts';

/** The namespace finalizer the namespace controller owns. */
export const NAMESPACE_FINALIZER = 'kubernetes';

/**
 * Whether progress conditions are written while content remains. Off until verbs/update.ts keeps a
 * terminating namespace while spec.finalizers is non-empty: today any update of a namespace with a
 * deletionTimestamp removes it, so a status write would remove it before its content is gone.
 */
export const REPORT_DELETION_PROGRESS = true;

/** One served type per storage (a storage served at several versions is deleted once). */
function namespacedTypes(ctx: ControllerContext): ResourceType[] {
  const seen = new Set<string>();
  return ctx.svc.registry.all().filter((t) => {
    if (!t.namespaced || seen.has(storageName(t))) return false;
    seen.add(storageName(t));
    return true;
  });
}

interface Remaining {
  /** `pods.` / `deployments.apps` → count */
  objects: Map<string, number>;
  finalizers: Map<string, number>;
}

async function deleteContent(ctx: ControllerContext, client: InternalClient, ns: string): Promise<Remaining> {
  const remaining: Remaining = { objects: new Map(), finalizers: new Map() };
  for (const rt of namespacedTypes(ctx)) {
    for (const obj of client.list(rt, ns)) {
      if (!obj.metadata.deletionTimestamp) await client.delete(rt, ns, obj.metadata.name!, { propagationPolicy: 'Background', preconditions: { uid: obj.metadata.uid } });
      const label = `${rt.plural}.${rt.group}`;
      remaining.objects.set(label, (remaining.objects.get(label) ?? 0) + 1);
      for (const f of obj.metadata.finalizers ?? []) remaining.finalizers.set(f, (remaining.finalizers.get(f) ?? 0) + 1);
    }
  }
  return remaining;
}

function describe(counts: Map<string, number>, suffix: (n: number) => string): string {
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k} ${suffix(n)}`).join(', ');
}

function deletionConditions(r: Remaining): Condition[] {
  const objects = r.objects.size
    ? { type: 'NamespaceContentRemaining', status: 'True' as const, reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${describe(r.objects, (n) => `has ${n} resource instances`)}` }
    : { type: 'NamespaceContentRemaining', status: 'False' as const, reason: 'ContentRemoved', message: 'All content successfully removed' };
  const finalizers = r.finalizers.size
    ? { type: 'NamespaceFinalizersRemaining', status: 'True' as const, reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${describe(r.finalizers, (n) => `in ${n} resource instances`)}` }
    : { type: 'NamespaceFinalizersRemaining', status: 'False' as const, reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' };
  return [
    { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
    { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
    { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
    objects, finalizers,
  ];
}

async function reportProgress(client: InternalClient, name: string, r: Remaining, now: string): Promise<void> {
  const ns = client.get(T.namespaces, undefined, name);
  if (!ns) return;
  let conditions: Condition[] = ns.status?.conditions ?? [];
  for (const c of deletionConditions(r)) conditions = withCondition(conditions, c, now);
  if (deepEqual(conditions, ns.status?.conditions)) return;
  await client.update(T.namespaces, { ...ns, status: { ...ns.status, conditions } }, 'status');
}

async function syncNamespace(ctx: ControllerContext, client: InternalClient, name: string): Promise<void> {
  const ns = client.get(T.namespaces, undefined, name);
  if (!ns?.metadata.deletionTimestamp) return;
  const remaining = await deleteContent(ctx, client, name);
  if (REPORT_DELETION_PROGRESS) await reportProgress(client, name, remaining, rfc3339(ctx.svc.now()));
  if (remaining.objects.size) return;
  const fresh = client.get(T.namespaces, undefined, name);
  if (fresh) await client.finalizeNamespace(fresh, NAMESPACE_FINALIZER);
}

/** Starts the namespace controller. */
export function startNamespaces(ctx: ControllerContext): Controller {
  const client = componentClient(ctx, 'kube-controller-manager');
  const queue = new ReconcileQueue('namespace', (name) => syncNamespace(ctx, client, name));
  const terminating = new Set<string>();
  const unsubscribe = client.onEveryChange((ev) => {
    const obj: KubeObject = ev.object;
    if (ev.resource === '/namespaces') {
      if (ev.type === 'DELETED' || !obj.metadata.deletionTimestamp) terminating.delete(obj.metadata.name!);
      else {
        terminating.add(obj.metadata.name!);
        queue.add(obj.metadata.name!);
      }
      return;
    }
    // Content of a terminating namespace changed (an object went, a finalizer was removed): look again.
    const ns = obj.metadata.namespace;
    if (ns && terminating.has(ns)) queue.add(ns);
  });
  for (const ns of client.list(T.namespaces)) {
    if (!ns.metadata.deletionTimestamp) continue;
    terminating.add(ns.metadata.name!);
    queue.add(ns.metadata.name!);
  }
  return {
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}
