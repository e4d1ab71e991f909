/**
 * The knobs of the simulated cluster: how many nodes and what they look like, how long pods take to
 * start, become ready and stop, and which failures to inject. Set at start (`startControlPlane({
 * simulation })`) and changed at runtime over PUT /debug/simulation, which is why every value is
 * checked here: a bad value must answer 400, not break a controller.
 */
import { badRequest } from '../../apimachinery/errors.ts';

/** One simulated node's overrides (by position: the first entry describes node 1). */
export interface SimulatedNodeSpec {
  name?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }[];
  /** Capacity (and allocatable): cpu, memory, pods, ephemeral-storage or extended resources. */
  capacity?: Record<string, string>;
  zone?: string;
  unschedulable?: boolean;
}

/** Timings and failures of the simulated cluster. */
export interface SimulationOptions {
  /** Number of simulated nodes (default 3, or the number of nodeSpecs when larger). */
  nodes?: number;
  nodeSpecs?: SimulatedNodeSpec[];
  /** Bound → containers running (default 50 ms; annotation `sim.streamspace.io/start-delay-ms` per pod). */
  podStartDelayMs?: number;
  /** Running → Ready (default 50 ms; annotation `sim.streamspace.io/ready-delay-ms` per pod). */
  podReadyDelayMs?: number;
  /** Upper bound of a graceful pod deletion (default 50 ms; the grace period when shorter). */
  podStopDelayMs?: number;
  /** Images (regular expressions) whose pulls fail: ErrImagePull / ImagePullBackOff. */
  failImages?: string[];
  /** First back-off of failing containers (default 100 ms; doubles per retry). */
  backoffBaseMs?: number;
  /** Longest back-off of failing containers (default 5000 ms). */
  backoffMaxMs?: number;
  /** Log lines kept per container (default 1000). */
  podLogLines?: number;
}

/** Options with every default filled in. */
export type ResolvedSimulationOptions = Required<Omit<SimulationOptions, 'nodeSpecs'>> & { nodeSpecs: SimulatedNodeSpec[] };

const DEFAULTS: ResolvedSimulationOptions = {
  nodes: 3, nodeSpecs: [], podStartDelayMs: 50, podReadyDelayMs: 50, podStopDelayMs: 50,
  failImages: [], backoffBaseMs: 100, backoffMaxMs: 5000, podLogLines: 1000,
};

const NUMERIC_KEYS = ['nodes', 'podStartDelayMs', 'podReadyDelayMs', 'podStopDelayMs', 'backoffBaseMs', 'backoffMaxMs', 'podLogLines'] as const;

function checkNumber(key: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw badRequest(`simulation.${key}: must be a non-negative number`);
}

function checkFailImages(value: unknown): void {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw badRequest('simulation.failImages: must be a list of regular expressions');
  for (const v of value as string[]) {
    try {
      new RegExp(v);
    } catch (err) {
      throw badRequest(`simulation.failImages: ${(err as Error).message}`);
    }
  }
}

function checkNodeSpecs(value: unknown): void {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'object' || v === null)) {
    throw badRequest('simulation.nodeSpecs: must be a list of node descriptions');
  }
}

/** Checks an options object (from a test or the debug endpoint); throws 400 on an unknown key or bad value. */
export function checkSimulationOptions(patch: unknown): SimulationOptions {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw badRequest('simulation options must be a JSON object');
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || value === null) continue;
    if ((NUMERIC_KEYS as readonly string[]).includes(key)) checkNumber(key, value);
    else if (key === 'failImages') checkFailImages(value);
    else if (key === 'nodeSpecs') checkNodeSpecs(value);
    else throw badRequest(`simulation: unknown option "${key}"; known: ${[...NUMERIC_KEYS, 'failImages', 'nodeSpecs'].join(', ')}`);
  }
  return patch as SimulationOptions;
}

/** The options with defaults; a null in a patch resets that option to its default. */
export function resolveSimulationOptions(opts: SimulationOptions): ResolvedSimulationOptions {
  const out: Record<string, unknown> = { ...DEFAULTS };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined && v !== null) out[k] = v;
  const resolved = out as ResolvedSimulationOptions;
  if (resolved.nodeSpecs.length > resolved.nodes && opts.nodes === undefined) resolved.nodes = resolved.nodeSpecs.length;
  return resolved;
}
