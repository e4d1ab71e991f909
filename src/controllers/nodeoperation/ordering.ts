/**
 * One operation at a time per node, in creation order. An operation may start when no other
 * unfinished operation on its node has started and none was created before it.
 *
 * creationTimestamp has whole seconds, so operations created back to back usually share it; the
 * tie is broken by the revision at which each was created. An object's resourceVersion is that
 * revision until the object is first written to, so the controller copies it into an annotation
 * before its first write to an operation that has to wait (an operation that starts at once
 * never needs it: started operations come before every waiting one). resourceVersions are
 * compared as numbers where they are numbers (etcd revisions, and the embedded control plane's);
 * the name breaks any remaining tie, so every controller replica orders the same way.
 */
import type { NodeOperation } from '../../apis/stream/v1alpha1/nodeoperation.ts';

/** The annotation holding the revision at which an operation was created. */
export const CREATION_REVISION_ANNOTATION = 'stream.streamspace.io/creation-revision';

/** True once an operation Succeeded or Failed. */
export function isFinished(op: NodeOperation): boolean {
  return op.status?.phase === 'Succeeded' || op.status?.phase === 'Failed';
}

/** True once the controller started carrying an operation out. */
export function hasStarted(op: NodeOperation): boolean {
  return op.status?.phase === 'Running' || op.status?.startTime !== undefined;
}

/** The revision `op` was created at: the annotation, else its resourceVersion (see the module comment). */
export function creationRevision(op: NodeOperation): string {
  return op.metadata.annotations?.[CREATION_REVISION_ANNOTATION] ?? op.metadata.resourceVersion ?? '';
}

function compareRevisions(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const [x, y] = [BigInt(a), BigInt(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return 0;
}

/** Negative when `a` was created before `b`, positive when after. */
export function compareCreation(a: NodeOperation, b: NodeOperation): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const byRevision = compareRevisions(creationRevision(a), creationRevision(b));
  if (byRevision !== 0) return byRevision;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

/**
 * The operation `op` has to wait for, among `all` operations: the one already running on its
 * node, else the earliest created unfinished one before it; undefined when `op` may start.
 */
export function blockingOperation(op: NodeOperation, all: NodeOperation[]): NodeOperation | undefined {
  const sameNode = all.filter((o) => o.metadata.uid !== op.metadata.uid && o.spec?.nodeName === op.spec.nodeName);
  const others = sameNode.filter((o) => !isFinished(o) && !o.metadata.deletionTimestamp);
  const started = others.find(hasStarted);
  if (started) return started;
  return others.filter((o) => compareCreation(o, op) < 0).sort(compareCreation)[0];
}
