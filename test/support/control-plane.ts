/**
 * Test support: starts an embedded control plane on a free port and hands back real clients for
 * it. Everything a test does goes over HTTPS, as a production client's requests would.
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../src/controlplane/index.ts';

// What other tests configure a control plane with: they reach the control plane only through this module.
export type { ControlPlane, ControlPlaneOptions };
export { webhookAdmission } from '../../src/controlplane/admission/webhooks.ts';

/** A started control plane with clients and a kubeconfig file. */
export interface TestCluster {
  cp: ControlPlane;
  kc: k8s.KubeConfig;
  kubeconfigPath: string;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
  objects: k8s.KubernetesObjectApi;
  /** A temporary folder removed on stop. */
  tmp: string;
  stop(): Promise<void>;
}

/** Starts an in-memory control plane (or one on `opts.dataDir`). */
export async function startTestCluster(opts: ControlPlaneOptions = {}): Promise<TestCluster> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-test-'));
  const kubeconfigPath = path.join(tmp, 'kubeconfig');
  const cp = await startControlPlane({ kubeconfigPath, ...opts });
  const kc = new k8s.KubeConfig();
  kc.loadFromString(cp.kubeconfig);
  return {
    cp, kc, kubeconfigPath, tmp,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    async stop() {
      await cp.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** The parsed Status body of a client-node ApiException. */
export function statusOf(err: unknown): { code: number; reason: string; message: string; details?: any } {
  const e = err as { code?: number; body?: unknown };
  const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
  return { code: e.code ?? body?.code, reason: body?.reason, message: body?.message, details: body?.details };
}

/** The answer to a raw request. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

/** Makes a raw HTTPS request to the control plane (admin token unless `headers` overrides it). */
export function rawRequest(cp: ControlPlane, method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(`${cp.url}${urlPath}`, {
      method, ca: cp.caPem,
      headers: { authorization: `Bearer ${cp.token}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
