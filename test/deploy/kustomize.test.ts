/**
 * The Kustomize manifests (deploy/kustomize) are the chart's own rendering: the generated files
 * are exactly what scripts/gen-kustomize.ts writes from `helm template` now, and every overlay
 * builds with kubectl's kustomize into the chart's objects (plus or minus what the overlay says).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { loadAll } from 'js-yaml';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { KUSTOMIZE_DIR, kustomizeFiles } from '../../scripts/gen-kustomize.ts';
import { HELM_BUILD_TIMEOUT_MS, ensureHelm, renderChart } from '../support/helm.ts';

const run = promisify(execFile);
const home = mkdtempSync(path.join(tmpdir(), 'kustomize-home-'));

async function kustomize(overlay: string): Promise<(KubeObject & Record<string, any>)[]> {
  const { stdout } = await run('kubectl', ['kustomize', path.join(KUSTOMIZE_DIR, overlay)], { env: { PATH: process.env.PATH ?? '', HOME: home }, maxBuffer: 64 * 1024 * 1024 });
  return loadAll(stdout) as (KubeObject & Record<string, any>)[];
}

const ids = (objects: KubeObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();

before(() => ensureHelm(), { timeout: HELM_BUILD_TIMEOUT_MS });
after(() => rmSync(home, { recursive: true, force: true }));

void describe('deploy/kustomize', () => {
  test('the generated files are current (run: npx node scripts/gen-kustomize.ts)', () => {
    const files = kustomizeFiles();
    assert.equal(files.size, 2);
    for (const [file, content] of files) {
      assert.equal(readFileSync(path.join(KUSTOMIZE_DIR, file), 'utf8'), content, `deploy/kustomize/${file} is stale`);
    }
  });

  test('base builds into the chart\'s objects, its CRDs and the namespace', async () => {
    const built = await kustomize('base');
    const chart = await renderChart({}, ['--include-crds']);
    assert.deepEqual(ids(built), ids([...chart, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'streamspace' } }]));
    const controller = built.find((o) => o.kind === 'Deployment' && o.metadata.name === 'streamspace-controller')!;
    assert.equal(controller.spec.replicas, 2);
  });

  test('overlays/small: one replica of each component and no PodDisruptionBudgets', async () => {
    const built = await kustomize('overlays/small');
    const deployments = built.filter((o) => o.kind === 'Deployment');
    assert.deepEqual(deployments.map((d) => [d.metadata.name, d.spec.replicas]).sort(), [['streamspace-api', 1], ['streamspace-controller', 1], ['streamspace-gateway', 1]]);
    assert.ok(!built.some((o) => o.kind === 'PodDisruptionBudget'));
    assert.ok(built.some((o) => o.kind === 'ValidatingWebhookConfiguration'));
  });

  test('overlays/monitoring: the base plus ServiceMonitors, the PrometheusRule and the dashboard', async () => {
    const built = await kustomize('overlays/monitoring');
    const base = await kustomize('base');
    const added = ids(built).filter((id) => !ids(base).includes(id));
    assert.deepEqual(added, [
      'ConfigMap/streamspace/streamspace-dashboard',
      'PrometheusRule/streamspace/streamspace',
      'ServiceMonitor/streamspace/streamspace-api',
      'ServiceMonitor/streamspace/streamspace-controller-metrics',
      'ServiceMonitor/streamspace/streamspace-gateway',
    ]);
  });
});
