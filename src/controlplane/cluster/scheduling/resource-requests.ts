/**
 * Resource arithmetic for scheduling: what a pod requests (the larger of its containers' sum and
 * any single init container, sidecars included in the sum, plus pod overhead, as the scheduler's
 * NodeResourcesFit computes it) and what a node can still give. Amounts are exact (nano-units).
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { parseQuantity } from '../../../apimachinery/quantity.ts';

/** Resource name → amount in nano-units. */
export type ResourceAmounts = Map<string, bigint>;

/** Requests the scheduler assumes for scoring when a container states none (100m CPU, 200Mi memory). */
const NON_ZERO_DEFAULTS: Record<string, bigint> = { cpu: 100_000_000n, memory: 200n * 1024n * 1024n * 1_000_000_000n };

/** Parses a ResourceList (`{cpu: "500m", memory: "1Gi"}`); unparsable entries are skipped. */
export function amountsOf(list: Record<string, unknown> | undefined): ResourceAmounts {
  const out: ResourceAmounts = new Map();
  for (const [name, value] of Object.entries(list ?? {})) {
    try {
      out.set(name, parseQuantity(value as string).nanos);
    } catch {
      // An invalid quantity was refused by validation in kube; here it simply counts as nothing.
    }
  }
  return out;
}

/** Adds `b` into `a`. */
export function addAmounts(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  for (const [k, v] of b) a.set(k, (a.get(k) ?? 0n) + v);
  return a;
}

function maxInto(a: ResourceAmounts, b: ResourceAmounts): void {
  for (const [k, v] of b) if (v > (a.get(k) ?? 0n)) a.set(k, v);
}

function containerRequests(c: any, nonZero: boolean): ResourceAmounts {
  // A limit without a request is also the request (the API server defaults it so).
  const req = amountsOf({ ...c.resources?.limits, ...c.resources?.requests });
  if (nonZero) for (const [k, v] of Object.entries(NON_ZERO_DEFAULTS)) if (!req.get(k)) req.set(k, v);
  return req;
}

/**
 * What a pod requests. With `nonZero`, containers without cpu/memory requests count the
 * scheduler's scoring defaults (so empty pods still spread across nodes).
 */
export function podRequests(pod: KubeObject, nonZero = false): ResourceAmounts {
  const spec = pod.spec ?? {};
  const sum: ResourceAmounts = new Map();
  for (const c of spec.containers ?? []) addAmounts(sum, containerRequests(c, nonZero));
  const sidecars: ResourceAmounts = new Map();
  const initPeak: ResourceAmounts = new Map();
  for (const c of spec.initContainers ?? []) {
    const req = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addAmounts(sidecars, req);
      continue;
    }
    // A regular init container runs next to the sidecars started before it.
    maxInto(initPeak, addAmounts(new Map(sidecars), req));
  }
  addAmounts(sum, sidecars);
  maxInto(sum, initPeak);
  return addAmounts(sum, amountsOf(spec.overhead));
}

/** A node's allocatable resources (capacity when allocatable is not reported). */
export function allocatableOf(node: KubeObject): ResourceAmounts {
  return amountsOf(node.status?.allocatable ?? node.status?.capacity);
}
