/**
 * Shared pieces of the simulated-cluster tests: manifests, merge-patch options, and reads that
 * tests poll on. Everything goes over HTTPS through client-node or raw requests.
 */
import * as k8s from '@kubernetes/client-node';
import { rawRequest, type TestCluster } from '../support/control-plane.ts';

/** client-node options that send a JSON merge patch. */
export const MERGE_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** Options of a test Deployment. */
export interface DeploymentOptions {
  image?: string;
  annotations?: Record<string, string>;
  strategy?: k8s.V1DeploymentStrategy;
}

/** A Deployment manifest with one container. */
export function deployment(name: string, replicas: number, opts: DeploymentOptions = {}): k8s.V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: name } }, strategy: opts.strategy,
      template: {
        metadata: { labels: { app: name }, annotations: opts.annotations },
        spec: { containers: [{ name: 'main', image: opts.image ?? 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] },
      },
    },
  };
}

/** A single-container pod manifest. */
export function pod(name: string, spec: Partial<k8s.V1PodSpec> = {}, meta: Partial<k8s.V1ObjectMeta> = {}): k8s.V1Pod {
  return { metadata: { name, ...meta }, spec: { containers: [{ name: 'main', image: 'busybox:1.36' }], ...spec } };
}

/** The pods of a namespace with the label `app=<app>`. */
export async function podsOf(c: TestCluster, namespace: string, app: string): Promise<k8s.V1Pod[]> {
  return (await c.core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items;
}

/** A pod's condition status (`True`/`False`/undefined). */
export function conditionOf(p: k8s.V1Pod | undefined, type: string): k8s.V1PodCondition | undefined {
  return p?.status?.conditions?.find((c) => c.type === type);
}

/** Events about an object (by name) in a namespace. */
export async function eventsAbout(c: TestCluster, namespace: string, name: string): Promise<k8s.CoreV1Event[]> {
  return (await c.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })).items;
}

/** Changes the simulation's options through PUT /debug/simulation. */
export async function setSimulation(c: TestCluster, patch: Record<string, unknown>): Promise<void> {
  const res = await rawRequest(c.cp, 'PUT', '/debug/simulation', patch);
  if (res.status !== 200) throw new Error(`PUT /debug/simulation: ${res.status} ${res.text}`);
}

/** Sets a node's Ready condition through the nodes/status subresource. */
export async function setNodeReady(c: TestCluster, node: string, ready: boolean): Promise<void> {
  const current = await c.core.readNodeStatus({ name: node });
  const conditions = (current.status?.conditions ?? []).map((cond) => (cond.type === 'Ready'
    ? { ...cond, status: ready ? 'True' : 'False', reason: ready ? 'KubeletReady' : 'KubeletNotReady', message: ready ? 'kubelet is posting ready status' : 'simulated outage' }
    : cond));
  await c.core.patchNodeStatus({ name: node, body: { status: { conditions } } }, MERGE_PATCH);
}
