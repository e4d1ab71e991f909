/**
 * Per-user session usage, kept up to date from the Session informer: what each session counts
 * toward its user's SessionQuota (its footprint), and the sums per user. The index is fed by
 * informer events, so a quota decision reads a handful of numbers instead of listing sessions.
 *
 * What counts:
 * - a session counts toward maxSessions until it is terminated (spec.state `terminated` or
 *   status.phase `Terminated`) or being deleted (deletionTimestamp set);
 * - it counts toward maxRunningSessions, maxTotalCPU and maxTotalMemory while it counts at all and
 *   its desired state (spec.state, default `running`) is `running`: admission judges what was asked
 *   for, not what the controller has achieved yet;
 * - its CPU and memory are the limits of spec.resources (the request where no limit is set), or of
 *   the template's defaultResources when the session has no resources of its own; none counts as 0.
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { parseQuantity } from '../../../apimachinery/quantity.ts';
import type { ResourceRequirements } from '../../corev1.ts';
import type { Session } from './session.ts';
import { recordedUserGroups } from './user-groups.ts';
import { desiredState } from './desired-state.ts';

/** What one session counts toward its user's quota. CPU and memory in units of 10^-9 (Quantity nanos). */
export interface SessionFootprint {
  counted: boolean;
  running: boolean;
  cpu: bigint;
  memory: bigint;
  persistentHome: boolean;
}

/** A user's totals. */
export interface UserUsage {
  sessions: number;
  running: number;
  /** Sum of CPU over running sessions. */
  cpu: bigint;
  /** Sum of memory over running sessions. */
  memory: bigint;
}

/** A footprint that counts toward nothing. */
export const NO_FOOTPRINT: SessionFootprint = Object.freeze({ counted: false, running: false, cpu: 0n, memory: 0n, persistentHome: false });

/** Usage of nothing. */
export function emptyUsage(): UserUsage {
  return { sessions: 0, running: 0, cpu: 0n, memory: 0n };
}

/** `name`'s amount in a resource block: the limit, else the request, else 0. Malformed quantities count as 0 (the schema refuses them). */
export function resourceAmount(resources: ResourceRequirements | undefined, name: string): bigint {
  const value = resources?.limits?.[name] ?? resources?.requests?.[name];
  if (value === undefined) return 0n;
  try {
    return parseQuantity(value).nanos;
  } catch {
    return 0n;
  }
}

/** The footprint of `session`; `templateResources` stands in when the session has no spec.resources. */
export function footprintOf(session: Session, templateResources?: ResourceRequirements): SessionFootprint {
  const spec = session.spec ?? ({} as Partial<Session['spec']>);
  const counted = spec.state !== 'terminated' && session.status?.phase !== 'Terminated' && !session.metadata.deletionTimestamp;
  const resources = spec.resources ?? templateResources;
  return {
    counted,
    running: counted && desiredState(session) === 'running',
    cpu: resourceAmount(resources, 'cpu'),
    memory: resourceAmount(resources, 'memory'),
    persistentHome: spec.persistentHome !== false,
  };
}

/** The larger of two footprints in every dimension (used while the cache may lag an admitted change). */
export function largerFootprint(a: SessionFootprint, b: SessionFootprint): SessionFootprint {
  return {
    counted: a.counted || b.counted,
    running: a.running || b.running,
    cpu: a.cpu > b.cpu ? a.cpu : b.cpu,
    memory: a.memory > b.memory ? a.memory : b.memory,
    persistentHome: a.persistentHome || b.persistentHome,
  };
}

/** Adds a footprint to a usage, in place. */
export function addFootprint(usage: UserUsage, f: SessionFootprint): UserUsage {
  if (!f.counted) return usage;
  usage.sessions++;
  if (f.running) {
    usage.running++;
    usage.cpu += f.cpu;
    usage.memory += f.memory;
  }
  return usage;
}

/** The cache key of a namespaced object: `namespace/name`. */
export function sessionKey(obj: Pick<KubeObject, 'metadata'>): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/** Finds the defaultResources of a session's template (from the cache; undefined when unknown). */
export type TemplateResourcesLookup = (namespace: string, template: string) => ResourceRequirements | undefined;

/** One indexed session. */
interface IndexedSession {
  user: string;
  footprint: SessionFootprint;
  /** The user's groups recorded on the session (./user-groups.ts, annotation written by the defaulting webhook). */
  groups: string[];
}

/** See the module comment. Register it as a handler of the Session informer (it has the informer handler's shape). */
export class SessionUsageIndex {
  readonly #byUser = new Map<string, Map<string, SessionFootprint>>();
  readonly #byKey = new Map<string, IndexedSession>();
  readonly #templateResources: TemplateResourcesLookup;

  constructor(templateResources: TemplateResourcesLookup = () => undefined) {
    this.#templateResources = templateResources;
  }

  onAdd(obj: KubeObject): void {
    this.#set(obj as Session);
  }

  onUpdate(_old: KubeObject, obj: KubeObject): void {
    this.#set(obj as Session);
  }

  onDelete(obj: KubeObject): void {
    this.#remove(sessionKey(obj));
  }

  /** The footprint of the session under `key`, as last seen by the informer. */
  footprintOf(key: string): SessionFootprint | undefined {
    return this.#byKey.get(key)?.footprint;
  }

  /** `user`'s totals over the sessions the informer has seen, leaving out the keys in `exclude`. */
  usageOf(user: string, exclude?: ReadonlySet<string>): UserUsage {
    const usage = emptyUsage();
    for (const [key, footprint] of this.#byUser.get(user) ?? []) {
      if (!exclude?.has(key)) addFootprint(usage, footprint);
    }
    return usage;
  }

  /** Every user with at least one session in the cache. */
  users(): string[] {
    return [...this.#byUser.keys()];
  }

  /** The groups recorded on `user`'s sessions, together. */
  groupsOf(user: string): string[] {
    const groups = new Set<string>();
    for (const key of this.#byUser.get(user)?.keys() ?? []) for (const g of this.#byKey.get(key)?.groups ?? []) groups.add(g);
    return [...groups];
  }

  /** How many sessions are indexed. */
  get size(): number {
    return this.#byKey.size;
  }

  #set(session: Session): void {
    const key = sessionKey(session);
    const user = session.spec?.user ?? '';
    const template = this.#templateResources(session.metadata.namespace ?? '', session.spec?.template ?? '');
    const footprint = footprintOf(session, session.spec?.resources ? undefined : template);
    const previous = this.#byKey.get(key);
    if (previous && previous.user !== user) this.#remove(key);
    this.#byKey.set(key, { user, footprint, groups: recordedUserGroups(session) });
    let sessions = this.#byUser.get(user);
    if (!sessions) this.#byUser.set(user, (sessions = new Map()));
    sessions.set(key, footprint);
  }

  #remove(key: string): void {
    const previous = this.#byKey.get(key);
    if (!previous) return;
    this.#byKey.delete(key);
    const sessions = this.#byUser.get(previous.user);
    sessions?.delete(key);
    if (sessions && !sessions.size) this.#byUser.delete(previous.user);
  }
}
