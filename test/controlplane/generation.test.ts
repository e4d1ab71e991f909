/**
 * metadata.generation as kube-apiserver keeps it: only for kinds whose strategy tracks it
 * (workloads, Pods, Ingresses, webhook configurations, CRDs, custom resources), never for
 * ConfigMaps, Secrets or Services. Seen through the real kubectl, including `kubectl diff`, which
 * on a real cluster never shows a generation change for a ConfigMap.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlFor, type Kubectl } from '../support/kubectl.ts';
import { startTestCluster, type TestCluster } from '../support/control-plane.ts';

function configMap(value: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gen', namespace: 'default' }, data: { v: value } });
}

describe('metadata.generation', () => {
  let cluster: TestCluster;
  let kubectl: Kubectl;
  before(async () => {
    cluster = await startTestCluster({ simulation: { nodes: 1 } });
    kubectl = kubectlFor(cluster.kubeconfigPath, cluster.tmp);
  });
  after(() => cluster?.stop());

  async function generationOf(resource: string, name: string): Promise<string> {
    return (await kubectl.ok(['get', resource, name, '-n', 'default', '-o', 'jsonpath={.metadata.generation}'])).trim();
  }

  it('is not set on ConfigMaps, Secrets and Services, and kubectl diff shows no generation change', async () => {
    await kubectl.ok(['apply', '-f', '-'], configMap('1'));
    await kubectl.ok(['apply', '-f', '-'], configMap('2'));
    await kubectl.ok(['create', 'secret', 'generic', 'gen', '-n', 'default', '--from-literal=a=b']);
    await kubectl.ok(['create', 'service', 'clusterip', 'gen', '-n', 'default', '--tcp=80:8080']);
    for (const resource of ['configmap', 'secret', 'service']) assert.equal(await generationOf(resource, 'gen'), '', `${resource} has no generation`);
    const diff = await kubectl.run(['diff', '-f', '-'], configMap('3'));
    assert.equal(diff.code, 1, `kubectl diff finds the data change: ${diff.stderr}`);
    assert.match(diff.stdout, /\+\s+v: "3"/);
    assert.doesNotMatch(diff.stdout, /generation/);
  });

  it('starts at 1 on Deployments and moves with spec changes only', async () => {
    await kubectl.ok(['create', 'deployment', 'gen', '-n', 'default', '--image=nginx:1.27']);
    assert.equal(await generationOf('deployment', 'gen'), '1');
    await kubectl.ok(['label', 'deployment', 'gen', '-n', 'default', 'extra=yes']);
    assert.equal(await generationOf('deployment', 'gen'), '1', 'a label is not a spec change');
    await kubectl.ok(['set', 'image', 'deployment/gen', '-n', 'default', 'nginx=nginx:1.28']);
    assert.equal(await generationOf('deployment', 'gen'), '2');
  });
});
