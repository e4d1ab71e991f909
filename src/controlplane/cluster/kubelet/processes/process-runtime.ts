/**
 * The process runtime of the simulated kubelet: pods whose runtimeClassName is
 * `streamspace-local` run their containers as real local processes instead of simulated ones.
 * The kubelet keeps its bookkeeping (ContainerRun, pod status, Events, logs); this class moves a
 * container's state from what its process really does: start (or CreateContainerError naming what
 * is missing), Running, Ready when its readiness probe passes, exit → lastState with the exit code
 * and a restart after a doubling back-off (CrashLoopBackOff), liveness failures → restart, and
 * stop (SIGTERM, SIGKILL after the grace period). Processes run as an unprivileged user (./run-as.ts),
 * only programs from ./programs.ts, in folders from ./volume-folders.ts, each pod on its own
 * loopback address (./loopback.ts), recorded in pid files (./pid-files.ts) that the next start
 * reaps after a crash of the platform.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../../../../apimachinery/object.ts';
import { withCondition } from '../../conditions.ts';
import type { ContainerRun, RuntimeEnv } from '../container-runtime.ts';
import type { PodLogStore } from '../pod-logs.ts';
import type { PodRun } from '../pod-status.ts';
import { enterCgroup, planLimits, removeCgroup, type LimitPlan } from './limits.ts';
import { LocalProcess, type ProcessExit } from './local-process.ts';
import { allocateLoopbackIP, displayOf } from './loopback.ts';
import { PidFiles, processStartTime } from './pid-files.ts';
import { Prober, type ProbeTarget } from './probes.ts';
import { programPath, resolveProgram } from './programs.ts';
import { runAs } from './run-as.ts';
import { translatePath, VolumeFolders, type ClaimLookup, type HostMount } from './volume-folders.ts';

/** The RuntimeClass that selects this runtime. */
export const LOCAL_RUNTIME_CLASS = 'streamspace-local';

/** Env names a pod may not set for a local process: they would make it load code of the pod's choosing. */
const REFUSED_ENV = /^(LD_|NODE_OPTIONS$|NODE_PATH$|BASH_ENV$|ENV$|BASH_FUNC_|PYTHONSTARTUP$|PERL5OPT$)/;

/** Condition type a local pod carries when some resource limit could not be applied. */
export const LIMITS_CONDITION = 'LocalResourceLimits';

/** True for a pod this runtime runs. */
export function isLocalPod(pod: KubeObject): boolean {
  return pod.spec?.runtimeClassName === LOCAL_RUNTIME_CLASS;
}

/** What the runtime needs from the kubelet. */
export interface ProcessRuntimeDeps {
  /** The runtime's folder (under the data directory); undefined makes a temporary one. */
  dataDir: string | undefined;
  logs: PodLogStore;
  claims: ClaimLookup;
  /** Uids of every claim that exists (folders of others are removed at start). */
  claimUids(): Set<string>;
  /** Asks the kubelet to look at a pod again (its process exited, a probe changed). */
  poke(key: string): void;
}

/** The pod a step is about: its queue key, the object and the kubelet's record of it. */
export interface PodAt {
  key: string;
  pod: KubeObject;
  run: PodRun;
}

interface LiveContainer {
  proc: LocalProcess;
  limits: LimitPlan;
  readiness?: Prober;
  liveness?: Prober;
  /** Set when the liveness probe failed and the process is being restarted for it. */
  unhealthy?: string;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Runs `streamspace-local` pods as processes. */
export class ProcessRuntime {
  /** The folders, made on first use when in memory (most in-memory control planes never run a local pod). */
  private opened: { root: string; pids: PidFiles; folders: VolumeFolders } | undefined;
  private readonly live = new Map<string, LiveContainer>();
  private readonly limitNotes = new Map<string, string>();
  private readonly stopping = new Map<string, Promise<void>>();

  private readonly deps: ProcessRuntimeDeps;

  constructor(deps: ProcessRuntimeDeps) {
    this.deps = deps;
    if (!deps.dataDir) return;
    // Before anything starts: processes of a platform that was killed are ended, deleted claims' folders go.
    this.pids.reapStale();
    this.folders.sweepClaims(deps.claimUids());
  }

  private open(): { root: string; pids: PidFiles; folders: VolumeFolders } {
    const dataDir = this.deps.dataDir;
    const root = dataDir ? path.join(dataDir, 'local-runtime') : fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-local-'));
    fs.mkdirSync(root, { recursive: true });
    // The unprivileged user must be able to pass through (not list) to its folders.
    for (const dir of [dataDir, root]) if (dir) fs.chmodSync(dir, fs.statSync(dir).mode | 0o111);
    return { root, pids: new PidFiles(root), folders: new VolumeFolders(root) };
  }

  private get pids(): PidFiles {
    return (this.opened ??= this.open()).pids;
  }

  private get folders(): VolumeFolders {
    return (this.opened ??= this.open()).folders;
  }

  /** A loopback address not in `used`. */
  allocateIP(used: Set<string>): string | undefined {
    return allocateLoopbackIP(used);
  }

  /** Moves one container of a local pod as far as its process allows. */
  step(at: PodAt, c: ContainerRun, spec: any, env: RuntimeEnv): void {
    const { pod, run } = at;
    const id = `${run.uid}/${c.name}`;
    const live = this.live.get(id);
    if (c.state === 'running') {
      if (!live) return this.ended(c, env, { code: 255, at: env.now }, 'Unknown');
      if (live.proc.exit) {
        this.live.delete(id);
        return this.ended(c, env, live.proc.exit, live.unhealthy ? 'Error' : undefined);
      }
      if (live.liveness?.ok === false && !live.unhealthy) {
        live.unhealthy = live.liveness.lastProblem ?? 'liveness probe failed';
        env.sink.event('Warning', 'Unhealthy', `Liveness probe failed: ${live.unhealthy}`);
        env.sink.event('Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`);
        void live.proc.stop((pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
      }
      c.readyAt = !spec.readinessProbe || live.readiness?.ok ? (c.readyAt ?? env.now) : undefined;
      c.nextAt = undefined;
      return;
    }
    if (c.state === 'terminated' || !run.podIP) return;
    if (c.state === 'waiting' && c.nextAt !== undefined && env.now < c.nextAt) return;
    this.start(at, c, spec, env);
  }

  private fail(c: ContainerRun, env: RuntimeEnv, message: string): void {
    env.sink.event('Warning', 'Failed', `Error: ${message}`);
    Object.assign(c, { state: 'waiting', reason: 'CreateContainerError', message, nextAt: env.now + this.backoff(c, env) });
  }

  private backoff(c: ContainerRun, env: RuntimeEnv): number {
    const wait = c.backoffMs;
    c.backoffMs = Math.min(env.backoffMaxMs, Math.max(1, c.backoffMs * 2));
    return wait;
  }

  private start(at: PodAt, c: ContainerRun, spec: any, env: RuntimeEnv): void {
    const { key, pod, run } = at;
    c.image = spec.image;
    if (env.configError) return this.fail(c, env, env.configError);
    const program = resolveProgram(spec.command);
    if (typeof program === 'string') return this.fail(c, env, program);
    const user = runAs();
    if ('problem' in user) return this.fail(c, env, user.problem);
    const mounts = this.folders.mountsOf(pod, spec, this.deps.claims, user);
    if (typeof mounts === 'string') return this.fail(c, env, mounts);
    const scratch = path.join(this.folders.podFolder(run.uid), `.${c.name}`);
    fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
    fs.chownSync(scratch, user.uid, user.gid);
    const procEnv = this.environment(at, spec, { mounts, scratch }, env);
    const cwd = spec.workingDir ? translatePath(spec.workingDir, mounts) : procEnv.HOME!;
    const limits = planLimits(spec.resources?.limits, `${run.uid}-${c.name}`);
    if (limits.notApplied.length) {
      const note = `not applied: ${limits.notApplied.join('; ')}`;
      if (this.limitNotes.get(run.uid) !== note) env.sink.event('Warning', 'LimitsNotApplied', `Resource limits ${note}`);
      this.limitNotes.set(run.uid, note);
    }
    const logTo = (line: string) => this.deps.logs.append(env.namespace, env.podName, c.name, [line]);
    this.deps.logs.begin(env.namespace, env.podName, run.uid, c.name);
    const argv = [...program.argv, ...(spec.args ?? [])];
    const proc = new LocalProcess({ argv, env: procEnv, cwd, uid: user.uid, gid: user.gid }, logTo, () => {
      this.pids.remove(run.uid, c.name);
      const l = this.live.get(`${run.uid}/${c.name}`);
      l?.readiness?.stop();
      l?.liveness?.stop();
      removeCgroup(limits);
      this.deps.poke(key);
    });
    const live: LiveContainer = { proc, limits };
    this.live.set(`${run.uid}/${c.name}`, live);
    if (proc.pid > 0) {
      this.pids.write({ pid: proc.pid, startTime: processStartTime(proc.pid) ?? '', podUid: run.uid, container: c.name });
      try {
        enterCgroup(limits, proc.pid);
      } catch {
        // The process ended already.
      }
    }
    const target: ProbeTarget = { ip: run.podIP!, ports: spec.ports ?? [], uid: user.uid, gid: user.gid, env: procEnv, cwd };
    const poke = () => this.deps.poke(key);
    if (spec.readinessProbe) live.readiness = new Prober(spec.readinessProbe, target, true, poke);
    if (spec.livenessProbe) live.liveness = new Prober(spec.livenessProbe, target, false, poke);
    env.sink.event('Normal', 'Created', `Created container: ${c.name}`);
    env.sink.event('Normal', 'Started', `Started container ${c.name}`);
    Object.assign(c, {
      state: 'running', reason: undefined, message: undefined, exitCode: undefined, finishedAt: undefined, startedAt: iso(env.now),
      containerID: `local://${proc.pid}`, readyAt: spec.readinessProbe ? undefined : env.now, nextAt: undefined,
    });
  }

  /** The process's environment: a clean one, the container's env with paths translated, and where the pod lives. */
  private environment({ pod, run }: PodAt, spec: any, { mounts, scratch }: { mounts: HostMount[]; scratch: string }, env: RuntimeEnv): Record<string, string> {
    const ip = run.podIP!;
    const out: Record<string, string> = { PATH: programPath().join(':'), HOME: scratch, LANG: 'C.UTF-8', HOSTNAME: pod.metadata.name! };
    for (const e of spec.env ?? []) {
      if (e.value === undefined) continue;
      if (REFUSED_ENV.test(e.name)) {
        env.sink.event('Warning', 'EnvRefused', `Environment variable ${e.name} is not passed to a local process`);
        continue;
      }
      out[e.name] = translatePath(String(e.value), mounts);
    }
    out.STREAMSPACE_POD_IP = ip;
    out.STREAMSPACE_DISPLAY = `:${displayOf(ip)}`;
    for (const p of spec.ports ?? []) if (p.name) out[`STREAMSPACE_PORT_${String(p.name).toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = String(p.containerPort);
    return out;
  }

  /** Records how the process ended and plans what follows under the pod's restartPolicy. */
  private ended(c: ContainerRun, env: RuntimeEnv, exit: ProcessExit, reason?: string): void {
    const why = reason ?? (exit.code === 0 ? 'Completed' : 'Error');
    c.last = { exitCode: exit.code, reason: why, startedAt: c.startedAt, finishedAt: iso(exit.at), containerID: c.containerID };
    c.readyAt = undefined;
    const restart = env.restartPolicy === 'Always' || (env.restartPolicy === 'OnFailure' && exit.code !== 0);
    if (!restart) {
      Object.assign(c, { state: 'terminated', reason: why, exitCode: exit.code, finishedAt: iso(exit.at), nextAt: undefined });
      c.last = undefined;
      return;
    }
    c.restartCount++;
    if (why === 'Unknown') {
      // The platform restarted and its processes were ended: start again at once, as a rebooted node does.
      Object.assign(c, { state: 'pending', nextAt: undefined });
      return;
    }
    const wait = this.backoff(c, env);
    const pod = `${env.podName}_${env.namespace}(${env.podUid})`;
    env.sink.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod}`);
    Object.assign(c, {
      state: 'waiting', reason: 'CrashLoopBackOff', message: `back-off ${Math.round(wait)}ms restarting failed container=${c.name} pod=${pod}`,
      nextAt: env.now + wait,
    });
  }

  /** The pod's status with what this runtime adds (the LocalResourceLimits condition). */
  decorate(pod: KubeObject, status: any, nowIso: string): any {
    const note = this.limitNotes.get(pod.metadata.uid!);
    if (!note) return status;
    const cond = { type: LIMITS_CONDITION, status: 'False' as const, reason: 'NotApplied', message: `Resource limits ${note}`, lastProbeTime: null };
    return { ...status, conditions: withCondition(status.conditions ?? [], cond, nowIso) };
  }

  /** True while a process of the pod runs. */
  running(podUid: string): boolean {
    return [...this.live.entries()].some(([id, l]) => id.startsWith(`${podUid}/`) && !l.proc.exit);
  }

  /**
   * Stops every process of a deleted pod: SIGTERM, SIGKILL after `graceMs`; pokes the pod once
   * they are gone. Returns true while they are still stopping.
   */
  stopPod(key: string, podUid: string, graceMs: number): boolean {
    if (!this.running(podUid)) return false;
    if (!this.stopping.has(podUid)) {
      const all = [...this.live.entries()].filter(([id]) => id.startsWith(`${podUid}/`)).map(([, l]) => l.proc.stop(graceMs));
      this.stopping.set(podUid, Promise.all(all).then(() => {
        this.stopping.delete(podUid);
        this.deps.poke(key);
      }));
    }
    return true;
  }

  /** The pod is gone: its processes are killed (if any are left) and its folders removed. */
  forgetPod(podUid: string): void {
    for (const [id, l] of this.live) {
      if (!id.startsWith(`${podUid}/`)) continue;
      l.proc.kill();
      l.readiness?.stop();
      l.liveness?.stop();
      this.opened?.pids.remove(podUid, id.slice(podUid.length + 1));
      this.live.delete(id);
    }
    this.limitNotes.delete(podUid);
    this.opened?.folders.removePod(podUid);
  }

  /** A claim was deleted: its folder goes. */
  claimDeleted(uid: string): void {
    this.opened?.folders.removeClaim(uid);
  }

  /** The platform stops: every process ends (their pods restart them on the next start). */
  stop(): void {
    for (const l of this.live.values()) {
      l.proc.kill();
      l.readiness?.stop();
      l.liveness?.stop();
    }
    this.live.clear();
    if (this.opened && !this.deps.dataDir) fs.rmSync(this.opened.root, { recursive: true, force: true });
  }
}
