/**
 * The official Python client (Debian's python3-kubernetes, run by /usr/bin/python3) against the
 * embedded control plane over HTTPS. It spells booleans as Python does (`watch=True`), which
 * kube-apiserver reads as true; its `watch.Watch().stream()` must deliver ADDED, MODIFIED and
 * DELETED for ConfigMaps and for custom objects. Each watch starts after a sentinel object exists,
 * and the test writes only once the script has seen the sentinel's ADDED (the watch is open).
 * The script is fixed text; the kubeconfig path
 * and names reach it as arguments, never through a shell.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { crds } from '../../src/apis/index.ts';
import { ensurePythonKubernetes } from '../support/python-kubernetes.ts';
import { eventually, rawRequest, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { templateSpec } from '../controllers/support.ts';

const SCRIPT = `
import sys, json
from kubernetes import client, config, watch
kubeconfig, kind, namespace = sys.argv[1], sys.argv[2], sys.argv[3]
config.load_kube_config(config_file=kubeconfig)
w = watch.Watch()
if kind == 'configmaps':
    stream = w.stream(client.CoreV1Api().list_namespaced_config_map, namespace, timeout_seconds=30)
else:
    stream = w.stream(client.CustomObjectsApi().list_namespaced_custom_object, 'stream.streamspace.io', 'v1alpha1', namespace, 'templates', timeout_seconds=30)
for event in stream:
    obj = event['object']
    name = obj['metadata']['name'] if isinstance(obj, dict) else obj.metadata.name
    if name == 'sentinel':
        # The object made before the watch: its ADDED proves the watch is open.
        print('WATCHING', flush=True)
        continue
    print(json.dumps([event['type'], name]), flush=True)
    if event['type'] == 'DELETED':
        w.stop()
`;

/** Runs the watch script; resolves with the events it printed once it has seen a DELETED. */
function pythonWatch(kubeconfig: string, kind: string, namespace: string, onWatching: () => Promise<void>): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', SCRIPT, kubeconfig, kind, namespace], { stdio: ['ignore', 'pipe', 'pipe'] });
    const events: string[][] = [];
    let stderr = '';
    let buffered = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line === 'WATCHING') onWatching().catch(reject);
        else events.push(JSON.parse(line));
      }
    });
    child.on('exit', (code) => (code === 0 ? resolve(events) : reject(new Error(`python exited ${code}: ${stderr}`))));
  });
}

describe('the official Python client', () => {
  let cluster: TestCluster;
  before(async () => {
    ensurePythonKubernetes();
    cluster = await startTestCluster({ simulation: { nodes: 0 } });
    for (const crd of crds()) await cluster.objects.create(crd as any);
    await eventually('templates served', async () => (await rawRequest(cluster.cp, 'GET', '/apis/stream.streamspace.io/v1alpha1/templates')).status === 200);
    await cluster.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'sentinel' } } });
    await cluster.objects.create({ apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Template', metadata: { name: 'sentinel', namespace: 'default' }, spec: templateSpec() } as any);
  });
  after(() => cluster?.stop());

  async function mergePatch(urlPath: string, body: unknown): Promise<void> {
    const res = await rawRequest(cluster.cp, 'PATCH', urlPath, body, { 'content-type': 'application/merge-patch+json' });
    assert.equal(res.status, 200, res.text);
  }

  it('watches ConfigMaps with watch=True: ADDED, MODIFIED, DELETED', async () => {
    const events = await pythonWatch(cluster.kubeconfigPath, 'configmaps', 'default', async () => {
      await cluster.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'py' }, data: { a: '1' } } });
      await mergePatch('/api/v1/namespaces/default/configmaps/py', { data: { a: '2' } });
      await cluster.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'py' });
    });
    assert.deepEqual(events.filter(([, name]) => name === 'py').map(([type]) => type), ['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('watches custom objects: ADDED, MODIFIED, DELETED', async () => {
    const ref = { apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Template', metadata: { name: 'pyt', namespace: 'default' } };
    const events = await pythonWatch(cluster.kubeconfigPath, 'templates', 'default', async () => {
      await cluster.objects.create({ ...ref, spec: templateSpec() } as any);
      await mergePatch('/apis/stream.streamspace.io/v1alpha1/namespaces/default/templates/pyt', { metadata: { labels: { touched: 'yes' } } });
      await cluster.objects.delete(ref as any);
    });
    assert.deepEqual(events.filter(([, name]) => name === 'pyt').map(([type]) => type), ['ADDED', 'MODIFIED', 'DELETED']);
  });

  it('reads booleans and integers in the query as kube-apiserver does', async () => {
    for (const spelling of ['True', 'TRUE', 't', '1', 'yes', '']) {
      const res = await rawRequest(cluster.cp, 'GET', `/api/v1/namespaces/default/configmaps?watch=${spelling}&timeoutSeconds=1`);
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /json/);
      assert.doesNotMatch(res.text, /"kind":"ConfigMapList"/, `watch=${spelling} is a watch`);
    }
    for (const spelling of ['False', 'FALSE', 'false', '0']) {
      const res = await rawRequest(cluster.cp, 'GET', `/api/v1/namespaces/default/configmaps?watch=${spelling}`);
      assert.equal(res.json?.kind, 'ConfigMapList', `watch=${spelling} is a list`);
    }
    const bad = await rawRequest(cluster.cp, 'GET', '/api/v1/namespaces/default/configmaps?limit=ten');
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /limit/);
  });
});
