import { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane } from '../../src/controlplane/index.ts';
import { KubeClient } from '../../src/runtime/client.ts';
const cp = await startControlPlane();
try {
  const kc = new KubeConfig(); kc.loadFromString(cp.kubeconfig);
  const c = new KubeClient({ kubeConfig: kc, fieldManager: 'smoke' });
  const cm = await c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' }, data: { x: '1' } });
  console.log('created', cm.metadata.resourceVersion, cm.metadata.managedFields?.[0]?.manager);
  const l = await c.list({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'default', limit: 1 });
  console.log('list', l.metadata, l.items.length, l.items[0].kind);
  try { await c.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'default', name: 'nope' }); } catch (e: any) { console.log('err', e.code, e.reason, e.message); }
  const p = await c.patch(cm, { type: 'merge', body: { data: { y: '2' } } });
  console.log('patched', p.data);
  const ap = await c.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' }, data: { z: '3' } }, { force: true });
  console.log('applied', ap.metadata.managedFields?.map((m: any) => m.manager + ':' + m.operation));
  console.log(c.requestStats());
} finally { await cp.stop(); }
