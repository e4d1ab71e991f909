/**
 * The Endpoints controller: for every Service with a selector, an Endpoints object of the same name
 * listing the IPs of the selected pods — ready ones in `addresses`, the others in
 * `notReadyAddresses` (all in `addresses` with publishNotReadyAddresses) — with each service port
 * resolved against the pod (targetPort by number, or by the name of a container port). Pods being
 * deleted or without an IP are left out. Services without a selector keep hand-made Endpoints.
 */
import { labelSelectorFromSet, matchesLabels } from '../../../apimachinery/labels.ts';
import { deepEqual, type KubeObject } from '../../../apimachinery/object.ts';
import { componentClient, keyOf, splitKey, type Controller, type ControllerContext } from '../controller.ts';
import { T, type InternalClient } from '../internal-client.ts';
import { isPodReady, isPodTerminal } from '../pod-state.ts';
import { ReconcileQueue } from '../work-queue.ts';

interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
}

function containerPort(pod: KubeObject, name: string, protocol: string): number | undefined {
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const p = (c.ports ?? []).find((cp: any) => cp.name === name && (cp.protocol ?? 'TCP') === protocol);
    if (p) return p.containerPort;
  }
  return undefined;
}

/** The pod's endpoint ports for the service, or undefined when a named target port does not exist in it. */
function portsFor(svc: KubeObject, pod: KubeObject): EndpointPort[] | undefined {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const protocol = sp.protocol ?? 'TCP';
    const target = sp.targetPort ?? sp.port;
    const port = typeof target === 'number' ? target : /^\d+$/.test(target) ? Number(target) : containerPort(pod, target, protocol);
    if (port === undefined) return undefined;
    out.push(sp.name ? { name: sp.name, port, protocol } : { port, protocol });
  }
  return out;
}

function addressOf(pod: KubeObject): Record<string, unknown> {
  const addr: Record<string, unknown> = {
    ip: pod.status.podIP, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  return addr;
}

const byIp = (a: any, b: any) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);

/** The subsets of a service's Endpoints. */
export function subsetsFor(svc: KubeObject, pods: KubeObject[]): unknown[] {
  const selector = labelSelectorFromSet(svc.spec.selector);
  const groups = new Map<string, { ports: EndpointPort[]; addresses: unknown[]; notReadyAddresses: unknown[] }>();
  for (const pod of pods) {
    if (!pod.status?.podIP || pod.metadata.deletionTimestamp || isPodTerminal(pod) || !matchesLabels(selector, pod.metadata.labels)) continue;
    const ports = portsFor(svc, pod);
    if (!ports) continue;
    const key = JSON.stringify(ports);
    const group = groups.get(key) ?? { ports, addresses: [], notReadyAddresses: [] };
    groups.set(key, group);
    (svc.spec.publishNotReadyAddresses || isPodReady(pod) ? group.addresses : group.notReadyAddresses).push(addressOf(pod));
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, g]) => {
    const subset: Record<string, unknown> = {};
    if (g.addresses.length) subset.addresses = g.addresses.sort(byIp);
    if (g.notReadyAddresses.length) subset.notReadyAddresses = g.notReadyAddresses.sort(byIp);
    if (g.ports.length) subset.ports = g.ports;
    return subset;
  });
}

function labelsFor(svc: KubeObject): Record<string, string> | undefined {
  const labels: Record<string, string> = { ...svc.metadata.labels };
  if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return Object.keys(labels).length ? labels : undefined;
}

async function syncService(client: InternalClient, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const svc = client.get(T.services, namespace, name);
  const current = client.get(T.endpoints, namespace, name);
  if (!svc) {
    // The Endpoints of a deleted Service go with it (as kube's endpoints controller deletes them).
    if (current) await client.delete(T.endpoints, namespace, name, { preconditions: { uid: current.metadata.uid } });
    return;
  }
  // A Service without a selector keeps the Endpoints its user writes.
  if (!svc.spec?.selector) return;
  const subsets = subsetsFor(svc, client.list(T.pods, namespace));
  const labels = labelsFor(svc);
  if (!current) {
    await client.create(T.endpoints, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets });
    return;
  }
  if (deepEqual(current.subsets ?? [], subsets) && deepEqual(current.metadata.labels, labels)) return;
  await client.update(T.endpoints, { ...current, metadata: { ...current.metadata, labels }, subsets });
}

/** Starts the Endpoints controller. */
export function startEndpoints(ctx: ControllerContext): Controller {
  const client = componentClient(ctx, 'kube-controller-manager');
  const queue = new ReconcileQueue('endpoints', (key) => syncService(client, key));
  const unsubscribe = client.onChange([T.services, T.pods, T.endpoints], (ev) => {
    const obj = ev.object;
    if (obj.kind === 'Service' || (obj.kind === 'Endpoints' && ev.type === 'DELETED')) {
      queue.add(keyOf(obj.metadata.namespace, obj.metadata.name!));
      return;
    }
    if (obj.kind !== 'Pod') return;
    for (const svc of client.list(T.services, obj.metadata.namespace)) {
      if (!svc.spec?.selector) continue;
      const selector = labelSelectorFromSet(svc.spec.selector);
      if (matchesLabels(selector, obj.metadata.labels) || (ev.previous && matchesLabels(selector, ev.previous.metadata.labels))) {
        queue.add(keyOf(svc.metadata.namespace, svc.metadata.name!));
      }
    }
  });
  for (const svc of client.list(T.services)) queue.add(keyOf(svc.metadata.namespace, svc.metadata.name!));
  return {
    stop() {
      unsubscribe();
      queue.stop();
    },
  };
}
