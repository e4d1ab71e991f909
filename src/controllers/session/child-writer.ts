/**
 * Writing a session's children: apply one only when it is missing or has drifted from what the
 * controller wants (server-side apply, taking back fields someone edited by hand), and delete them
 * when the session ends. A child controlled by another owner is never touched.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import { ignoreAlreadyExists } from '../../runtime/client.ts';
import type { KindRef } from '../../runtime/resources.ts';
import { hasDrifted, withAppliedHash } from '../drift.ts';
import type { FreshClient } from '../fresh-client.ts';

/** What ensuring a child did. */
export type ChildChange = 'created' | 'updated' | 'unchanged';

/** The outcome of ensuring one child. */
export interface EnsuredChild {
  change: ChildChange;
  /** The child as it was before (undefined when it did not exist). */
  before: KubeObject | undefined;
  /** The child as it is now. */
  now: KubeObject;
}

/** A child's name is taken by an object some other controller owns. */
export class ChildConflictError extends Error {
  constructor(obj: KubeObject, owner: string) {
    super(`${obj.kind} "${obj.metadata.name}" already exists and is controlled by ${owner}, not by this session`);
    this.name = 'ChildConflictError';
  }
}

/** The controller reference of `obj`, if it has one. */
function controllerOf(obj: KubeObject): { kind: string; name: string; uid: string } | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** True when `obj` is controlled by `session` (matched by uid). */
export function isControlledBy(obj: KubeObject, session: Session): boolean {
  return controllerOf(obj)?.uid === session.metadata.uid;
}

/** The child of `kind` and `name` in the session's namespace, as freshly as known. */
export function observedChild(client: FreshClient, session: Session, kind: KindRef, name: string): KubeObject | undefined {
  return client.get(kind, { namespace: session.metadata.namespace, name });
}

/**
 * Makes the child `desired` exist as desired. Writes nothing when it already does; adopts an
 * orphan (no controller); throws {@link ChildConflictError} when another owner controls it.
 */
export async function ensureChild(client: FreshClient, session: Session, desired: KubeObject): Promise<EnsuredChild> {
  const before = observedChild(client, session, desired, desired.metadata.name ?? '');
  const owner = before && controllerOf(before);
  if (owner && owner.uid !== session.metadata.uid) throw new ChildConflictError(before, `${owner.kind} ${owner.name}`);
  const stamped = withAppliedHash(desired);
  if (before && !hasDrifted(stamped, before)) return { change: 'unchanged', before, now: before };
  const now = await client.apply(stamped);
  return { change: before ? 'updated' : 'created', before, now };
}

/** Creates `claim` unless it exists (it is never changed afterwards: claims are mostly immutable). */
export async function ensureClaim(client: FreshClient, claim: KubeObject): Promise<KubeObject | undefined> {
  const existing = client.get(claim, { namespace: claim.metadata.namespace, name: claim.metadata.name ?? '' });
  if (existing) return existing;
  return (await client.create(claim).catch(ignoreAlreadyExists)) ?? undefined;
}

/** Deletes the session's children of `kinds` named `name`; returns `Kind/name` of each deleted. */
export async function removeChildren(client: FreshClient, session: Session, kinds: KindRef[], name: string): Promise<string[]> {
  const removed: string[] = [];
  for (const kind of kinds) {
    const child = observedChild(client, session, kind, name);
    if (!child || child.metadata.deletionTimestamp || !isControlledBy(child, session)) continue;
    await client.delete(child, { propagationPolicy: 'Background', preconditions: { uid: child.metadata.uid } });
    removed.push(`${kind.kind} ${name}`);
  }
  return removed;
}
