/** Questions controllers ask about a pod: is it active, ready, available, and since when. */
import type { KubeObject } from '../../apimachinery/object.ts';
import { findCondition } from './conditions.ts';

/** Succeeded or Failed: the pod will not run again. */
export function isPodTerminal(pod: KubeObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Counts for its controller: neither terminal nor being deleted (controller.FilterActivePods). */
export function isPodActive(pod: KubeObject): boolean {
  return !pod.metadata.deletionTimestamp && !isPodTerminal(pod);
}

/** The Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return findCondition(pod.status?.conditions, 'Ready')?.status === 'True';
}

/** When the pod last became Ready (ms), if it is ready. */
export function readySince(pod: KubeObject): number | undefined {
  const ready = findCondition(pod.status?.conditions, 'Ready');
  if (ready?.status !== 'True') return undefined;
  const t = Date.parse(ready.lastTransitionTime ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/**
 * Ready for at least `minReadySeconds` at `now`. `wakeAt` reports when a ready but not yet
 * available pod becomes available, so a controller can look again then.
 */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): { available: boolean; wakeAt?: number } {
  const since = readySince(pod);
  if (since === undefined) return { available: false };
  if (!minReadySeconds) return { available: true };
  const at = since + minReadySeconds * 1000;
  return at <= now ? { available: true } : { available: false, wakeAt: at };
}

/** Names of the PersistentVolumeClaims a pod mounts. */
export function claimNamesOf(pod: KubeObject): string[] {
  return (pod.spec?.volumes ?? []).filter((v: any) => v.persistentVolumeClaim?.claimName).map((v: any) => v.persistentVolumeClaim.claimName as string);
}
