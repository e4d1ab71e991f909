/** Benchmark support: starting a `streamspace cluster` process, percentiles, raw HTTPS clients. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import * as yaml from 'js-yaml';

/** A control plane running in its own process. */
export interface ClusterProcess {
  child: ChildProcess;
  server: string;
  token: string;
  ca: string;
  kubeconfigPath: string;
  stop(): Promise<void>;
}

/** Starts `streamspace cluster --in-memory` (or on a data folder) on a free port. */
export async function startClusterProcess(extraArgs: string[] = ['--in-memory']): Promise<ClusterProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-bench-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  const bin = path.resolve(import.meta.dirname, '../bin/streamspace.js');
  const child = spawn(process.execPath, [bin, 'cluster', '--port', '0', '--kubeconfig', kubeconfigPath, ...extraArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(kubeconfigPath)) {
    if (Date.now() > deadline) throw new Error('control plane did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  const kc = yaml.load(fs.readFileSync(kubeconfigPath, "utf8")) as any;
  return {
    child, kubeconfigPath, server: kc.clusters[0].cluster.server, token: kc.users[0].user.token,
    ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8'),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The p-th percentile (0..100) of `values`. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A keep-alive HTTPS JSON client for one control plane. */
export function jsonClient(cp: Pick<ClusterProcess, 'server' | 'token' | 'ca'>, maxSockets = 64) {
  const agent = new https.Agent({ keepAlive: true, maxSockets, ca: cp.ca });
  return {
    agent,
    request(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = https.request(`${cp.server}${urlPath}`, {
          method, agent, headers: { authorization: `Bearer ${cp.token}`, ...(payload ? { 'content-type': contentType } : {}) },
        }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
          });
        });
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}

/** Prints a figure line in a stable, greppable form. */
export function report(name: string, value: number | string, unit = ''): void {
  const v = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(2)) : value;
  process.stdout.write(`${name.padEnd(48)} ${v}${unit ? ` ${unit}` : ''}\n`);
}
