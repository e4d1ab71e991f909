/**
 * Test support: the real `helm` (v4, built from its Go module by scripts/ensure-helm.sh and cached
 * outside the repository), run on the chart in deploy/helm/streamspace with values written to a
 * temp file, and its rendered manifests parsed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadAll } from 'js-yaml';
import type { KubeObject } from '../../src/apimachinery/object.ts';

const run = promisify(execFile);

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHART_DIR = path.join(ROOT, 'deploy/helm/streamspace');

/** How long building helm may take on a loaded 2-core machine (only the first run builds). */
export const HELM_BUILD_TIMEOUT_MS = 30 * 60_000;

let helmPath: string | undefined;

/** The path of the helm binary, building it first when it is not cached. */
export function ensureHelm(): string {
  helmPath ??= execFileSync('bash', [path.join(ROOT, 'scripts/ensure-helm.sh')], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: HELM_BUILD_TIMEOUT_MS,
  }).trim();
  return helmPath;
}

/** The result of a helm command: exit status and both outputs. */
export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs helm with `args` in an empty HOME-like environment of its own (no user repositories or plugins). */
export async function helm(args: string[], env: Record<string, string> = {}): Promise<HelmResult> {
  const home = mkdtempSync(path.join(tmpdir(), 'helm-home-'));
  try {
    const { stdout, stderr } = await run(ensureHelm(), args, {
      env: { PATH: process.env.PATH ?? '', HOME: home, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data'), ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Writes `values` to a temp file and returns helm's `-f FILE` arguments (plus a cleanup). */
export function valuesArgs(values: Record<string, unknown>): { args: string[]; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'helm-values-'));
  const file = path.join(dir, 'values.json');
  writeFileSync(file, JSON.stringify(values));
  return { args: ['-f', file], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `helm template` of the chart with `values`; rejects with helm's message when it fails. */
export async function renderChart(values: Record<string, unknown> = {}, extra: string[] = []): Promise<KubeObject[]> {
  const text = await renderChartText(values, extra);
  return (loadAll(text) as (KubeObject | null)[]).filter((o): o is KubeObject => o !== null);
}

/** `helm template` of the chart as helm prints it. */
export async function renderChartText(values: Record<string, unknown> = {}, extra: string[] = []): Promise<string> {
  const v = valuesArgs(values);
  try {
    const r = await helm(['template', 'streamspace', CHART_DIR, '--namespace', 'streamspace', ...v.args, ...extra]);
    if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr.trim()}`);
    return r.stdout;
  } finally {
    v.cleanup();
  }
}

/** The object of `kind` named `name` in `objects` (fails the test when missing). */
export function find(objects: KubeObject[], kind: string, name: string): KubeObject & Record<string, any> {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered; got ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found as KubeObject & Record<string, any>;
}
