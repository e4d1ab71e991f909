/**
 * The chart's life cycle with the real helm against the embedded control plane, over its
 * kubeconfig: `helm install` creates every rendered object (CRDs first); the platform comes up
 * from the installed objects (the controller and the API started as local processes with the
 * installed Deployments' arguments and environment, the database URL and admin password read from
 * the Secrets they name, PostgreSQL real) and a session is created and deleted through the
 * installed API; `helm upgrade` changes the objects, `helm rollback` restores the first revision,
 * and `helm uninstall` leaves no StreamSpace object behind but the users' home claims (and the
 * CRDs, which Helm never deletes: see the chart README, "Uninstall").
 *
 * The simulated cluster's pods are not processes, so the processes stand in for the controller and
 * API pods: they get free loopback ports instead of the pods' ports, the kubeconfig instead of a
 * service account, and the webhook Service loses its pod selector so the controller replica
 * registers itself in its Endpoints, as on the embedded control plane.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { desiredHomeClaim } from '../../src/controllers/session/children.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { kubectlFor, type Kubectl } from '../support/kubectl.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { apiRequest, startStreamspace, type StreamspaceProcess } from '../support/processes.ts';
import { ROOT } from '../support/helm.ts';
import path from 'node:path';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, ensureHelm, helm, renderChart, type HelmResult } from '../support/helm.ts';

const NS = 'streamspace';
const PASSWORD = 'correct-horse-battery-staple';
const PART_OF = 'app.kubernetes.io/part-of=streamspace';

let cluster: TestCluster;
let kubectl: Kubectl;
let postgres: TestPostgres;
let values: string[] = [];
const processes: StreamspaceProcess[] = [];

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

/** An installed Deployment's container: its arguments and its environment, resolved as the kubelet would. */
async function installedContainer(name: string): Promise<{ args: string[]; env: Record<string, string> }> {
  const deployment = JSON.parse(await kubectl.ok(['get', 'deployment', name, '-n', NS, '-o', 'json']));
  const container = deployment.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if ('value' in e) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[e.name] = NS;
    else if (e.valueFrom?.secretKeyRef) {
      const { name: secret, key } = e.valueFrom.secretKeyRef;
      const data = JSON.parse(await kubectl.ok(['get', 'secret', secret, '-n', NS, '-o', 'json'])).data;
      env[e.name] = Buffer.from(data[key], 'base64').toString('utf8');
    } else {
      throw new Error(`${name}: env ${e.name} has a source this test cannot resolve`);
    }
  }
  return { args: container.args, env };
}

/** Replaces `--flag=value` in `args`. */
function withFlag(args: string[], flag: string, value: string): string[] {
  assert.ok(args.some((a) => a.startsWith(`--${flag}=`)), `the installed arguments set --${flag}`);
  return args.map((a) => (a.startsWith(`--${flag}=`) ? `--${flag}=${value}` : a));
}

before(async () => {
  ensureHelm();
  [cluster, postgres] = await Promise.all([startTestCluster(), startTestPostgres()]);
  kubectl = kubectlFor(cluster.kubeconfigPath, cluster.tmp);
  values = ['--set', `database.url=${postgres.url}`, '--set', 'api.adminPasswordSecret=streamspace-admin'];
  await kubectl.ok(['create', 'namespace', NS]);
  await kubectl.ok(['create', 'secret', 'generic', 'streamspace-admin', '-n', NS, `--from-literal=password=${PASSWORD}`]);
}, { timeout: HELM_BUILD_TIMEOUT_MS });

after(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await cluster?.stop();
  await postgres?.stop();
});

void describe('helm install, upgrade, rollback, uninstall', () => {
  test('install creates the CRDs and every rendered object', async () => {
    await helmOk(['install', 'streamspace', CHART_DIR, ...values]);
    const crds = await kubectl.ok(['get', 'crd', '-o', 'name']);
    for (const plural of ['sessions', 'templates', 'sessionquotas', 'nodeoperations']) assert.match(crds, new RegExp(`${plural}\\.stream\\.streamspace\\.io`));
    const rendered = await renderChart({ database: { url: postgres.url }, api: { adminPasswordSecret: 'streamspace-admin' } });
    const installed = await streamspaceObjects();
    for (const o of rendered) {
      const id = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      assert.ok(installed.includes(id), `${id} installed`);
    }
    assert.equal(await replicas('streamspace-controller'), 2);
    const status = JSON.parse((await helmOk(['status', 'streamspace', '-o', 'json'])).stdout);
    assert.equal(status.info.status, 'deployed');
  });

  test('the platform runs from the installed objects: a session created through the installed API reaches Running', async () => {
    await kubectl.ok(['patch', 'service', 'streamspace-webhooks', '-n', NS, '--type=json', '-p', '[{"op":"remove","path":"/spec/selector"}]']);
    const controller = await installedContainer('streamspace-controller');
    assert.deepEqual(controller.args, ['controller']);
    const ctrl = startStreamspace(controller.args, {
      ...controller.env, KUBECONFIG: cluster.kubeconfigPath, STREAMSPACE_METRICS_PORT: '0', STREAMSPACE_WEBHOOK_PORT: '0',
    });
    processes.push(ctrl);
    await ctrl.waitFor(/leader election on/, 'the controller serving', 60_000);
    // The built-in template, written through the installed validating webhook.
    await eventually('admission served by the controller', async () => (await kubectl.run(['apply', '-n', NS, '-f', path.join(ROOT, 'deploy/templates/firefox.yaml')])).code === 0, 60_000);

    const api = await installedContainer('streamspace-api');
    const apiProcess = startStreamspace(withFlag(withFlag(api.args, 'host', '127.0.0.1'), 'port', '0'), { ...api.env, KUBECONFIG: cluster.kubeconfigPath });
    processes.push(apiProcess);
    const [, base] = await apiProcess.waitFor(/StreamSpace API serving at (http:\/\/\S+)/, 'the API serving', 60_000);
    const login = await apiRequest(base, 'POST', '/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD });
    assert.equal(login.status, 200, 'the admin password comes from the Secret the chart names');
    const token = login.json.accessToken;
    const created = await apiRequest(base, 'POST', '/api/v1/sessions', token, { template: 'firefox' });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const name = created.json.metadata.name;
    await eventually('session Running', async () => (await apiRequest(base, 'GET', `/api/v1/sessions/${name}`, token)).json?.status?.phase === 'Running', 90_000);
    const deleted = await apiRequest(base, 'DELETE', `/api/v1/sessions/${name}`, token);
    assert.ok(deleted.status < 300, `delete answered ${deleted.status}`);
    await eventually('session gone', async () => (await apiRequest(base, 'GET', `/api/v1/sessions/${name}`, token)).status === 404, 60_000);
    await kubectl.ok(['delete', '-n', NS, '-f', path.join(ROOT, 'deploy/templates/firefox.yaml')]);
    for (const p of processes.splice(0)) assert.equal(await p.kill('SIGTERM'), 0);
  });

  test('upgrade changes the objects; rollback restores the first revision', async () => {
    // The controller has filled in the configurations' caBundle meanwhile: helm's server-side apply
    // must leave it alone (webhooks merge by name, caBundle is the controller's field).
    const caBundles = async (): Promise<string[]> =>
      JSON.parse(await kubectl.ok(['get', 'validatingwebhookconfiguration', 'streamspace-webhooks', '-o', 'json'])).webhooks.map((w: any) => w.clientConfig.caBundle);
    const before = await caBundles();
    assert.ok(before.every((b) => b), 'the controller filled in every caBundle');
    await helmOk(['upgrade', 'streamspace', CHART_DIR, ...values, '--set', 'controller.replicas=3', '--set', 'gateway.enabled=false']);
    assert.equal(await replicas('streamspace-controller'), 3);
    assert.equal((await kubectl.run(['get', 'deployment', 'streamspace-gateway', '-n', NS])).code, 1, 'the gateway is gone');
    assert.deepEqual(await caBundles(), before);
    await helmOk(['rollback', 'streamspace', '1']);
    assert.equal(await replicas('streamspace-controller'), 2);
    assert.equal(await replicas('streamspace-gateway'), 2);
    assert.deepEqual(await caBundles(), before);
    const history = JSON.parse((await helmOk(['history', 'streamspace', '-o', 'json'])).stdout);
    assert.deepEqual(history.map((h: any) => h.revision), [1, 2, 3]);
  });

  test('uninstall leaves no StreamSpace object behind but the users\' home claims', async () => {
    // A home claim as the controller writes it for a user's first session.
    const session = { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: 'alice-1', namespace: NS }, spec: { user: 'alice', template: 'firefox' } };
    const claim = desiredHomeClaim(session as Session, { size: '1Gi', accessMode: 'ReadWriteOnce' });
    await kubectl.ok(['apply', '-f', '-'], JSON.stringify(claim));
    await helmOk(['uninstall', 'streamspace']);
    const left = await eventually('the CA Secret garbage-collected with its Service', async () => {
      const objects = await streamspaceObjects();
      return objects.some((id) => id.startsWith('Secret/')) ? undefined : objects;
    }, 30_000);
    // alice's claim, and the one the session created through the API made for admin.
    const homeClaims = left.filter((id) => id.startsWith(`PersistentVolumeClaim/${NS}/home-`));
    assert.equal(homeClaims.length, 2);
    assert.ok(homeClaims.includes(`PersistentVolumeClaim/${NS}/${claim.metadata.name}`));
    assert.deepEqual(left.filter((id) => !id.startsWith('CustomResourceDefinition/')), homeClaims);
    // Helm never deletes a chart's crds/ (with them, every user's Sessions would go): kept by policy.
    assert.deepEqual(left.filter((id) => id.startsWith('CustomResourceDefinition/')).length, 4);
    const releases = await helm(['list', '-a', '-q', '--kubeconfig', cluster.kubeconfigPath, '--namespace', NS]);
    assert.equal(releases.stdout.trim(), '');
  });
});
