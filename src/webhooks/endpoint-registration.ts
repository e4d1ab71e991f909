/**
 * Webhook replicas that are processes, not pods, appearing as endpoints of the webhook Service.
 *
 * In a cluster the webhook Service selects the controller pods and the platform's endpoints
 * controller lists the ready ones (readiness = /readyz, which passes only while the replica serves
 * admission). On the embedded control plane (`streamspace up`, or `streamspace controller`
 * processes against `streamspace cluster`) nothing runs in pods, so each replica registers itself:
 *
 * - a Lease `<service>-<replica id>` in the Service's namespace, labelled with the Service's name,
 *   annotated with the address it serves on, and renewed every `renewIntervalMs` (a heartbeat, as
 *   kubelets renew their node Leases);
 * - after each renewal the replica rewrites the Service's Endpoints (the Service has no selector)
 *   from every unexpired Lease, one subset per port, and deletes expired Leases. Any live replica
 *   thus removes a dead one's address within `leaseDurationMs`;
 * - on a clean stop it deletes its Lease and rewrites the Endpoints without itself before it
 *   stops serving, so no call is sent to it afterwards.
 *
 * Between a replica's death (SIGKILL) and the expiry of its Lease its address is still listed: the
 * control plane's dispatcher tries the next ready address when one refuses the connection
 * (src/controlplane/admission/endpoints-resolver.ts), so admission does not wait for the expiry.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { deepEqual, type KubeObject } from '../apimachinery/object.ts';
import { ignoreNotFound, isAlreadyExists, isConflict, isNotFound, type KubeClient } from '../runtime/client.ts';
import { realClock, sleep, type Clock } from '../runtime/clock.ts';
import { microTime } from '../runtime/internal/lease-lock.ts';
import { PART_OF_LABEL } from '../apis/crd.ts';
import { WEBHOOK_PORT_NAME, type WebhookServiceReference } from './configurations.ts';

/** Label naming the Service a registration Lease belongs to. */
export const SERVICE_LABEL = 'webhooks.streamspace.io/service';
/** Annotation holding the `ip:port` a registered replica serves on. */
export const ADDRESS_ANNOTATION = 'webhooks.streamspace.io/address';

/** Options of {@link EndpointRegistration}. */
export interface EndpointRegistrationOptions {
  client: KubeClient;
  service: WebhookServiceReference;
  /** The IP address the control plane dials (127.0.0.1 on one machine). */
  ip: string;
  port: number;
  /** How long a registration lasts without renewal (default 15 s). */
  leaseDurationMs?: number;
  /** How often it is renewed (default a third of the lease duration). */
  renewIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

const LeaseKind = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
const EndpointsKind = { apiVersion: 'v1', kind: 'Endpoints' };

interface Registered {
  lease: string;
  ip: string;
  port: number;
}

/** Endpoints subsets for `registered`: one subset per port, addresses sorted, as the endpoints controller writes them. */
export function registrationSubsets(registered: Registered[], namespace: string): unknown[] {
  const byPort = new Map<number, Registered[]>();
  for (const r of registered) byPort.set(r.port, [...(byPort.get(r.port) ?? []), r]);
  return [...byPort.entries()].sort(([a], [b]) => a - b).map(([port, rs]) => ({
    addresses: rs.sort((a, b) => (a.lease < b.lease ? -1 : 1)).map((r) => ({ ip: r.ip, targetRef: { kind: 'Lease', namespace, name: r.lease } })),
    ports: [{ name: WEBHOOK_PORT_NAME, port, protocol: 'TCP' }],
  }));
}

function parseAddress(lease: KubeObject): { ip: string; port: number } | undefined {
  const m = /^(.+):(\d+)$/.exec(lease.metadata.annotations?.[ADDRESS_ANNOTATION] ?? '');
  return m ? { ip: m[1], port: Number(m[2]) } : undefined;
}

/** See the module comment. */
export class EndpointRegistration {
  readonly #o: EndpointRegistrationOptions;
  readonly #clock: Clock;
  readonly #lease: string;
  #listed = false;

  constructor(opts: EndpointRegistrationOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
    this.#lease = `${opts.service.name}-${randomBytes(5).toString('hex')}`;
  }

  /** Name of this replica's Lease. */
  get leaseName(): string {
    return this.#lease;
  }

  /** True once the Endpoints list this replica (and until it deregisters). */
  listed(): boolean {
    return this.#listed;
  }

  /** Registers (renews) this replica and rewrites the Endpoints. */
  async register(): Promise<void> {
    await this.#renew();
    await this.#syncEndpoints(true);
  }

  /** Renews until `signal` aborts; failures are retried at the next renewal. */
  async run(signal: AbortSignal): Promise<void> {
    const interval = this.#o.renewIntervalMs ?? this.#duration() / 3;
    while (!signal.aborted) {
      await sleep(this.#clock, interval, signal);
      if (signal.aborted) return;
      await this.register().catch((err: unknown) => this.#o.logger?.warn({ err }, 'Failed to renew the webhook endpoint registration'));
    }
  }

  /** Removes this replica from the Endpoints and deletes its Lease. */
  async deregister(): Promise<void> {
    this.#listed = false;
    const { namespace } = this.#o.service;
    await this.#o.client.delete({ ...LeaseKind, metadata: { namespace, name: this.#lease } }).catch(ignoreNotFound);
    await this.#syncEndpoints(false);
  }

  #duration(): number {
    return this.#o.leaseDurationMs ?? 15_000;
  }

  async #renew(): Promise<void> {
    const { namespace, name } = this.#o.service;
    await this.#o.client.apply({
      ...LeaseKind,
      metadata: {
        namespace, name: this.#lease, labels: { ...PART_OF_LABEL, [SERVICE_LABEL]: name },
        annotations: { [ADDRESS_ANNOTATION]: `${this.#o.ip}:${this.#o.port}` },
      },
      spec: { holderIdentity: this.#lease, leaseDurationSeconds: Math.ceil(this.#duration() / 1000), renewTime: microTime(this.#clock.now()) },
    }, { force: true });
  }

  /** The unexpired registrations; expired Leases (replicas that died) are deleted on the way. */
  async #live(): Promise<Registered[]> {
    const { namespace, name } = this.#o.service;
    const leases = await this.#o.client.list(LeaseKind, { namespace, labelSelector: `${SERVICE_LABEL}=${name}` });
    const live: Registered[] = [];
    for (const lease of leases.items) {
      const renewed = Date.parse(lease.spec?.renewTime ?? '');
      const lasts = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
      const address = parseAddress(lease);
      if (address && renewed + lasts > this.#clock.now()) {
        live.push({ lease: lease.metadata.name!, ...address });
        continue;
      }
      this.#o.logger?.info({ lease: lease.metadata.name }, 'Removing an expired webhook endpoint registration');
      await this.#o.client.delete(lease, { preconditions: { uid: lease.metadata.uid } }).catch(ignoreNotFound);
    }
    return live;
  }

  /** Rewrites the Endpoints from the live registrations (with or without this replica), retrying conflicts. */
  async #syncEndpoints(includeSelf: boolean): Promise<void> {
    const { namespace } = this.#o.service;
    for (let attempt = 0; ; attempt++) {
      const live = (await this.#live()).filter((r) => includeSelf || r.lease !== this.#lease);
      const subsets = registrationSubsets(live, namespace);
      try {
        await this.#writeEndpoints(subsets);
        this.#listed = includeSelf && live.some((r) => r.lease === this.#lease);
        return;
      } catch (err) {
        if (attempt >= 5 || !(isConflict(err) || isAlreadyExists(err))) throw err;
      }
    }
  }

  async #writeEndpoints(subsets: unknown[]): Promise<void> {
    const { namespace, name } = this.#o.service;
    let current: KubeObject | undefined;
    try {
      current = await this.#o.client.get(EndpointsKind, { namespace, name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!current) {
      await this.#o.client.create({ ...EndpointsKind, metadata: { namespace, name, labels: { ...PART_OF_LABEL } }, subsets });
      return;
    }
    if (deepEqual(current.subsets ?? [], subsets)) return;
    await this.#o.client.update({ ...current, subsets });
  }
}
