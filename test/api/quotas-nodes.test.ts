/**
 * Quotas and nodes over real HTTP, with the embedded control plane (three simulated nodes)
 * behind the API and no controllers: the SessionQuota and NodeOperation resources the API
 * writes, the views it computes from its caches, the authorization matrix (owner of a quota,
 * another user, an admin, anonymous) and bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NODE_OPERATION, SESSION_QUOTA } from '../../src/api/kube/kinds.ts';
import type { NodeOperation } from '../../src/apis/stream/v1alpha1/nodeoperation.ts';
import type { SessionQuota } from '../../src/apis/stream/v1alpha1/sessionquota.ts';
import { eventually } from '../support/control-plane.ts';
import { ADMIN_PASSWORD, startApiHarness, type ApiHarness } from './harness.ts';
import { checkRow, type Caller, type Row } from './access-matrix.ts';


describe('quotas and nodes', () => {
  let h: ApiHarness;
  const tokens: Partial<Record<Caller, string>> = {};
  let quotaCount = 0;
  before(async () => {
    h = await startApiHarness();
    tokens.admin = await h.login('admin', ADMIN_PASSWORD);
    tokens.owner = await h.userToken('quinn');
    tokens.other = await h.userToken('oscar');
    await h.createTemplate('desktop', tokens.admin, { defaultResources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } } });
    await eventually('nodes in the API\'s cache', async () => (await h.request('GET', '/api/v1/nodes', { token: tokens.admin })).json?.items?.length === 3);
  });
  after(() => h?.stop());

  const liveQuota = (name: string) => h.kube.get<SessionQuota>(SESSION_QUOTA, { name });

  async function newQuota(spec: object = { users: ['quinn'], limits: { maxSessions: 3 } }): Promise<string> {
    const name = `q-${++quotaCount}`;
    const res = await h.request('POST', '/api/v1/quotas', { token: tokens.admin, body: { name, spec } });
    assert.equal(res.status, 201, res.text);
    return name;
  }

  it('creates, reads, replaces, patches and deletes a SessionQuota through the Kubernetes API', async () => {
    const name = await newQuota({ users: ['quinn'], limits: { maxSessions: 2, maxTotalCPU: '1500m' } });
    assert.deepEqual((await liveQuota(name)).spec?.limits, { maxSessions: 2, maxTotalCPU: '1500m' });
    const read = await h.request('GET', `/api/v1/quotas/${name}`, { token: tokens.admin });
    assert.equal(read.status, 200, 'the create waited for the cache');
    assert.equal(read.json.metadata.managedFields, undefined);
    const list = await h.request('GET', '/api/v1/quotas', { token: tokens.admin });
    assert.ok(list.json.items.some((q: SessionQuota) => q.metadata.name === name));

    const put = await h.request('PUT', `/api/v1/quotas/${name}`, { token: tokens.admin, body: { spec: { groups: ['staff'], limits: { maxRunningSessions: 1 } } } });
    assert.equal(put.status, 200, put.text);
    const replaced = await liveQuota(name);
    assert.deepEqual(replaced.spec?.groups, ['staff']);
    assert.equal(replaced.spec?.users, undefined, 'PUT replaces the whole spec');

    await eventually('replacement cached', async () => (await h.request('GET', `/api/v1/quotas/${name}`, { token: tokens.admin })).json.spec.groups?.[0] === 'staff');
    const patch = await h.request('PATCH', `/api/v1/quotas/${name}`, { token: tokens.admin, body: { spec: { limits: { maxSessions: 4 } } } });
    assert.equal(patch.status, 200, patch.text);
    assert.deepEqual((await liveQuota(name)).spec?.limits, { maxRunningSessions: 1, maxSessions: 4 }, 'PATCH merges');

    assert.equal((await h.request('DELETE', `/api/v1/quotas/${name}`, { token: tokens.admin })).status, 204);
    await assert.rejects(liveQuota(name), /not found/i);
    await eventually('deletion cached', async () => (await h.request('GET', `/api/v1/quotas/${name}`, { token: tokens.admin })).status === 404);
    await eventually('delete audited', async () => {
      const log = await h.request('GET', `/api/v1/audit?action=quota.delete&target=${name}`, { token: tokens.admin });
      return log.json.items[0]?.result === 204;
    });
  });

  it('shows a user the quota that applies to them and their usage from the session cache', async () => {
    const none = await h.request('GET', '/api/v1/quotas/me', { token: tokens.other });
    assert.equal(none.status, 200);
    assert.equal(none.json.quota, null);
    assert.deepEqual(none.json.usage, { sessions: 0, runningSessions: 0, cpu: '0', memory: '0' });

    const name = await newQuota({ users: ['quinn'], limits: { maxSessions: 5 } });
    const created = await h.request('POST', '/api/v1/sessions', { token: tokens.owner, body: { template: 'desktop' } });
    assert.equal(created.status, 202, created.text);
    const asleep = await h.request('POST', '/api/v1/sessions', { token: tokens.owner, body: { template: 'desktop', state: 'hibernated' } });
    assert.equal(asleep.status, 202, asleep.text);
    const mine = await h.request('GET', '/api/v1/quotas/me', { token: tokens.owner });
    assert.equal(mine.status, 200);
    assert.equal(mine.json.user, 'quinn');
    assert.equal(mine.json.matchedBy, 'user');
    assert.equal(mine.json.quota.spec.limits.maxSessions, 5);
    assert.ok(mine.json.quota.metadata.name === name || mine.json.quota.metadata.name < name, 'the first quota by name naming quinn');
    assert.deepEqual(mine.json.usage, { sessions: 2, runningSessions: 1, cpu: '250m', memory: '512Mi' });
  });

  it('answers 400 naming the field for bad input', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/quotas', { name: 'Bad_Name', spec: {} }, 'body.name'],
      ['POST', '/api/v1/quotas', { name: 'ok', spec: { limits: { maxSessions: -1 } } }, 'body.spec.limits.maxSessions'],
      ['POST', '/api/v1/quotas', { name: 'ok', spec: { nonsense: true } }, 'body.spec.nonsense'],
      ['POST', '/api/v1/nodes/node-1/operations', { operation: 'reboot' }, 'body.operation'],
      ['POST', '/api/v1/nodes/node-1/operations', { operation: 'cordon', ttlSecondsAfterFinished: -5 }, 'body.ttlSecondsAfterFinished'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await h.request(method, path, { token: tokens.admin, body });
      assert.equal(res.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.json.error, 'SS_ERR_INVALID_INPUT');
      assert.equal(res.json.field, field, res.text);
    }
    assert.equal((await h.request('GET', '/api/v1/quotas/missing', { token: tokens.admin })).status, 404);
    assert.equal((await h.request('GET', '/api/v1/nodes/missing/stats', { token: tokens.admin })).status, 404);
    assert.equal((await h.request('POST', '/api/v1/nodes/missing/operations', { token: tokens.admin, body: { operation: 'cordon' } })).status, 404);
  });

  it('reads nodes and per-node statistics from the caches, including pods of every namespace', async () => {
    const node = await h.request('GET', '/api/v1/nodes/node-1', { token: tokens.admin });
    assert.equal(node.status, 200, node.text);
    assert.equal(node.json.kind, 'Node');
    const before = (await h.request('GET', '/api/v1/nodes/node-1/stats', { token: tokens.admin })).json;
    assert.ok(before.capacity.cpu && before.allocatable.memory, JSON.stringify(before));
    await h.kube.create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stats-probe', namespace: 'default', labels: { 'stream.streamspace.io/session': 'x' } },
      spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '300m', memory: '100Mi' } } }] },
    } as any);
    const after = await eventually('the pod counted on node-1', async () => {
      const s = (await h.request('GET', '/api/v1/nodes/node-1/stats', { token: tokens.admin })).json;
      return s.pods === before.pods + 1 ? s : undefined;
    });
    assert.equal(after.sessionPods, before.sessionPods + 1);
    assert.equal(after.name, 'node-1');
    if (before.requested.cpu === '0') assert.deepEqual(after.requested, { cpu: '300m', memory: '100Mi' });
  });

  it('changes nodes only through NodeOperations, answered 202', async () => {
    const res = await h.request('POST', '/api/v1/nodes/node-2/operations', {
      token: tokens.admin, body: { operation: 'label', parameters: { labels: { pool: 'gpu' } }, ttlSecondsAfterFinished: 600 },
    });
    assert.equal(res.status, 202, res.text);
    const name = res.json.metadata.name as string;
    assert.match(name, /^node-2-label-[a-z0-9]{5}$/);
    const stored = await h.kube.get<NodeOperation>(NODE_OPERATION, { name });
    assert.deepEqual(stored.spec, { nodeName: 'node-2', operation: 'label', parameters: { labels: { pool: 'gpu' } }, ttlSecondsAfterFinished: 600 });
    const node = await h.kube.get<any>({ apiVersion: 'v1', kind: 'Node' }, { name: 'node-2' });
    assert.equal(node.metadata.labels?.pool, undefined, 'the API did not touch the node');
    await eventually('operation in the cache', async () => (await h.request('GET', `/api/v1/node-operations/${name}`, { token: tokens.admin })).status === 200);
    const list = await h.request('GET', '/api/v1/node-operations', { token: tokens.admin });
    assert.ok(list.json.items.some((o: NodeOperation) => o.metadata.name === name));
  });

  const rows: Row[] = [
    { name: 'my quota', request: async () => ({ method: 'GET', path: '/api/v1/quotas/me' }), expect: [200, 200, 200, 401] },
    { name: 'list quotas', request: async () => ({ method: 'GET', path: '/api/v1/quotas' }), expect: [403, 403, 200, 401] },
    { name: 'read quota', request: async () => ({ method: 'GET', path: `/api/v1/quotas/${await newQuota()}` }), expect: [403, 403, 200, 401] },
    { name: 'create quota', request: async (c) => ({ method: 'POST', path: '/api/v1/quotas', body: { name: `made-by-${c}`, spec: { default: true } } }), expect: [403, 403, 201, 401] },
    { name: 'replace quota', request: async () => ({ method: 'PUT', path: `/api/v1/quotas/${await newQuota()}`, body: { spec: { default: true } } }), expect: [403, 403, 200, 401] },
    { name: 'patch quota', request: async () => ({ method: 'PATCH', path: `/api/v1/quotas/${await newQuota()}`, body: { spec: { default: true } } }), expect: [403, 403, 200, 401] },
    { name: 'delete quota', request: async () => ({ method: 'DELETE', path: `/api/v1/quotas/${await newQuota()}` }), expect: [403, 403, 204, 401] },
    { name: 'list nodes', request: async () => ({ method: 'GET', path: '/api/v1/nodes' }), expect: [403, 403, 200, 401] },
    { name: 'read node', request: async () => ({ method: 'GET', path: '/api/v1/nodes/node-3' }), expect: [403, 403, 200, 401] },
    { name: 'node stats', request: async () => ({ method: 'GET', path: '/api/v1/nodes/node-3/stats' }), expect: [403, 403, 200, 401] },
    { name: 'node operation', request: async () => ({ method: 'POST', path: '/api/v1/nodes/node-3/operations', body: { operation: 'cordon' } }), expect: [403, 403, 202, 401] },
    { name: 'list node operations', request: async () => ({ method: 'GET', path: '/api/v1/node-operations' }), expect: [403, 403, 200, 401] },
    { name: 'read node operation', request: async () => ({ method: 'GET', path: '/api/v1/node-operations/none-such' }), expect: [403, 403, 404, 401] },
  ];

  for (const row of rows) {
    it(`authorization: ${row.name}`, async () => {
      await checkRow(h, tokens, row, (message) => assert.match(message, /admins only/));
    });
  }
});
