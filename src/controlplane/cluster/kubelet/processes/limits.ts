/**
 * Resource limits for a container's process. With a writable cgroup v2 hierarchy the container
 * gets its own cgroup (memory.max, cpu.max) and the process is moved into it. Without one, neither
 * can be applied faithfully: rlimits do not express a CPU share, and RLIMIT_AS/RLIMIT_DATA count
 * reserved address space, which kills V8 (it reserves gigabytes at start) long before it uses the
 * memory. What could not be applied is said in the result, which the runtime reports in the pod's
 * status (condition LocalResourceLimits) and an Event.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseQuantity } from '../../../../apimachinery/quantity.ts';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** How the limits are applied to one container. */
export interface LimitPlan {
  /** A cgroup folder to move the process into, when cgroups v2 is writable. */
  cgroup?: string;
  /** What could not be applied (empty when everything was). */
  notApplied: string[];
}

function cgroupV2Writable(): boolean {
  try {
    fs.accessSync(path.join(CGROUP_ROOT, 'cgroup.controllers'));
    fs.accessSync(CGROUP_ROOT, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The quantity as a number (bytes, or cores), or undefined when unset or malformed. */
function amount(q: string | undefined): number | undefined {
  if (q === undefined) return undefined;
  try {
    return parseQuantity(String(q)).toNumber();
  } catch {
    return undefined;
  }
}

/** Plans the limits of a container (`name` makes the cgroup folder's name). */
export function planLimits(limits: Record<string, string> | undefined, name: string): LimitPlan {
  const mem = amount(limits?.memory);
  const memory = mem === undefined ? undefined : Math.ceil(mem);
  const cpu = amount(limits?.cpu);
  const cpuMilli = cpu === undefined ? undefined : Math.ceil(cpu * 1000);
  if (memory === undefined && cpu === undefined) return { notApplied: [] };
  if (cgroupV2Writable()) {
    const dir = path.join(CGROUP_ROOT, 'streamspace-local', name);
    try {
      fs.mkdirSync(dir, { recursive: true });
      if (memory !== undefined) fs.writeFileSync(path.join(dir, 'memory.max'), String(memory));
      if (cpuMilli !== undefined) fs.writeFileSync(path.join(dir, 'cpu.max'), `${cpuMilli * 100} 100000`);
      return { cgroup: dir, notApplied: [] };
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      return fallback(limits, `cgroup ${dir}: ${(err as Error).message}`);
    }
  }
  return fallback(limits, `cgroup v2 is not writable at ${CGROUP_ROOT}`);
}

function fallback(limits: Record<string, string> | undefined, why: string): LimitPlan {
  const notApplied = ['memory', 'cpu'].filter((r) => limits?.[r] !== undefined).map((r) => `${r} limit ${limits![r]}`);
  return { notApplied: notApplied.length ? [`${notApplied.join(', ')} (${why})`] : [] };
}

/** Moves `pid` into the planned cgroup. */
export function enterCgroup(plan: LimitPlan, pid: number): void {
  if (plan.cgroup) fs.writeFileSync(path.join(plan.cgroup, 'cgroup.procs'), String(pid));
}

/** Removes a container's cgroup once its processes are gone. */
export function removeCgroup(plan: LimitPlan): void {
  if (plan.cgroup) fs.rmSync(plan.cgroup, { recursive: false, force: true });
}
