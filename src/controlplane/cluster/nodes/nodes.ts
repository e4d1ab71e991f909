/**
 * The simulated nodes. At start, when the cluster has no node at all, it registers the configured
 * nodes (`node-1..N`) as kubelets would: labels, a pod CIDR, capacity, Ready and pressure
 * conditions, addresses and nodeInfo. Nodes created by someone else without status get the same
 * status filled in (kwok's node-initialize stage). Changing `nodes`/`nodeSpecs` at runtime adds or
 * removes simulated nodes.
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { rfc3339 } from '../../verbs/scope.ts';
import { componentClient, type Controller, type ControllerContext } from '../controller.ts';
import { T, type InternalClient } from '../internal-client.ts';
import type { SimulatedNodeSpec } from '../simulation-options.ts';
import { ReconcileQueue } from '../work-queue.ts';

/** Marks nodes this controller created (only those are removed when the node count shrinks). */
export const SIMULATED_NODE_ANNOTATION = 'sim.streamspace.io/simulated';

const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const DEFAULT_CAPACITY = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };

/** The node names the options ask for. */
export function desiredNodeNames(count: number, specs: SimulatedNodeSpec[]): string[] {
  return Array.from({ length: count }, (_, i) => specs[i]?.name ?? `node-${i + 1}`);
}

function nodeConditions(now: string): unknown[] {
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now,
  });
  return [
    cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

function nodeInfo(name: string): Record<string, string> {
  const id = Buffer.from(name).toString('hex').padEnd(32, '0').slice(0, 32);
  return {
    machineID: id, systemUUID: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`, bootID: id,
    kernelVersion: '6.8.0-streamspace', osImage: 'StreamSpace simulated node', containerRuntimeVersion: 'containerd://2.0.0',
    kubeletVersion: 'v1.34.0', kubeProxyVersion: 'v1.34.0', operatingSystem: 'linux', architecture: 'amd64',
  };
}

/** The status a freshly registered kubelet reports for node number `index` (0-based). */
export function initialNodeStatus(node: KubeObject, index: number, capacity: Record<string, string>, now: string): any {
  return {
    capacity: { ...capacity }, allocatable: { ...capacity }, conditions: nodeConditions(now),
    addresses: [{ type: 'InternalIP', address: `172.18.0.${(index % 250) + 2}` }, { type: 'Hostname', address: node.metadata.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } }, nodeInfo: nodeInfo(node.metadata.name!),
  };
}

function nodeObject(name: string, index: number, spec: SimulatedNodeSpec, now: string): KubeObject {
  const zone = spec.zone ?? ZONES[index % ZONES.length];
  const node: KubeObject = {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': zone, 'topology.kubernetes.io/region': 'local', ...spec.labels,
      },
      annotations: { [SIMULATED_NODE_ANNOTATION]: 'true', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`] },
  };
  if (spec.taints?.length) node.spec.taints = spec.taints;
  if (spec.unschedulable) node.spec.unschedulable = true;
  node.status = initialNodeStatus(node, index, { ...DEFAULT_CAPACITY, ...spec.capacity }, now);
  return node;
}

function freeCidrIndex(nodes: KubeObject[]): number {
  const used = new Set(nodes.map((n) => /^10\.244\.(\d+)\.0\/24$/.exec(n.spec?.podCIDR ?? '')?.[1]).filter(Boolean).map(Number));
  let i = 0;
  while (used.has(i)) i++;
  return i;
}

/** Registers the simulated nodes and initialises nodes that arrive without status. */
export async function startNodes(ctx: ControllerContext, opts: { createIfEmpty: boolean }): Promise<Controller & { resize(): Promise<void> }> {
  const client = componentClient(ctx, 'kubelet');
  const queue = new ReconcileQueue('nodes', (key) => initializeNode(client, key.slice(1), ctx.svc.now()));
  const unsubscribe = client.onChange([T.nodes], (ev) => {
    if (ev.type !== 'DELETED' && !ev.object.status?.conditions) queue.add(`/${ev.object.metadata.name}`);
  });
  for (const n of client.list(T.nodes)) if (!n.status?.conditions) queue.add(`/${n.metadata.name}`);
  const resize = () => syncNodeCount(client, ctx, false);
  if (opts.createIfEmpty && client.list(T.nodes).length === 0) await syncNodeCount(client, ctx, true);
  return {
    resize,
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}

/** Creates missing simulated nodes and (unless only creating) removes simulated ones beyond the count. */
async function syncNodeCount(client: InternalClient, ctx: ControllerContext, createOnly: boolean): Promise<void> {
  const { nodes: count, nodeSpecs } = ctx.options();
  const wanted = desiredNodeNames(count, nodeSpecs);
  const existing = client.list(T.nodes);
  const now = rfc3339(ctx.svc.now());
  for (const [i, name] of wanted.entries()) {
    if (existing.some((n) => n.metadata.name === name)) continue;
    const index = i < 250 && !existing.some((n) => n.spec?.podCIDR === `10.244.${i}.0/24`) ? i : freeCidrIndex(client.list(T.nodes));
    await client.create(T.nodes, nodeObject(name, index, nodeSpecs[i] ?? {}, now));
  }
  if (createOnly) return;
  for (const n of existing) {
    if (n.metadata.annotations?.[SIMULATED_NODE_ANNOTATION] === 'true' && !wanted.includes(n.metadata.name!)) await client.delete(T.nodes, undefined, n.metadata.name!);
  }
}

async function initializeNode(client: InternalClient, name: string, now: Date): Promise<void> {
  const node = client.get(T.nodes, undefined, name);
  if (!node || node.status?.conditions) return;
  const nodes = client.list(T.nodes);
  const index = freeCidrIndex(nodes);
  const spec = node.spec?.podCIDR ? node.spec : { ...node.spec, podCIDR: `10.244.${index}.0/24`, podCIDRs: [`10.244.${index}.0/24`] };
  const updated = spec === node.spec ? node : await client.update(T.nodes, { ...node, spec });
  const status = { ...initialNodeStatus(node, index, DEFAULT_CAPACITY, rfc3339(now)), ...node.status };
  await client.update(T.nodes, { ...updated, status }, 'status');
}
