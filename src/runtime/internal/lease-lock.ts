/**
 * The leader election lock: a coordination.k8s.io/v1 Lease. Reads return the record and a raw
 * form to detect change; writes are optimistic (they carry the resourceVersion last seen), so a
 * competing write makes ours fail with 409.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { KubeClient } from '../client.ts';
import type { KindRef } from '../resources.ts';

/** Kind of the Lease object. */
export const LEASE_KIND: KindRef = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };

/** What leader election keeps in the lock (client-go's LeaderElectionRecord). */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaseTransitions: number;
}

/** A record as read, with its raw JSON for change detection. */
export interface ObservedRecord {
  record: LeaderElectionRecord;
  raw: string;
}

/** Formats a time as a Kubernetes MicroTime (RFC 3339, six fractional digits). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function recordOf(lease: KubeObject): LeaderElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ?? '',
    renewTime: spec.renewTime ?? '',
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** See the module comment. */
export class LeaseLock {
  readonly namespace: string;
  readonly name: string;
  readonly #client: KubeClient;
  #lease: KubeObject | undefined;

  constructor(client: KubeClient, namespace: string, name: string) {
    this.#client = client;
    this.namespace = namespace;
    this.name = name;
  }

  /** Reads the lease; throws the API error (404 when it does not exist). */
  async get(signal?: AbortSignal): Promise<ObservedRecord> {
    this.#lease = await this.#client.get(LEASE_KIND, { namespace: this.namespace, name: this.name }, { signal });
    const record = recordOf(this.#lease);
    return { record, raw: JSON.stringify(record) };
  }

  /** Creates the lease holding `record`; throws 409 AlreadyExists if someone else did first. */
  async create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    const lease = { ...LEASE_KIND, metadata: { name: this.name, namespace: this.namespace }, spec: { ...record } };
    this.#lease = await this.#client.create(lease, { signal });
  }

  /** Replaces the record of the lease last read or written; throws 409 Conflict if it changed since. */
  async update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    if (!this.#lease) throw new Error('lease must be read or created before update');
    this.#lease = await this.#client.update({ ...this.#lease, spec: { ...this.#lease.spec, ...record } }, { signal });
  }
}
