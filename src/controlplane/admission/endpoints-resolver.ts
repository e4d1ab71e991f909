/**
 * Resolving a webhook's `clientConfig.service` through the Service's Endpoints, as kube-apiserver
 * does with --enable-aggregator-routing (apiserver pkg/util/proxy ResolveEndpoint): the Service
 * must exist and not be ExternalName, have the referenced port, and its Endpoints must list a
 * ready address in a subset carrying that port's name. The answer is every ready address, in an
 * order starting at a random one.
 *
 * kube-apiserver dials one random address and stops there; this dispatcher also tries the next
 * ready address when the connection is refused (./webhook-client.ts). In a cluster a dead pod leaves
 * its Endpoints within a second (the kubelet marks it not ready); on this control plane webhook
 * replicas are processes that register themselves (src/webhooks/endpoint-registration.ts), and a
 * process killed outright stays listed until its registration lease expires. Trying the next
 * address closes that window without waiting for it.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import { objectKey, type Store } from '../storage/store.ts';
import type { ServiceAddress, ServiceResolver } from './webhook-client.ts';

/** A service reference that cannot be resolved; its message is the reason a call fails with. */
export class ServiceUnavailable extends Error {}

function servicePort(svc: KubeObject, port: number): { name?: string } {
  const found = (svc.spec?.ports ?? []).find((p: { port?: number }) => p.port === port);
  if (!found) throw new ServiceUnavailable(`no service port ${port} found for service ${JSON.stringify(svc.metadata.name)}`);
  return found;
}

/** Ready addresses of subsets that carry the port named `portName`. */
function readyAddresses(endpoints: KubeObject, portName: string | undefined): ServiceAddress[] {
  const out: ServiceAddress[] = [];
  for (const subset of endpoints.subsets ?? []) {
    const port = (subset.ports ?? []).find((p: { name?: string }) => (p.name ?? '') === (portName ?? ''));
    if (!port) continue;
    for (const address of subset.addresses ?? []) if (address.ip) out.push({ host: address.ip, port: port.port });
  }
  return out;
}

/** `list` rotated to start at a random element (load spread over replicas, as kube's random pick does). */
function fromRandomStart<T>(list: T[]): T[] {
  const start = Math.floor(Math.random() * list.length);
  return [...list.slice(start), ...list.slice(0, start)];
}

/** A ServiceResolver reading Services and Endpoints from `store`; throws ServiceUnavailable when nothing is ready. */
export function endpointsServiceResolver(store: Store): ServiceResolver {
  return ({ namespace, name, port }) => {
    const svc = store.get('/services', objectKey(namespace, name));
    if (!svc) throw new ServiceUnavailable(`service ${JSON.stringify(name)} not found`);
    if (svc.spec?.type === 'ExternalName') throw new ServiceUnavailable(`unsupported service type "ExternalName"`);
    const portName = servicePort(svc, port).name;
    const endpoints = store.get('/endpoints', objectKey(namespace, name));
    const addresses = endpoints ? readyAddresses(endpoints, portName) : [];
    if (!addresses.length) throw new ServiceUnavailable(`no endpoints available for service ${JSON.stringify(name)}`);
    return fromRandomStart(addresses);
  };
}
