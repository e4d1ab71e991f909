/**
 * Test support for the controller suites: an embedded control plane with the StreamSpace CRDs
 * installed over the API, controller managers started in-process against its kubeconfig (the
 * controllers are clients, as in production), and small helpers that observe sessions and their
 * children only through the API.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { Session, SessionSpec } from '../../src/apis/stream/v1alpha1/session.ts';
import type { Template, TemplateSpec } from '../../src/apis/stream/v1alpha1/template.ts';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { ensureNamespace, installCrds } from '../../src/controllers/install.ts';
import { SessionKind, streamspaceResources, TemplateKind } from '../../src/controllers/kinds.ts';
import { createControllerManager, type ControllerManager, type ControllerManagerOptions } from '../../src/controllers/manager.ts';
import { defaultSettings, type ControllerSettings } from '../../src/controllers/settings.ts';
import { isNotFound, KubeClient } from '../../src/runtime/client.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import type { KindRef } from '../../src/runtime/resources.ts';
import { eventually, rawRequest, startTestCluster, type TestCluster } from '../support/control-plane.ts';

/** A test cluster with the CRDs installed and an admin client that knows our kinds. */
export interface ControllerTestCluster extends TestCluster {
  /** The test's own client (not the controller's): creates sessions, edits children by hand, observes. */
  api: KubeClient;
}

/** Starts a control plane, installs the CRDs over the API and creates `namespaces`. */
export async function startControllerCluster(namespaces: string[] = ['team']): Promise<ControllerTestCluster> {
  const cluster = await startTestCluster();
  const api = new KubeClient({ kubeConfig: cluster.kc, fieldManager: 'test-user', resources: streamspaceResources() });
  await installCrds(api);
  // The platform's own namespace: webhook Service, Endpoints and replica Leases live there.
  for (const ns of new Set(['streamspace', ...namespaces])) await ensureNamespace(api, ns);
  // Fast pods: the suites wait on real transitions, so the simulated kubelet should not dawdle.
  await rawRequest(cluster.cp, 'PUT', '/debug/simulation', { podStartDelayMs: 5, podReadyDelayMs: 5, podStopDelayMs: 5 });
  return { ...cluster, api };
}

/** Settings for tests: no endpoint, no leader election unless asked, a short idle grace. */
export function testSettings(overrides: Partial<ControllerSettings> = {}): ControllerSettings {
  const base = defaultSettings();
  return { ...base, leaderElection: { ...base.leaderElection, enabled: false }, idleGraceMs: 1000, ...overrides };
}

/** A running controller manager and how to stop it. */
export interface RunningControllers {
  ctrl: ControllerManager;
  /** Stops the manager and waits for it (rejections are returned, not thrown). */
  stop(): Promise<unknown>;
  /** The manager's run; settles when it stops. */
  done: Promise<unknown>;
}

/** Starts the controllers in-process against the cluster's kubeconfig. */
export function startControllers(cluster: TestCluster, options: Partial<ControllerManagerOptions> = {}): RunningControllers {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(cluster.cp.kubeconfig);
  const ctrl = createControllerManager({
    kubeConfig, settings: testSettings(), http: false, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    cache: { backoffInitialMs: 50, backoffMaxMs: 500 }, gracefulShutdownTimeoutMs: 5_000, ...options,
  });
  const abort = new AbortController();
  const done = ctrl.start(abort.signal).then(() => undefined, (err: unknown) => err);
  return {
    ctrl, done,
    async stop() {
      abort.abort();
      return done;
    },
  };
}

/** A valid VNC template spec (small requests so many pods fit the simulated nodes). */
export function templateSpec(overrides: Partial<TemplateSpec> = {}): TemplateSpec {
  return {
    displayName: 'Firefox', baseImage: 'lscr.io/linuxserver/firefox:latest',
    env: [{ name: 'PUID', value: '1000' }, { name: 'TZ', value: 'Etc/UTC' }],
    defaultResources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '1Gi' } },
    homeMountPath: '/config', vnc: { enabled: true, port: 3000, protocol: 'websocket' },
    ...overrides,
  };
}

/** Creates a Template. */
export function createTemplate(api: KubeClient, namespace: string, name: string, spec: TemplateSpec = templateSpec()): Promise<Template> {
  return api.create<Template>({ apiVersion: TemplateKind.apiVersion, kind: 'Template', metadata: { name, namespace }, spec });
}

/** Creates a Session. */
export function createSession(api: KubeClient, namespace: string, name: string, spec: SessionSpec): Promise<Session> {
  return api.create<Session>({ apiVersion: SessionKind.apiVersion, kind: 'Session', metadata: { name, namespace }, spec });
}

/** Reads an object; undefined when it does not exist. */
export async function read<T extends KubeObject = KubeObject>(api: KubeClient, kind: KindRef, namespace: string, name: string): Promise<T | undefined> {
  try {
    return await api.get<T>(kind, { namespace, name });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Reads a Session (it must exist). */
export async function session(api: KubeClient, namespace: string, name: string): Promise<Session> {
  return api.get<Session>(SessionKind, { namespace, name });
}

/** Waits until the session reports `phase` (within `timeoutMs`, default 15 s); returns it. */
export function waitForPhase(api: KubeClient, namespace: string, name: string, phase: string, opts: { timeoutMs?: number } = {}): Promise<Session> {
  return eventually(`session ${namespace}/${name} to be ${phase}`, async () => {
    const s = await read<Session>(api, SessionKind, namespace, name);
    return s?.status?.phase === phase ? s : undefined;
  }, opts.timeoutMs ?? 15_000);
}

/** Sets spec.state of a session, as the API (or a user with kubectl) would. */
export function setState(api: KubeClient, namespace: string, name: string, state: 'running' | 'hibernated' | 'terminated'): Promise<Session> {
  return api.patch<Session>({ ...SessionKind, metadata: { namespace, name } }, mergePatch({ spec: { state } }));
}

/** Lists objects of `kind` in `namespace` matching `labelSelector`. */
export async function listOf(api: KubeClient, kind: KindRef, namespace: string, labelSelector?: string): Promise<KubeObject[]> {
  return (await api.list(kind, { namespace, labelSelector })).items;
}

/** How many reconciles `controller` has finished (any result), from the manager's own metrics. */
export async function reconcileCount(ctrl: ControllerManager, controller: string): Promise<number> {
  const metric = ctrl.manager.getRegistry().getSingleMetric('controller_runtime_reconcile_total');
  const data = await metric!.get();
  return data.values.filter((v) => v.labels.controller === controller).reduce((sum, v) => sum + v.value, 0);
}

/** Performs `action`, then waits until `controller` has finished at least `count` more reconciles. */
export async function afterReconciles(ctrl: ControllerManager, controller: string, count: number, action: () => Promise<unknown>): Promise<void> {
  const before = await reconcileCount(ctrl, controller);
  await action();
  await eventually(`${count} ${controller} reconciles`, async () => (await reconcileCount(ctrl, controller)) >= before + count);
}

/** Reasons of the Events recorded about an object, oldest first. */
export async function eventReasons(api: KubeClient, namespace: string, name: string): Promise<string[]> {
  const events = await listOf(api, { apiVersion: 'v1', kind: 'Event' }, namespace);
  return events
    .filter((e) => e.involvedObject?.name === name)
    .sort((a, b) => String(a.firstTimestamp).localeCompare(String(b.firstTimestamp)))
    .map((e) => String(e.reason));
}
