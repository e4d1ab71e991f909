/**
 * The simulated kubelets (one process plays every node's). For each pod bound to a Ready node it
 * acknowledges the pod (Pending, ContainerCreating, hostIP, startTime), waits for its volumes
 * (FailedMount while a claim is unbound or a ConfigMap/Secret is missing, FailedAttachVolume while
 * its ReadWriteOnce volume is in use on another node: ./volume-attach.ts), then after the start
 * delay creates the sandbox (pod IP from the node's CIDR) and runs init containers to completion
 * and app containers to Running, and after the ready delay reports them Ready. Injected failures
 * (./injected-failures.ts) keep containers in ErrImagePull/ImagePullBackOff or CrashLoopBackOff.
 * Every step records the Events a node emits and container logs (served by pods/log). A pod with a
 * deletionTimestamp is stopped (Killing) and, after min(grace period, podStopDelayMs), deleted with
 * gracePeriodSeconds 0. Pods on a node that is not Ready are left alone: that kubelet is down.
 * Pods of RuntimeClass `streamspace-local` run as real processes instead (./processes/).
 */
import { deepEqual, type KubeObject } from '../../../apimachinery/object.ts';
import type { PodLogFollower, PodLogReader } from '../../http/resource-handler.ts';
import { rfc3339 } from '../../verbs/scope.ts';
import { advanceContainer, newContainerRun, nextChangeOf, type ContainerRun, type RuntimeEnv } from './container-runtime.ts';
import { componentClient, keyOf, splitKey, type Controller, type ControllerContext } from '../controller.ts';
import { annotatedDelay, injectedFailure, SIM_ANNOTATIONS } from './injected-failures.ts';
import { T, type InternalClient } from '../internal-client.ts';
import { containerConfigError, volumeProblem, type DependencyLookup } from './pod-dependencies.ts';
import { PodLogStore } from './pod-logs.ts';
import { allocatePodIP, hostIPOf } from './pod-network.ts';
import { isPodTerminal } from '../pod-state.ts';
import { renderPodStatus, type PodRun } from './pod-status.ts';
import { isLocalPod, ProcessRuntime } from './processes/process-runtime.ts';
import { isNodeReady } from '../nodes/taints.ts';
import { FAILED_ATTACH, multiAttachProblem, type AttachLookup } from '../volumes/volume-attach.ts';
import { ReconcileQueue, type ReconcileResult } from '../work-queue.ts';

/** How often a pod blocked on a missing volume or config looks again without being told. */
const DEPENDENCY_RECHECK_MS = 2000;

function containerRunFromStatus(cs: any, spec: any, role: ContainerRun['role'], now: number, backoffBaseMs: number): ContainerRun {
  const run = newContainerRun(spec, role, backoffBaseMs);
  const state = cs?.state ?? {};
  run.restartCount = cs?.restartCount ?? 0;
  run.containerID = cs?.containerID;
  if (cs?.image) run.image = cs.image;
  if (cs?.lastState?.terminated) run.last = { ...cs.lastState.terminated };
  if (state.running) Object.assign(run, { state: 'running', startedAt: state.running.startedAt, readyAt: cs.ready ? 0 : now });
  else if (state.terminated) Object.assign(run, { state: 'terminated', ...state.terminated, containerID: state.terminated.containerID ?? run.containerID });
  else if (state.waiting?.reason && !['ContainerCreating', 'PodInitializing'].includes(state.waiting.reason)) {
    Object.assign(run, { state: 'waiting', reason: state.waiting.reason, message: state.waiting.message, nextAt: now });
  }
  return run;
}

/** The simulated kubelet of every node. */
class Kubelet {
  private readonly ctx: ControllerContext;
  readonly client: InternalClient;
  readonly queue: ReconcileQueue;
  readonly logs: PodLogStore;
  private readonly runs = new Map<string, PodRun>();
  private readonly stopping = new Map<string, { uid: string; at: number }>();
  private readonly images = new Map<string, Set<string>>();
  /** Pods waiting for a volume or a ConfigMap/Secret, looked at again when those change. */
  readonly blocked = new Set<string>();
  private readonly lookup: DependencyLookup;
  private readonly attachLookup: AttachLookup;
  readonly local: ProcessRuntime;

  constructor(ctx: ControllerContext) {
    this.ctx = ctx;
    this.client = componentClient(ctx, 'kubelet');
    this.queue = new ReconcileQueue('kubelet', (key) => this.reconcile(key));
    this.logs = new PodLogStore(() => ctx.options().podLogLines);
    this.lookup = {
      configMap: (ns, name) => this.client.get(T.configMaps, ns, name),
      secret: (ns, name) => this.client.get(T.secrets, ns, name),
      claim: (ns, name) => this.client.get(T.pvcs, ns, name),
    };
    this.attachLookup = {
      claim: this.lookup.claim,
      pods: (ns) => this.client.list(T.pods, ns),
      started: (pod) => Boolean(pod.status?.podIP) || this.runs.get(keyOf(pod.metadata.namespace, pod.metadata.name!))?.started === true,
    };
    this.local = new ProcessRuntime({
      dataDir: ctx.dataDir, logs: this.logs, claims: this.lookup.claim, poke: (key) => this.queue.add(key),
      claimUids: () => new Set(this.client.list(T.pvcs).map((c) => c.metadata.uid!)),
    });
  }

  /** Forgets a pod that is gone. */
  forget(key: string): void {
    const { namespace, name } = splitKey(key);
    const uid = this.runs.get(key)?.uid ?? this.stopping.get(key)?.uid;
    if (uid) this.local.forgetPod(uid);
    this.runs.delete(key);
    this.stopping.delete(key);
    this.blocked.delete(key);
    this.logs.forget(namespace!, name);
  }

  /** Looks again at the pods of `namespace` waiting for a volume or a ConfigMap/Secret. */
  retryBlocked(namespace: string | undefined): void {
    for (const key of this.blocked) if (splitKey(key).namespace === namespace) this.queue.add(key);
  }

  /** Every pod the kubelet runs or waits for (re-planned when options change). */
  keys(): string[] {
    return [...new Set([...this.runs.keys(), ...this.stopping.keys()])];
  }

  private async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const pod = this.client.get(T.pods, namespace, name);
    if (!pod) return this.forget(key);
    const known = this.runs.get(key);
    if (known && known.uid !== pod.metadata.uid) this.forget(key);
    if (!pod.spec?.nodeName) return;
    const node = this.client.get(T.nodes, undefined, pod.spec.nodeName);
    if (!node || !isNodeReady(node)) return;
    if (pod.metadata.deletionTimestamp) return this.terminate(key, pod);
    if (isPodTerminal(pod)) return;
    const run = this.runs.get(key) ?? this.accept(key, pod, node);
    const now = this.ctx.svc.now().getTime();
    const wake = this.advance(key, pod, node, run, now);
    const nowIso = rfc3339(new Date(now));
    let status = renderPodStatus(pod, run, now, nowIso);
    if (isLocalPod(pod)) status = this.local.decorate(pod, status, nowIso);
    if (!deepEqual(status, pod.status)) await this.client.update(T.pods, { ...pod, status }, 'status');
    return wake === undefined ? undefined : { requeueAfterMs: Math.max(1, wake - now) };
  }

  private accept(key: string, pod: KubeObject, node: KubeObject): PodRun {
    const now = this.ctx.svc.now().getTime();
    const base = this.ctx.options().backoffBaseMs;
    const statuses = (list: any[] | undefined, name: string) => (list ?? []).find((s: any) => s.name === name);
    const run: PodRun = {
      uid: pod.metadata.uid!, nodeName: node.metadata.name!, acceptedAt: now, started: Boolean(pod.status?.podIP),
      startTime: pod.status?.startTime ?? rfc3339(new Date(now)), hostIP: pod.status?.hostIP ?? hostIPOf(node), podIP: pod.status?.podIP,
      init: (pod.spec.initContainers ?? []).map((c: any) => {
        const role = c.restartPolicy === 'Always' ? 'sidecar' : 'init';
        const cs = statuses(pod.status?.initContainerStatuses, c.name);
        return cs ? containerRunFromStatus(cs, c, role, now, base) : newContainerRun(c, role, base);
      }),
      app: (pod.spec.containers ?? []).map((c: any) => {
        const cs = statuses(pod.status?.containerStatuses, c.name);
        return cs ? containerRunFromStatus(cs, c, 'app', now, base) : newContainerRun(c, 'app', base);
      }),
    };
    this.runs.set(key, run);
    return run;
  }

  /** Advances the pod to `now`; returns when it next changes by itself. */
  private advance(key: string, pod: KubeObject, node: KubeObject, run: PodRun, now: number): number | undefined {
    if (!run.started) {
      const startAt = run.acceptedAt + annotatedDelay(pod, SIM_ANNOTATIONS.startDelay, this.ctx.options().podStartDelayMs);
      if (now < startAt) return startAt;
      if (!this.mountVolumes(key, pod, run)) return now + DEPENDENCY_RECHECK_MS;
      if (isLocalPod(pod)) run.podIP = this.local.allocateIP(this.usedIPs());
      else run.podIP = pod.spec.hostNetwork ? run.hostIP : allocatePodIP(node, this.usedIPs(node.metadata.name!));
      run.started = true;
    }
    this.blocked.delete(key);
    const specs = new Map<string, any>([...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c: any) => [c.name, c]));
    let initDone = true;
    for (const c of run.init) {
      this.step(key, pod, run, c, { spec: specs.get(c.name), now });
      if (c.role === 'init' && !(c.state === 'terminated' && c.exitCode === 0)) {
        initDone = false;
        break;
      }
    }
    if (initDone) for (const c of run.app) this.step(key, pod, run, c, { spec: specs.get(c.name), now });
    const wakes = [...run.init, ...run.app].map((c) => nextChangeOf(c, now)).filter((t): t is number => t !== undefined);
    return wakes.length ? Math.min(...wakes) : undefined;
  }

  private mountVolumes(key: string, pod: KubeObject, run: PodRun): boolean {
    const mount = volumeProblem(pod, this.lookup);
    const attach = mount ? undefined : multiAttachProblem(pod, this.attachLookup);
    const problem = mount ?? attach;
    if (!problem) return true;
    this.blocked.add(key);
    if (run.mountProblem !== problem) {
      run.mountProblem = problem;
      const [reason, source] = attach ? [FAILED_ATTACH.reason, { component: FAILED_ATTACH.component }] : ['FailedMount', { component: 'kubelet', host: run.nodeName }];
      this.ctx.events.emit(pod, { type: 'Warning', reason, message: problem, source });
    }
    return false;
  }

  private step(key: string, pod: KubeObject, run: PodRun, c: ContainerRun, at: { spec: any; now: number }): void {
    const { spec, now } = at;
    if (!spec) return;
    const opts = this.ctx.options();
    const configError = containerConfigError(pod, spec, this.lookup);
    if (configError) this.blocked.add(key);
    const fieldPath = `spec.${c.role === 'app' ? 'containers' : 'initContainers'}{${c.name}}`;
    const source = { component: 'kubelet', host: run.nodeName };
    const images = this.images.get(run.nodeName) ?? new Set<string>();
    this.images.set(run.nodeName, images);
    const env: RuntimeEnv = {
      now, podName: pod.metadata.name!, namespace: pod.metadata.namespace!, podUid: run.uid, restartPolicy: pod.spec.restartPolicy ?? 'Always',
      readyDelayMs: annotatedDelay(pod, SIM_ANNOTATIONS.readyDelay, opts.podReadyDelayMs), backoffBaseMs: opts.backoffBaseMs,
      backoffMaxMs: opts.backoffMaxMs, failure: injectedFailure(pod, spec, c.role !== 'app', opts.failImages), configError,
      imagePresent: (image) => images.has(image), markPulled: (image) => images.add(image),
      sink: {
        event: (type, reason, message) => this.ctx.events.emit(pod, { type, reason, message, fieldPath, source }),
        beginLog: () => this.logs.begin(pod.metadata.namespace!, pod.metadata.name!, run.uid, c.name),
        log: (lines) => this.logs.append(pod.metadata.namespace!, pod.metadata.name!, c.name, lines),
      },
    };
    if (isLocalPod(pod)) return this.local.step({ key, pod, run }, c, spec, env);
    const extra = String(pod.metadata.annotations?.[SIM_ANNOTATIONS.log] ?? '').split('\n').filter((l) => l.trim());
    advanceContainer(c, spec, env, extra);
  }

  /** Pod IPs in use on the node (every node when unnamed: local pods share this machine's loopback). */
  private usedIPs(nodeName?: string): Set<string> {
    const used = new Set<string>();
    for (const p of this.client.list(T.pods)) if ((!nodeName || p.spec?.nodeName === nodeName) && p.status?.podIP) used.add(p.status.podIP);
    for (const r of this.runs.values()) if ((!nodeName || r.nodeName === nodeName) && r.podIP) used.add(r.podIP);
    return used;
  }

  private async terminate(key: string, pod: KubeObject): Promise<ReconcileResult> {
    // Grace 0 with finalizers left: the API server removes the pod once they are gone.
    if (pod.metadata.deletionGracePeriodSeconds === 0) return;
    const now = this.ctx.svc.now().getTime();
    let stop = this.stopping.get(key);
    if (!stop || stop.uid !== pod.metadata.uid) {
      const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
      stop = { uid: pod.metadata.uid!, at: now + Math.min(graceMs, this.ctx.options().podStopDelayMs) };
      this.stopping.set(key, stop);
      this.announceKilling(pod);
    }
    // A local pod's processes get the whole grace period; it goes once they have exited.
    if (isLocalPod(pod)) {
      if (this.local.stopPod(key, pod.metadata.uid!, (pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000)) return;
    } else if (now < stop.at) return { requeueAfterMs: stop.at - now };
    await this.client.delete(T.pods, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
  }

  private announceKilling(pod: KubeObject): void {
    const host = pod.spec.nodeName;
    for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      if (!cs.state?.running) continue;
      const init = (pod.spec.initContainers ?? []).some((c: any) => c.name === cs.name);
      this.ctx.events.emit(pod, {
        type: 'Normal', reason: 'Killing', message: `Stopping container ${cs.name}`,
        fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${cs.name}}`, source: { component: 'kubelet', host },
      });
    }
  }

  /** pods/log: the container's lines, or undefined when it has not started. */
  readLogs(namespace: string, podName: string, container: string | undefined, tailLines?: number, previous = false): string[] | undefined {
    const pod = this.client.get(T.pods, namespace, podName);
    if (!pod) return undefined;
    const name = container ?? pod.spec?.containers?.[0]?.name;
    const lines = this.logs.read(namespace, podName, pod.metadata.uid, name, { tailLines, previous });
    if (lines || previous) return lines;
    // After a restart of the control plane the buffers are gone; a container that ran says so in its status.
    const startedAt = containerStartedAt(pod, name);
    if (!startedAt) return undefined;
    this.logs.begin(namespace, podName, pod.metadata.uid!, name);
    this.logs.append(namespace, podName, name, [`${new Date(startedAt).toISOString()} Started container ${name}`]);
    return this.logs.read(namespace, podName, pod.metadata.uid, name, { tailLines });
  }
}

/** When container `name` of `pod` last started, from its status; undefined if it never did. */
function containerStartedAt(pod: KubeObject, name: string | undefined): string | undefined {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  const cs = statuses.find((s: any) => s.name === name);
  return cs?.state?.running?.startedAt ?? cs?.state?.terminated?.startedAt;
}

/** The kubelet controller and its log reader. */
export interface KubeletController extends Controller {
  podLogs: PodLogReader;
  podLogFollow: PodLogFollower;
}

/** Starts the simulated kubelets. */
export function startKubelet(ctx: ControllerContext): KubeletController {
  const kubelet = new Kubelet(ctx);
  const { client, queue } = kubelet;
  const podKey = (p: KubeObject) => keyOf(p.metadata.namespace, p.metadata.name!);
  const unsubscribe = client.onChange([T.pods, T.nodes, T.pvcs, T.configMaps, T.secrets], (ev) => {
    const obj = ev.object;
    if (obj.kind === 'Pod') {
      if (ev.type === 'DELETED') kubelet.forget(podKey(obj));
      else if (obj.spec?.nodeName) queue.add(podKey(obj));
      // A pod gone or finished may release a volume a blocked pod waits to attach.
      if (ev.type === 'DELETED' || isPodTerminal(obj)) kubelet.retryBlocked(obj.metadata.namespace);
    } else if (obj.kind === 'Node') {
      for (const p of client.list(T.pods)) if (p.spec?.nodeName === obj.metadata.name) queue.add(podKey(p));
    } else {
      if (obj.kind === 'PersistentVolumeClaim' && ev.type === 'DELETED') kubelet.local.claimDeleted(obj.metadata.uid!);
      kubelet.retryBlocked(obj.metadata.namespace);
    }
  });
  for (const p of client.list(T.pods)) if (p.spec?.nodeName) queue.add(podKey(p));
  return {
    podLogs: (namespace, pod, container, tailLines, previous) => kubelet.readLogs(namespace, pod, container, tailLines, previous),
    podLogFollow: (namespace, pod, container, follower) => kubelet.logs.follow(namespace, pod, container, follower),
    optionsChanged() {
      for (const key of kubelet.keys()) queue.add(key);
    },
    stop() {
      unsubscribe();
      queue.stop();
      kubelet.local.stop();
    },
  };
}
