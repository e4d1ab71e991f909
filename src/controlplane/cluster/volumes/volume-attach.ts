/**
 * The attach/detach controller's one rule the simulation keeps: a ReadWriteOnce volume attaches
 * to one node at a time. A pod whose claim is bound to such a volume cannot start on a node while
 * a pod on another node holds it (started there and not finished; a terminating pod holds it
 * until it is gone): it stays ContainerCreating and gets kube's Warning FailedAttachVolume
 * "Multi-Attach error for volume "pvc-…" Volume is already used by pod(s) a, b". It starts once
 * the other pods are gone. ReadWriteMany and ReadOnlyMany volumes attach anywhere.
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { claimNamesOf, isPodTerminal } from '../pod-state.ts';

/** The event reason and reporting component of a refused attach. */
export const FAILED_ATTACH = { reason: 'FailedAttachVolume', component: 'attachdetach-controller' } as const;

/** True when the claim's volume may be attached to one node only. */
function attachesToOneNode(claim: KubeObject): boolean {
  const modes: string[] = claim.status?.accessModes ?? claim.spec?.accessModes ?? [];
  return modes.includes('ReadWriteOnce') && !modes.includes('ReadWriteMany') && !modes.includes('ReadOnlyMany');
}

/** What the check reads: the pod's claims, the pods of its namespace, and which of them have started. */
export interface AttachLookup {
  claim(namespace: string, name: string): KubeObject | undefined;
  pods(namespace: string): KubeObject[];
  /** The pod's volumes are attached and mounted on its node (it has started there). */
  started(pod: KubeObject): boolean;
}

/** The Multi-Attach error keeping `pod` from starting on its node, if there is one. */
export function multiAttachProblem(pod: KubeObject, lookup: AttachLookup): string | undefined {
  const namespace = pod.metadata.namespace!;
  const node = pod.spec?.nodeName;
  for (const claimName of claimNamesOf(pod)) {
    const claim = lookup.claim(namespace, claimName);
    if (!claim?.spec?.volumeName || !attachesToOneNode(claim)) continue;
    const holders = lookup.pods(namespace).filter((other) => other.metadata.uid !== pod.metadata.uid
      && other.spec?.nodeName && other.spec.nodeName !== node && !isPodTerminal(other)
      && claimNamesOf(other).includes(claimName) && lookup.started(other));
    if (holders.length) {
      const names = holders.map((p) => p.metadata.name).sort().join(', ');
      return `Multi-Attach error for volume "${claim.spec.volumeName}" Volume is already used by pod(s) ${names}`;
    }
  }
  return undefined;
}
