/** Installing the CRDs and built-in templates, with the seed's CODESERVER_IMAGE override. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { installBuiltinTemplates, installCrds } from '../../src/controllers/install.ts';
import { streamspaceResources } from '../../src/controllers/kinds.ts';
import { KubeClient } from '../../src/runtime/client.ts';
import { startTestCluster, type TestCluster } from '../support/control-plane.ts';

void describe('installing the built-in templates', () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster();
  });
  after(() => c.stop());

  void it('installs each template once, with an image override for code-server', async () => {
    const client = new KubeClient({ kubeConfig: c.kc, fieldManager: 'test-installer', resources: streamspaceResources() });
    await installCrds(client);
    const created = await installBuiltinTemplates(client, 'streamspace', { 'code-server': 'registry.example.com/code-server:9.9' });
    assert.deepEqual([...created].sort(), ['code-server', 'firefox', 'local-desktop', 'local-notes', 'ubuntu-xfce']);
    const read = (name: string) => c.custom.getNamespacedCustomObject({ group: 'stream.streamspace.io', version: 'v1alpha1', namespace: 'streamspace', plural: 'templates', name }) as Promise<any>;
    assert.equal((await read('code-server')).spec.baseImage, 'registry.example.com/code-server:9.9');
    assert.match((await read('firefox')).spec.baseImage, /linuxserver\/firefox/);
    assert.deepEqual(await installBuiltinTemplates(client, 'streamspace'), [], 'a second install creates nothing');
  });
});
