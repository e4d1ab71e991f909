/** Benchmark support for the API: starting `streamspace api` in its own process and calling it. */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { crds } from '../src/apis/index.ts';
import { jsonClient, startClusterProcess } from './support.ts';

export const ADMIN_PASSWORD = 'bench-admin-password';
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function call(base: string, method: string, urlPath: string, token?: string, body?: unknown): Promise<{ status: number; json: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) headers['content-type'] = 'application/json';
    const req = http.request(`${base}${urlPath}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Starts `streamspace api` in its own process and resolves with its URL. */
export async function startApiProcess(kubeconfig: string): Promise<{ url: string; child: ChildProcess }> {
  const cli = path.resolve(import.meta.dirname, '../src/cli/api.ts');
  const args = ['--input-type=module', '-e', `import(${JSON.stringify(cli)}).then((m) => m.runApi(process.argv.slice(1)))`,
    '--', '--kubeconfig', kubeconfig, '--in-memory', '--port', '0', '--heartbeat-flush', '5'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, STREAMSPACE_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /serving at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`API exited with ${code}: ${out}`)));
  });
  return { url, child };
}


/** A control plane with the StreamSpace CRDs and namespace, and `streamspace api` against it, each in its own process. */
export async function startApiStack(): Promise<{ api: string; stop(): Promise<void> }> {
  const cluster = await startClusterProcess();
  const kube = jsonClient(cluster);
  for (const crd of crds()) await kube.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  await kube.request('POST', '/api/v1/namespaces', { metadata: { name: 'streamspace' } });
  const { url, child } = await startApiProcess(cluster.kubeconfigPath);
  return {
    api: url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await cluster.stop();
    },
  };
}
