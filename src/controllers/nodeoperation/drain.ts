/**
 * One pass of a drain: cordon the node (if it is not already), list its pods, plan (./drain-plan.ts),
 * evict what may be evicted, and report. A drain is a series of passes, one per reconcile, each
 * starting from what the API server says now; nothing is remembered between passes but the count
 * of pods evicted (in status) and the retry delay. So a controller restarted mid-drain picks up
 * where the cluster is: pods already evicted are gone or terminating and are not evicted twice.
 *
 * A pass ends the drain when no pod is left to wait for (Succeeded), when a pod may not be evicted
 * at all (Failed, naming the pods, before evicting anything), or when timeoutSeconds have passed
 * since the operation started (Failed, naming the pods still on the node and why). Otherwise it
 * reports progress and asks to run again: after the backoff when a disruption budget refused an
 * eviction (429), after the poll interval while evicted pods terminate.
 */
import { DEFAULT_DRAIN_GRACE_PERIOD_SECONDS, type NodeOperation } from '../../apis/stream/v1alpha1/nodeoperation.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import type { KubeClient } from '../../runtime/client.ts';
import { mergePatch } from '../../runtime/patch.ts';
import { describePodReasons, planDrain, type DrainPlan, type PodReason } from './drain-plan.ts';
import type { PodEvictor } from './eviction.ts';
import { NodeKind, PodKind } from './kinds.ts';
import type { RetryBackoff } from './retry-backoff.ts';
import type { SessionDrainNotifier } from './session-events.ts';
import type { StatusUpdate } from './status.ts';

/** How often a drain looks again, in milliseconds. */
export interface DrainTiming {
  /** First wait after a disruption budget refused an eviction; doubles per refusal. */
  retryBaseMs: number;
  /** Longest wait between eviction attempts. */
  retryMaxMs: number;
  /** Wait while evicted pods are terminating. */
  pollIntervalMs: number;
}

/** kubectl drain retries refused evictions every 5 s; starting faster and backing off serves short waits better. */
export const DEFAULT_DRAIN_TIMING: DrainTiming = { retryBaseMs: 1000, retryMaxMs: 30_000, pollIntervalMs: 1000 };

/** What a drain pass works with. */
export interface NodeDrainerDeps {
  /** Reads nodes and pods from the API server (not a cache: a drain acts on what is there now). */
  api: KubeClient;
  evictor: PodEvictor;
  notifier: SessionDrainNotifier;
  backoff: RetryBackoff;
  timing: DrainTiming;
}

/** The end of a pass: the drain finished, or runs again after `retryAfterMs`. */
export type DrainOutcome =
  | { finished: true; update: StatusUpdate }
  | { finished: false; update: StatusUpdate; retryAfterMs: number };

interface PassResult {
  evictedNow: number;
  /** Pods still on the node, and why. */
  waiting: PodReason[];
  /** Whether a budget (or another refusal) stopped an eviction. */
  refused: boolean;
}

interface Progress {
  podsEvicted: number;
  podsRemaining: number;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function refusedUpdate(nodeName: string, plan: DrainPlan, podsEvicted: number): StatusUpdate {
  const message = `cannot drain node ${nodeName}: ${describePodReasons(plan.refused)}; the node stays cordoned`;
  return { phase: 'Failed', reason: 'PodsNotEvictable', message, podsEvicted, podsRemaining: plan.evict.length + plan.terminating.length };
}

function drainedUpdate(nodeName: string, plan: DrainPlan, progress: Progress): StatusUpdate {
  const skipped = plan.skipped.length ? `; left in place: ${describePodReasons(plan.skipped)}` : '';
  return { phase: 'Succeeded', reason: 'Drained', message: `drained node ${nodeName}: ${plural(progress.podsEvicted, 'pod')} evicted${skipped}`, ...progress };
}

function timedOutUpdate(op: NodeOperation, nodeName: string, waiting: PodReason[], progress: Progress): StatusUpdate {
  const timeout = op.spec.parameters?.drain?.timeoutSeconds;
  const message = `timed out after ${timeout}s draining node ${nodeName}: ${plural(progress.podsRemaining, 'pod')} could not be evicted: ${describePodReasons(waiting)}`;
  return { phase: 'Failed', reason: 'Timeout', message, ...progress };
}

function progressUpdate(nodeName: string, waiting: PodReason[], progress: Progress): StatusUpdate {
  const message = `draining node ${nodeName}: ${plural(progress.podsEvicted, 'pod')} evicted, waiting for ${describePodReasons(waiting)}`;
  return { phase: 'Running', reason: 'Draining', message, ...progress };
}

/** When the drain must give up: timeoutSeconds after it started; undefined without a timeout. */
function deadlineOf(op: NodeOperation): number | undefined {
  const timeoutSeconds = op.spec.parameters?.drain?.timeoutSeconds;
  const started = Date.parse(op.status?.startTime ?? '');
  if (timeoutSeconds === undefined || Number.isNaN(started)) return undefined;
  return started + timeoutSeconds * 1000;
}

/** See the module comment. */
export class NodeDrainer {
  readonly #d: NodeDrainerDeps;

  constructor(deps: NodeDrainerDeps) {
    this.#d = deps;
  }

  /** Runs one pass of the drain `op` of `node` at `now` (epoch ms). */
  async pass(op: NodeOperation, node: KubeObject, now: number): Promise<DrainOutcome> {
    const nodeName = node.metadata.name ?? op.spec.nodeName;
    const key = op.metadata.uid ?? op.metadata.name ?? '';
    await this.#cordon(node);
    const plan = planDrain(await this.#podsOn(nodeName), op.spec.parameters?.drain ?? {});
    const before = op.status?.podsEvicted ?? 0;
    if (plan.refused.length) return this.#finished(key, refusedUpdate(nodeName, plan, before));
    const result = await this.#evictAll(plan, op, nodeName);
    const progress = { podsEvicted: before + result.evictedNow, podsRemaining: result.waiting.length };
    if (!progress.podsRemaining) return this.#finished(key, drainedUpdate(nodeName, plan, progress));
    const deadline = deadlineOf(op);
    if (deadline !== undefined && now >= deadline) return this.#finished(key, timedOutUpdate(op, nodeName, result.waiting, progress));
    const wait = this.#nextWait(key, result);
    const retryAfterMs = deadline === undefined ? wait : Math.max(1, Math.min(wait, deadline - now));
    return { finished: false, update: progressUpdate(nodeName, result.waiting, progress), retryAfterMs };
  }

  #finished(key: string, update: StatusUpdate): DrainOutcome {
    this.#d.backoff.reset(key);
    return { finished: true, update };
  }

  /** Back off while budgets refuse and nothing moves; poll while evicted pods terminate. */
  #nextWait(key: string, result: PassResult): number {
    if (result.evictedNow > 0 || !result.refused) this.#d.backoff.reset(key);
    return result.refused ? this.#d.backoff.next(key) : this.#d.timing.pollIntervalMs;
  }

  async #cordon(node: KubeObject): Promise<void> {
    if (node.spec?.unschedulable === true) return;
    await this.#d.api.patch({ ...NodeKind, metadata: { name: node.metadata.name } }, mergePatch({ spec: { unschedulable: true } }));
  }

  async #podsOn(nodeName: string): Promise<KubeObject[]> {
    const list = await this.#d.api.list(PodKind, { fieldSelector: `spec.nodeName=${nodeName}` });
    return list.items;
  }

  async #evictAll(plan: DrainPlan, op: NodeOperation, nodeName: string): Promise<PassResult> {
    const grace = op.spec.parameters?.drain?.gracePeriodSeconds ?? DEFAULT_DRAIN_GRACE_PERIOD_SECONDS;
    const waiting: PodReason[] = plan.terminating.map((pod) => ({ pod, reason: 'terminating' }));
    let evictedNow = 0;
    let refused = false;
    const results = await Promise.all(plan.evict.map(async (pod) => ({ pod, result: await this.#d.evictor.evict(pod, grace) })));
    for (const { pod, result } of results) {
      if (result.outcome === 'gone') continue;
      if (result.outcome === 'evicted') {
        evictedNow++;
        waiting.push({ pod, reason: 'terminating' });
        await this.#d.notifier.podEvicted(pod, nodeName, op.metadata.name ?? '');
        continue;
      }
      refused = true;
      waiting.push({ pod, reason: result.reason });
    }
    return { evictedNow, waiting, refused };
  }
}
