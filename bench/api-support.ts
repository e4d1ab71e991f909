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

/**
 * Starts `streamspace api` in its own process and resolves with its URL. BENCH_API_NODE_FLAGS
 * (space-separated) are passed to that Node process, and its stdout (where `--trace-gc` writes)
 * then goes to this process's stderr. Heartbeats are flushed every BENCH_HEARTBEAT_FLUSH seconds
 * (default 5).
 */
export async function startApiProcess(kubeconfig: string): Promise<{ url: string; child: ChildProcess; servingAt: number }> {
  const cli = path.resolve(import.meta.dirname, '../src/cli/api.ts');
  const nodeFlags = (process.env.BENCH_API_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeFlags, '--input-type=module', '-e', `import(${JSON.stringify(cli)}).then((m) => m.runApi(process.argv.slice(1)))`,
    '--', '--kubeconfig', kubeconfig, '--in-memory', '--port', '0', '--heartbeat-flush', process.env.BENCH_HEARTBEAT_FLUSH ?? '5'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, STREAMSPACE_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  let out = '';
  let servingAt = 0;
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = /serving at (http:\/\/\S+)/.exec(out);
      if (!m) return;
      servingAt = performance.now();
      // Stop collecting: the API's later output is drained, or shown when Node flags were given.
      child.stdout!.off('data', onData);
      if (nodeFlags.length) child.stdout!.pipe(process.stderr);
      else child.stdout!.resume();
      resolve(m[1]);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`API exited with ${code}: ${out}`)));
  });
  return { url, child, servingAt };
}

/** A control plane with the StreamSpace CRDs and namespace, and `streamspace api` against it, each in its own process. */
export async function startApiStack(): Promise<{ api: string; pids: { api: number; controlPlane: number }; servingAt: number; stop(): Promise<void> }> {
  const cluster = await startClusterProcess();
  const kube = jsonClient(cluster);
  for (const crd of crds()) await kube.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  await kube.request('POST', '/api/v1/namespaces', { metadata: { name: 'streamspace' } });
  const { url, child, servingAt } = await startApiProcess(cluster.kubeconfigPath).catch(async (err: unknown) => {
    await cluster.stop();
    throw err;
  });
  // Interrupted (Ctrl-C, a timeout): take both children along rather than leave them running.
  const onSignal = (signal: NodeJS.Signals): void => {
    child.kill('SIGTERM');
    cluster.child.kill('SIGTERM');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  return {
    api: url,
    pids: { api: child.pid!, controlPlane: cluster.child.pid! },
    /** When the API said it was serving (performance.now() of this process): its heartbeat flush timer started just before. */
    servingAt,
    async stop() {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await cluster.stop();
    },
  };
}
