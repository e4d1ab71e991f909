/**
 * One simulated container's life, as a container runtime driven by the kubelet would live it:
 * pull (or fail to pull: ErrImagePull, then ImagePullBackOff, retried with a doubling back-off),
 * create (or fail: CreateContainerConfigError), start, become ready after the ready delay, and — if
 * told to crash — exit with code 1 and restart after a doubling back-off (CrashLoopBackOff) with
 * restartCount rising. Init containers complete right after they start. Each step reports the
 * Events and log lines a real node would produce.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FailureMode } from './injected-failures.ts';

/** How a terminated container ended. */
export interface Termination {
  exitCode: number;
  reason: string;
  startedAt?: string;
  finishedAt: string;
  containerID?: string;
}

/** The simulated state of one container. */
export interface ContainerRun {
  name: string;
  role: 'init' | 'sidecar' | 'app';
  image: string;
  /** `pending`: not tried yet (shown as ContainerCreating or PodInitializing). */
  state: 'pending' | 'waiting' | 'running' | 'terminated';
  reason?: string;
  message?: string;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
  last?: Termination;
  restartCount: number;
  /** When a running container becomes ready (ms). */
  readyAt?: number;
  /** When the current waiting/crash step ends (ms). */
  nextAt?: number;
  backoffMs: number;
  containerID?: string;
}

/** Where a container's steps report to (the kubelet turns these into Events and logs). */
export interface RuntimeSink {
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  beginLog(): void;
  log(lines: string[]): void;
}

/** What a step needs to know about the world. */
export interface RuntimeEnv {
  now: number;
  podName: string;
  namespace: string;
  podUid: string;
  restartPolicy: string;
  readyDelayMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  failure: FailureMode | undefined;
  configError: string | undefined;
  /** Whether the node has the image already (and remembers it as pulled). */
  imagePresent(image: string): boolean;
  markPulled(image: string): void;
  sink: RuntimeSink;
}

/** A new, not yet started container. */
export function newContainerRun(spec: any, role: ContainerRun['role'], backoffBaseMs: number): ContainerRun {
  return { name: spec.name, role, image: spec.image, state: 'pending', restartCount: 0, backoffMs: backoffBaseMs };
}

/** `docker.io/library/nginx:latest` for `nginx`: the reference a runtime resolves. */
export function normalizedImage(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  let ref = hasRegistry ? image : `docker.io/${slash < 0 ? 'library/' : ''}${image}`;
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  if (!lastPart.includes(':') && !lastPart.includes('@')) ref += ':latest';
  return ref;
}

/** The image digest reference reported as imageID. */
export function imageIdOf(image: string): string {
  const ref = normalizedImage(image);
  const repo = ref.replace(/[:@][^/]*$/, '');
  return `${repo}@sha256:${createHash('sha256').update(ref).digest('hex')}`;
}

/** A Go-style duration (`100ms`, `10s`, `1m20s`), as kubelet messages print them. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function pullError(image: string): string {
  const ref = normalizedImage(image);
  return `rpc error: code = NotFound desc = failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
}

function grow(c: ContainerRun, env: RuntimeEnv): number {
  const wait = c.backoffMs;
  c.backoffMs = Math.min(env.backoffMaxMs, Math.max(1, c.backoffMs * 2));
  return wait;
}

function failPull(c: ContainerRun, env: RuntimeEnv): void {
  env.sink.event('Normal', 'Pulling', `Pulling image "${c.image}"`);
  env.sink.event('Warning', 'Failed', `Failed to pull image "${c.image}": ${pullError(c.image)}`);
  env.sink.event('Warning', 'Failed', 'Error: ErrImagePull');
  Object.assign(c, { state: 'waiting', reason: 'ErrImagePull', message: pullError(c.image), nextAt: env.now + env.backoffBaseMs });
}

function backOffPull(c: ContainerRun, env: RuntimeEnv): void {
  env.sink.event('Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
  env.sink.event('Warning', 'Failed', 'Error: ImagePullBackOff');
  const message = `Back-off pulling image "${c.image}": ErrImagePull: ${pullError(c.image)}`;
  Object.assign(c, { state: 'waiting', reason: 'ImagePullBackOff', message, nextAt: env.now + grow(c, env) });
}

function pull(c: ContainerRun, pullPolicy: string | undefined, env: RuntimeEnv): void {
  if (pullPolicy !== 'Always' && env.imagePresent(c.image)) {
    env.sink.event('Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
    return;
  }
  env.sink.event('Normal', 'Pulling', `Pulling image "${c.image}"`);
  env.sink.event('Normal', 'Pulled', `Successfully pulled image "${c.image}" in 12ms (12ms including waiting). Image size: 10485760 bytes.`);
  env.markPulled(c.image);
}

function start(c: ContainerRun, env: RuntimeEnv, logLines: string[]): void {
  env.sink.event('Normal', 'Created', `Created container: ${c.name}`);
  env.sink.event('Normal', 'Started', `Started container ${c.name}`);
  const startedAt = iso(env.now);
  Object.assign(c, {
    state: 'running', reason: undefined, message: undefined, exitCode: undefined, finishedAt: undefined, startedAt,
    containerID: `containerd://${randomBytes(32).toString('hex')}`, readyAt: undefined, nextAt: undefined,
  });
  env.sink.beginLog();
  env.sink.log([`${new Date(env.now).toISOString()} Started container ${c.name}`, ...logLines.map((l) => `${new Date(env.now).toISOString()} ${l}`)]);
  if (env.failure === 'Crash') c.nextAt = env.now + env.backoffBaseMs;
  else if (c.role === 'init') complete(c, env);
  else c.readyAt = env.now + (c.role === 'sidecar' ? 0 : env.readyDelayMs);
}

function complete(c: ContainerRun, env: RuntimeEnv): void {
  Object.assign(c, { state: 'terminated', reason: 'Completed', exitCode: 0, finishedAt: iso(env.now), readyAt: undefined, nextAt: undefined });
}

function attempt(c: ContainerRun, spec: any, env: RuntimeEnv, logLines: string[]): void {
  c.image = spec.image;
  if (env.failure === 'ImagePull') return failPull(c, env);
  pull(c, spec.imagePullPolicy, env);
  if (env.configError) {
    env.sink.event('Warning', 'Failed', `Error: ${env.configError}`);
    Object.assign(c, { state: 'waiting', reason: 'CreateContainerConfigError', message: env.configError, nextAt: env.now + grow(c, env) });
    return;
  }
  start(c, env, logLines);
}

function crash(c: ContainerRun, env: RuntimeEnv): void {
  env.sink.log([`${new Date(env.now).toISOString()} Error: simulated crash (exit code 1)`]);
  c.last = { exitCode: 1, reason: 'Error', startedAt: c.startedAt, finishedAt: iso(env.now), containerID: c.containerID };
  if (env.restartPolicy === 'Never') {
    Object.assign(c, { state: 'terminated', reason: 'Error', exitCode: 1, finishedAt: iso(env.now), nextAt: undefined, readyAt: undefined });
    return;
  }
  const wait = grow(c, env);
  c.restartCount++;
  const pod = `${env.podName}_${env.namespace}(${env.podUid})`;
  env.sink.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod}`);
  Object.assign(c, {
    state: 'waiting', reason: 'CrashLoopBackOff', message: `back-off ${goDuration(wait)} restarting failed container=${c.name} pod=${pod}`,
    nextAt: env.now + wait, readyAt: undefined,
  });
}

function whileRunning(c: ContainerRun, env: RuntimeEnv): void {
  if (env.failure === 'Crash') {
    c.readyAt = undefined;
    c.nextAt ??= env.now + env.backoffBaseMs;
    if (env.now >= c.nextAt) crash(c, env);
    return;
  }
  // The failure was lifted while the container ran: it now behaves.
  if (c.readyAt === undefined && c.role !== 'init') c.readyAt = env.now + env.readyDelayMs;
  c.nextAt = undefined;
}

/** Moves the container as far as `env.now` allows. */
export function advanceContainer(c: ContainerRun, spec: any, env: RuntimeEnv, logLines: string[]): void {
  if (c.state === 'running' && spec.image !== c.image) {
    env.sink.event('Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`);
    c.last = { exitCode: 137, reason: 'Error', startedAt: c.startedAt, finishedAt: iso(env.now), containerID: c.containerID };
    c.restartCount++;
    c.state = 'pending';
  }
  switch (c.state) {
    case 'pending':
      return attempt(c, spec, env, logLines);
    case 'waiting':
      if (c.nextAt !== undefined && env.now < c.nextAt) return;
      if (c.reason === 'ErrImagePull' && env.failure === 'ImagePull') return backOffPull(c, env);
      return attempt(c, spec, env, logLines);
    case 'running':
      return whileRunning(c, env);
    default:
      return undefined;
  }
}

/** True when the container counts as ready at `now`. */
export function isContainerReady(c: ContainerRun, now: number): boolean {
  if (c.role === 'init') return c.state === 'terminated' && c.exitCode === 0;
  return c.state === 'running' && c.readyAt !== undefined && now >= c.readyAt;
}

/** The next moment this container changes by itself (ms), if any. */
export function nextChangeOf(c: ContainerRun, now: number): number | undefined {
  const times = [c.nextAt, c.state === 'running' && c.readyAt !== undefined && c.readyAt > now ? c.readyAt : undefined];
  const future = times.filter((t): t is number => t !== undefined && t >= now);
  return future.length ? Math.min(...future) : undefined;
}

function stateOf(c: ContainerRun, pendingReason: string): Record<string, unknown> {
  switch (c.state) {
    case 'running': return { running: { startedAt: c.startedAt } };
    case 'terminated': return {
      terminated: { exitCode: c.exitCode, reason: c.reason, startedAt: c.startedAt, finishedAt: c.finishedAt, containerID: c.containerID },
    };
    case 'waiting': return { waiting: c.message ? { reason: c.reason, message: c.message } : { reason: c.reason } };
    default: return { waiting: { reason: pendingReason } };
  }
}

/** The container's entry in containerStatuses / initContainerStatuses. */
export function containerStatusOf(c: ContainerRun, now: number, pendingReason: string): Record<string, unknown> {
  const ran = c.containerID !== undefined;
  const status: Record<string, unknown> = {
    name: c.name, image: c.image, imageID: ran ? imageIdOf(c.image) : '', ready: isContainerReady(c, now),
    restartCount: c.restartCount, started: c.state === 'running', state: stateOf(c, pendingReason),
    lastState: c.last ? { terminated: { ...c.last } } : {},
  };
  if (ran) status.containerID = c.containerID;
  return status;
}
