/**
 * The status a kubelet reports for a pod it runs: phase, the five pod conditions
 * (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled; readiness gates
 * honoured), addresses, startTime, and init/app container statuses, rendered from the simulated
 * containers. Fields the kubelet does not own (qosClass, nominatedNodeName, other conditions) are
 * kept.
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { findCondition, withCondition, type Condition } from '../conditions.ts';
import { containerStatusOf, isContainerReady, type ContainerRun } from './container-runtime.ts';

/** The kubelet's record of one pod it runs. */
export interface PodRun {
  uid: string;
  nodeName: string;
  /** When the kubelet first saw the pod bound (ms). */
  acceptedAt: number;
  started: boolean;
  startTime: string;
  hostIP?: string;
  podIP?: string;
  init: ContainerRun[];
  app: ContainerRun[];
  /** The last FailedMount message reported (reported again only when it changes). */
  mountProblem?: string;
}

function initDone(run: PodRun): boolean {
  return run.init.every((c) => (c.role === 'sidecar' ? c.state === 'running' : c.state === 'terminated' && c.exitCode === 0));
}

/** The pod phase the containers add up to. */
export function podPhaseOf(run: PodRun, restartPolicy: string): string {
  if (!run.started) return 'Pending';
  if (restartPolicy === 'Never' && run.init.some((c) => c.role === 'init' && c.state === 'terminated' && c.exitCode !== 0)) return 'Failed';
  if (!initDone(run)) return 'Pending';
  if (run.app.every((c) => c.state === 'terminated')) return run.app.every((c) => c.exitCode === 0) ? 'Succeeded' : 'Failed';
  return run.app.some((c) => c.state === 'running' || c.state === 'terminated' || c.restartCount > 0) ? 'Running' : 'Pending';
}

function gateProblem(pod: KubeObject): string | undefined {
  for (const gate of pod.spec?.readinessGates ?? []) {
    const cond = findCondition(pod.status?.conditions, gate.conditionType);
    if (!cond) return `corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`;
    if (cond.status !== 'True') return `the status of pod readiness gate "${gate.conditionType}" is not "True", but ${cond.status}`;
  }
  return undefined;
}

function podConditions(pod: KubeObject, run: PodRun, phase: string, now: number, nowIso: string): Condition[] {
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Condition =>
    (ok ? { type, status: 'True', lastProbeTime: null } : { type, status: 'False', reason, message, lastProbeTime: null });
  const incomplete = run.init.filter((c) => c.role === 'init' && !(c.state === 'terminated' && c.exitCode === 0)).map((c) => c.name);
  const unready = [...run.init.filter((c) => c.role === 'sidecar'), ...run.app].filter((c) => !isContainerReady(c, now)).map((c) => c.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = terminal ? cond('ContainersReady', false, 'PodCompleted', '')
    : cond('ContainersReady', !unready.length, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
  const gates = gateProblem(pod);
  let ready = { ...containersReady, type: 'Ready' };
  if (ready.status === 'True' && gates) ready = cond('Ready', false, 'ReadinessGatesNotReady', gates);
  let list: Condition[] = pod.status?.conditions ?? [];
  for (const c of [
    cond('PodReadyToStartContainers', run.started),
    cond('Initialized', !incomplete.length, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    ready, containersReady, cond('PodScheduled', true),
  ]) list = withCondition(list, stripEmpty(c), nowIso);
  return list;
}

function stripEmpty(c: Condition): Condition {
  const out: Condition = { ...c };
  if (!out.reason) delete out.reason;
  if (!out.message) delete out.message;
  return out;
}

/** The pod status the kubelet reports at `now`. */
export function renderPodStatus(pod: KubeObject, run: PodRun, now: number, nowIso: string): any {
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  const phase = podPhaseOf(run, restartPolicy);
  const appPending = run.init.length && !initDone(run) ? 'PodInitializing' : 'ContainerCreating';
  const status: any = {
    ...pod.status, phase, conditions: podConditions(pod, run, phase, now, nowIso), startTime: run.startTime,
    containerStatuses: run.app.map((c) => containerStatusOf(c, now, appPending)),
  };
  if (run.hostIP) Object.assign(status, { hostIP: run.hostIP, hostIPs: [{ ip: run.hostIP }] });
  if (run.podIP) Object.assign(status, { podIP: run.podIP, podIPs: [{ ip: run.podIP }] });
  if (run.init.length) status.initContainerStatuses = run.init.map((c) => containerStatusOf(c, now, 'PodInitializing'));
  return status;
}
