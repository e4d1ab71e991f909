/** Pod addresses: each node hands out IPs from its pod CIDR (10.244.<n>.0/24), as a CNI's host-local IPAM does. */
import type { KubeObject } from '../../../apimachinery/object.ts';

/** The node's InternalIP (the pod's hostIP). */
export function hostIPOf(node: KubeObject | undefined): string | undefined {
  return (node?.status?.addresses ?? []).find((a: any) => a.type === 'InternalIP')?.address;
}

/** The first free address of the node's pod CIDR (.2 onwards; .1 is the bridge), or undefined when it is full. */
export function allocatePodIP(node: KubeObject, used: Set<string>): string | undefined {
  const match = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(node.spec?.podCIDR ?? '');
  const prefix = match?.[1] ?? `10.244.${250 + (hash(node.metadata.name ?? '') % 5)}`;
  for (let host = 2; host < 255; host++) {
    const ip = `${prefix}.${host}`;
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}
