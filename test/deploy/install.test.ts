/**
 * The chart's life cycle with the real helm against the embedded control plane, over its
 * kubeconfig: `helm install` creates every rendered object (CRDs first), `helm upgrade` changes
 * them, `helm rollback` restores the first revision, and `helm uninstall` leaves no StreamSpace
 * object behind but the users' home claims (and the CRDs, which Helm never deletes: see the chart
 * README, "Uninstall").
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { desiredHomeClaim } from '../../src/controllers/session/children.ts';
import { startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { kubectlFor, type Kubectl } from '../support/kubectl.ts';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, ensureHelm, helm, renderChart, type HelmResult } from '../support/helm.ts';

const NS = 'streamspace';
const VALUES = ['--set', 'database.url=postgres://streamspace:secret@postgres.example:5432/streamspace'];
const PART_OF = 'app.kubernetes.io/part-of=streamspace';

let cluster: TestCluster;
let kubectl: Kubectl;

async function helmOk(args: string[]): Promise<HelmResult> {
  const r = await helm([...args, '--kubeconfig', cluster.kubeconfigPath, '--namespace', NS]);
  assert.equal(r.code, 0, `helm ${args.join(' ')}: ${r.stderr}`);
  return r;
}

/** Every object labelled part-of=streamspace, in any namespace, as Kind/namespace/name. */
async function streamspaceObjects(): Promise<string[]> {
  const kinds = (await kubectl.ok(['api-resources', '--verbs=list', '-o', 'name'])).split('\n').filter(Boolean);
  const out = JSON.parse(await kubectl.ok(['get', kinds.join(','), '-A', '-l', PART_OF, '-o', 'json']));
  return out.items.map((o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
}

async function replicas(name: string): Promise<number> {
  return JSON.parse(await kubectl.ok(['get', 'deployment', name, '-n', NS, '-o', 'json'])).spec.replicas;
}

before(async () => {
  ensureHelm();
  cluster = await startTestCluster();
  kubectl = kubectlFor(cluster.kubeconfigPath, cluster.tmp);
}, { timeout: HELM_BUILD_TIMEOUT_MS });

after(async () => {
  await cluster?.stop();
});

void describe('helm install, upgrade, rollback, uninstall', () => {
  test('install creates the CRDs and every rendered object', async () => {
    await helmOk(['install', 'streamspace', CHART_DIR, '--create-namespace', ...VALUES]);
    const crds = await kubectl.ok(['get', 'crd', '-o', 'name']);
    for (const plural of ['sessions', 'templates', 'sessionquotas', 'nodeoperations']) assert.match(crds, new RegExp(`${plural}\\.stream\\.streamspace\\.io`));
    const rendered = await renderChart({ database: { url: 'postgres://streamspace:secret@postgres.example:5432/streamspace' } });
    const installed = await streamspaceObjects();
    for (const o of rendered) {
      const id = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      assert.ok(installed.includes(id), `${id} installed`);
    }
    assert.equal(await replicas('streamspace-controller'), 2);
    const status = JSON.parse((await helmOk(['status', 'streamspace', '-o', 'json'])).stdout);
    assert.equal(status.info.status, 'deployed');
  });

  test('upgrade changes the objects; rollback restores the first revision', async () => {
    await helmOk(['upgrade', 'streamspace', CHART_DIR, ...VALUES, '--set', 'controller.replicas=3', '--set', 'webhooks.timeoutSeconds=10']);
    assert.equal(await replicas('streamspace-controller'), 3);
    const validating = JSON.parse(await kubectl.ok(['get', 'validatingwebhookconfiguration', 'streamspace-webhooks', '-o', 'json']));
    assert.ok(validating.webhooks.every((w: any) => w.timeoutSeconds === 10));
    await helmOk(['rollback', 'streamspace', '1']);
    assert.equal(await replicas('streamspace-controller'), 2);
    const restored = JSON.parse(await kubectl.ok(['get', 'validatingwebhookconfiguration', 'streamspace-webhooks', '-o', 'json']));
    assert.ok(restored.webhooks.every((w: any) => w.timeoutSeconds === 5));
    const history = JSON.parse((await helmOk(['history', 'streamspace', '-o', 'json'])).stdout);
    assert.deepEqual(history.map((h: any) => h.revision), [1, 2, 3]);
  });

  test('uninstall leaves no StreamSpace object behind but the users\' home claims', async () => {
    // A home claim as the controller writes it for a user's first session.
    const session = { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: 'alice-1', namespace: NS }, spec: { user: 'alice', template: 'firefox' } };
    const claim = desiredHomeClaim(session as Session, { size: '1Gi', accessMode: 'ReadWriteOnce' });
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(claim));
    await helmOk(['uninstall', 'streamspace']);
    const left = await streamspaceObjects();
    assert.deepEqual(left.filter((id) => !id.startsWith('CustomResourceDefinition/')), [`PersistentVolumeClaim/${NS}/${claim.metadata.name}`]);
    // Helm never deletes a chart's crds/ (with them, every user's Sessions would go): kept by policy.
    assert.deepEqual(left.filter((id) => id.startsWith('CustomResourceDefinition/')).length, 4);
    const releases = await helm(['list', '-a', '-q', '--kubeconfig', cluster.kubeconfigPath, '--namespace', NS]);
    assert.equal(releases.stdout.trim(), '');
  });
});
