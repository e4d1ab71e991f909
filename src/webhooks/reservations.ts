/**
 * Quota reservations: sessions the quota webhook admitted that its informer has not seen yet.
 *
 * Between "the webhook said yes" and "the informer delivered the stored session" there is a gap
 * (the API server stores the object, then the watch event travels back). Without reservations, two
 * creates arriving in that gap would both be judged against the same cached usage and both pass
 * when only one fits. Every admitted create or update therefore leaves a reservation of the
 * session's new footprint, keyed by `namespace/name` and the object's uid, which the quota check
 * adds to the cached usage until:
 * - the informer delivers that object (same uid) at a resourceVersion later than the one the
 *   admitted write replaced, i.e. the write has landed (or a later one has); or the object's
 *   deletion; or
 * - the reservation times out: the write was refused after our webhook (another webhook, a
 *   conflict, a name already taken), so it never lands.
 *
 * The decision and the reservation happen in one synchronous step, so one process never admits
 * two sessions on the same stale view. With several webhook replicas each keeps its own
 * reservations: creates spread over N replicas in the same instant can overshoot a limit by up to
 * N-1 sessions (one per other replica) until the informers catch up, milliseconds later.
 */
import type { KubeObject } from '../apimachinery/object.ts';
import type { InformerHandler } from '../runtime/cache.ts';
import { sessionKey, type SessionFootprint } from '../apis/stream/v1alpha1/quota-usage.ts';

/** One admitted, not yet observed, change. */
export interface Reservation {
  key: string;
  uid: string;
  user: string;
  footprint: SessionFootprint;
  /** resourceVersion of the object an admitted update replaces ('' for a create). */
  replacesVersion: string;
  expiresAt: number;
}

/** Options of {@link QuotaReservations}. */
export interface QuotaReservationOptions {
  /** How long a reservation holds when the informer never sees its write (default 30 s). */
  timeoutMs?: number;
  now?: () => number;
}

const DECIMAL = /^\d+$/;

/**
 * Whether `seen` comes after `replaced`. resourceVersions are opaque to clients, but every API server
 * we talk to (etcd revisions, the embedded store) issues increasing integers, and comparing them
 * keeps a lagging cache's older events from releasing a reservation early; anything else is
 * compared for inequality only.
 */
export function isLaterVersion(seen: string, replaced: string): boolean {
  if (!replaced) return true;
  if (DECIMAL.test(seen) && DECIMAL.test(replaced)) return BigInt(seen) > BigInt(replaced);
  return seen !== replaced;
}

/** See the module comment. Register it as a handler of the Session informer. */
export class QuotaReservations implements InformerHandler {
  readonly #byUser = new Map<string, Map<string, Reservation>>();
  readonly #userOfKey = new Map<string, string>();
  readonly #timeoutMs: number;
  readonly #now: () => number;

  constructor(opts: QuotaReservationOptions = {}) {
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Records an admitted change (replacing an earlier reservation of the same key). */
  reserve(r: Omit<Reservation, 'expiresAt'>): void {
    this.#release(r.key);
    let forUser = this.#byUser.get(r.user);
    if (!forUser) this.#byUser.set(r.user, (forUser = new Map()));
    forUser.set(r.key, { ...r, expiresAt: this.#now() + this.#timeoutMs });
    this.#userOfKey.set(r.key, r.user);
  }

  /** `user`'s live reservations (expired ones are dropped on the way). */
  forUser(user: string): Reservation[] {
    const forUser = this.#byUser.get(user);
    if (!forUser) return [];
    const now = this.#now();
    const live: Reservation[] = [];
    for (const r of [...forUser.values()]) {
      if (r.expiresAt <= now) this.#release(r.key);
      else live.push(r);
    }
    return live;
  }

  /** Live reservations in total. */
  size(): number {
    let n = 0;
    for (const user of [...this.#byUser.keys()]) n += this.forUser(user).length;
    return n;
  }

  onAdd(obj: KubeObject): void {
    this.#observed(obj, false);
  }

  onUpdate(_old: KubeObject, obj: KubeObject): void {
    this.#observed(obj, false);
  }

  onDelete(obj: KubeObject): void {
    this.#observed(obj, true);
  }

  #observed(obj: KubeObject, deleted: boolean): void {
    const key = sessionKey(obj);
    const user = this.#userOfKey.get(key);
    const r = user === undefined ? undefined : this.#byUser.get(user)?.get(key);
    if (!r || r.uid !== obj.metadata.uid) return;
    if (deleted || isLaterVersion(obj.metadata.resourceVersion ?? '', r.replacesVersion)) this.#release(key);
  }

  #release(key: string): void {
    const user = this.#userOfKey.get(key);
    if (user === undefined) return;
    this.#userOfKey.delete(key);
    const forUser = this.#byUser.get(user);
    forUser?.delete(key);
    if (forUser && !forUser.size) this.#byUser.delete(user);
  }
}
