/**
 * Issue 18, item 8: unbounded resources. Resource names must be kube's (no `../x`), quantities
 * have ceilings (no CPU limit of 1e18), a quota can bound any named resource (`nvidia.com/gpu`)
 * and `streamspace up` ships a default quota covering every user no other quota names.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultSessionQuota, installDefaultQuota } from '../../src/controllers/install.ts';
import { templateSpec } from '../controllers/support.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import { GROUP_VERSION, NAMESPACE } from '../api/harness.ts';
import { startPlatform, type Platform } from './platform.ts';

describe('resource names, quantities and quotas over any resource', () => {
  let p: Platform;
  let gus: string;
  before(async () => {
    p = await startPlatform();
    await p.createTemplate('desktop', p.admin, templateSpec());
    gus = await p.userToken('gus');
  });
  after(async () => { await p?.stop(); });

  const refused = [
    { name: 'a CPU limit of 1e18', resources: { limits: { cpu: '1e18' } }, field: 'body.resources.limits[cpu]', message: /at most 1024/ },
    { name: 'a resource named ../x', resources: { limits: { '../x': '1' } }, field: 'body.resources.limits[../x]', message: /qualified name/ },
    { name: 'an unprefixed unknown resource', resources: { limits: { gpu: '1' } }, field: 'body.resources.limits[gpu]', message: /standard resource/ },
    { name: 'half a GPU', resources: { limits: { 'nvidia.com/gpu': '0.5' } }, field: 'body.resources.limits[nvidia.com/gpu]', message: /whole number/ },
    { name: 'a memory request of 1e30', resources: { requests: { memory: '1e30' } }, field: 'body.resources.requests[memory]', message: /at most/ },
  ];
  for (const c of refused) {
    it(`refuses ${c.name} with 400 naming the field, writing nothing`, async () => {
      const res = await p.request('POST', '/api/v1/sessions', { token: gus, body: { template: 'desktop', resources: c.resources } });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.field, c.field);
      assert.match(res.json.message, c.message);
      assert.deepEqual(await p.sessionsOf('gus'), []);
    });
  }

  it('refuses the same through Kubernetes (the webhook), so nothing reaches a Deployment', async () => {
    const res = await rawRequest(p.cluster.cp, 'POST', `/apis/${GROUP_VERSION}/namespaces/${NAMESPACE}/sessions`, {
      apiVersion: GROUP_VERSION, kind: 'Session', metadata: { name: 'huge', namespace: NAMESPACE }, spec: { user: 'gus', template: 'desktop', resources: { limits: { cpu: '1e18' } } },
    });
    assert.equal(res.status, 422, JSON.stringify(res.json));
    assert.match(res.json.message, /at most 1024/);
  });

  it('bounds any named resource with maxPerSession, and the shipped default quota allows no GPU', async () => {
    assert.equal(await installDefaultQuota(p.kube), true);
    assert.equal(await installDefaultQuota(p.kube), false, 'installed only when missing');
    await eventually('default quota cached', async () => (await p.request('GET', '/api/v1/quotas/default', { token: p.admin })).status === 200);
    const gpu = await p.request('POST', '/api/v1/sessions', { token: gus, body: { template: 'desktop', resources: { limits: { 'nvidia.com/gpu': '8' } } } });
    assert.equal(gpu.status, 403, gpu.text);
    assert.match(gpu.json.message, /8 nvidia\.com\/gpu .* per-session limit of 0 .*default/);
    assert.deepEqual(await p.sessionsOf('gus'), []);
    const audit = await p.audit({ actor: 'gus', action: 'session.create', result: '403' });
    assert.equal(audit.length, 1);
    const plain = await p.request('POST', '/api/v1/sessions', { token: gus, body: { template: 'desktop' } });
    assert.equal(plain.status, 202, `a session within the default quota starts: ${plain.text}`);
    assert.equal(defaultSessionQuota().metadata.name, 'default');
  });
});
