/**
 * Admission served by two `streamspace controller` replicas (separate processes) against an
 * embedded control plane: the configurations point at one Service whose Endpoints list the live
 * replicas. After SIGKILL of either replica and after SIGTERM of either, Session creates are still
 * defaulted and refused by quota with the quota's name; the configurations survive every stop; a
 * replica killed outright leaves the Endpoints when its registration expires, one stopped cleanly
 * at once; a stale or missing configuration is put back by the running replicas.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as k8s from '@kubernetes/client-node';
import { eventually, rawRequest, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { startStreamspace, type StreamspaceProcess } from '../support/processes.ts';
import { GROUP, installCrds, rejection, VERSION } from './webhook-cluster.ts';

const NS = 'team';
const PLATFORM = 'streamspace';
const SERVICE = 'streamspace-webhooks';
const LEASE_SECONDS = 2;
const VWC = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/streamspace-webhooks';
const MWC = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/streamspace-webhooks';

interface Replica {
  proc: StreamspaceProcess;
  /** Base URL of its /healthz, /readyz and /metrics. */
  url: string;
}

void describe('admission with two controller replicas', () => {
  let c: TestCluster;
  const replicas: Replica[] = [];
  let round = 0;

  async function startReplica(): Promise<Replica> {
    const proc = startStreamspace(['controller'], {
      KUBECONFIG: c.kubeconfigPath, STREAMSPACE_METRICS_PORT: '0', STREAMSPACE_METRICS_BIND_ADDRESS: '127.0.0.1',
      STREAMSPACE_WEBHOOK_LEASE_SECONDS: String(LEASE_SECONDS),
    });
    const [, url] = await proc.waitFor(/\/readyz and \/metrics at (http:\/\/\S+);/, 'the controller endpoint');
    const replica = { proc, url };
    replicas.push(replica);
    await eventually('the replica ready (serving admission)', async () => (await fetch(`${url}/readyz`)).status === 200, 60_000);
    return replica;
  }

  /** The webhook ports the Service's Endpoints list as ready. */
  async function endpointPorts(): Promise<number[]> {
    const ep = await rawRequest(c.cp, 'GET', `/api/v1/namespaces/${PLATFORM}/endpoints/${SERVICE}`);
    return (ep.json?.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).length ? s.ports.map((p: any) => p.port) : []).sort();
  }

  function sessionOf(name: string, user: string): k8s.KubernetesObject & { spec: any } {
    return { apiVersion: `${GROUP}/${VERSION}`, kind: 'Session', metadata: { name, namespace: NS }, spec: { user, template: 'firefox' } };
  }

  const create = (obj: k8s.KubernetesObject): Promise<any> =>
    c.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: 'sessions', body: obj });

  /** A new user's first session is defaulted; their second is refused by the quota, by name. */
  async function admissionWorks(when: string): Promise<void> {
    const user = `user${++round}`;
    const created = await create(sessionOf(`${user}-a`, user));
    assert.equal(created.spec.state, 'running', `${when}: spec.state defaulted`);
    assert.equal(created.spec.idleTimeout, '30m', `${when}: spec.idleTimeout defaulted`);
    // Each replica judges from its own informer: wait until the first session is seen wherever the call lands
    // (four dry runs in a row refused; which replica answers is picked at random).
    const dryRun = (): Promise<unknown> =>
      c.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: 'sessions', body: sessionOf(`${user}-b`, user), dryRun: 'All' });
    await eventually(`${when}: dry runs of a second session refused`, async () => {
      for (let i = 0; i < 4; i++) if ((await rejection(dryRun()).catch(() => ({ code: 0 }))).code !== 403) return false;
      return true;
    });
    const refused = await rejection(create(sessionOf(`${user}-b`, user)));
    assert.equal(refused.code, 403, when);
    assert.match(refused.message, /quota exceeded: user user\d+ has 1 of 1 sessions \(SessionQuota "one-each"\)/, when);
  }

  async function configurationsPointAtTheService(): Promise<void> {
    for (const path of [VWC, MWC]) {
      const cfg = await rawRequest(c.cp, 'GET', path);
      assert.equal(cfg.status, 200, `${path} exists`);
      for (const hook of cfg.json.webhooks) {
        const { namespace, name, port } = hook.clientConfig.service ?? {};
        assert.deepEqual({ namespace, name, port }, { namespace: PLATFORM, name: SERVICE, port: 443 });
      }
    }
  }

  before(async () => {
    c = await startTestCluster();
    await installCrds(c);
    for (const name of [NS, PLATFORM]) await c.core.createNamespace({ body: { metadata: { name } } });
    await c.custom.createClusterCustomObject({
      group: GROUP, version: VERSION, plural: 'sessionquotas',
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'SessionQuota', metadata: { name: 'one-each' }, spec: { default: true, limits: { maxSessions: 1 } } },
    });
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.proc.kill('SIGKILL')));
    await c?.stop();
  });

  void it('keeps admitting, defaulting and enforcing quotas through SIGKILL and SIGTERM of either replica', async () => {
    const a = await startReplica();
    const b = await startReplica();
    await eventually('both replicas listed in the Service', async () => (await endpointPorts()).length === 2);
    await configurationsPointAtTheService();
    await c.custom.createNamespacedCustomObject({
      group: GROUP, version: VERSION, namespace: NS, plural: 'templates',
      body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'Template', metadata: { name: 'firefox', namespace: NS }, spec: { displayName: 'Firefox', baseImage: 'lscr.io/linuxserver/firefox:latest', vnc: { enabled: true, port: 3000 } } },
    });
    await admissionWorks('both replicas up');

    assert.equal(await a.proc.kill('SIGKILL'), null);
    await admissionWorks('right after SIGKILL of the first replica');
    await eventually('the killed replica leaves the Endpoints once its registration expires', async () => (await endpointPorts()).length === 1, 20_000);
    await admissionWorks('after the first replica\'s registration expired');

    const a2 = await startReplica();
    await eventually('the replacement listed', async () => (await endpointPorts()).length === 2);
    assert.equal(await b.proc.kill('SIGKILL'), null);
    await admissionWorks('right after SIGKILL of the second replica');

    const b2 = await startReplica();
    await eventually('the replacement listed', async () => (await endpointPorts()).length >= 2);
    const before = await endpointPorts();
    assert.equal(await a2.proc.kill('SIGTERM'), 0);
    const afterTerm = await endpointPorts();
    assert.equal(afterTerm.length, before.length - 1, 'a replica stopped cleanly leaves the Endpoints before it exits');
    await configurationsPointAtTheService();
    await admissionWorks('after SIGTERM of the first replica');

    await startReplica();
    await eventually('the replacement listed', async () => (await endpointPorts()).length >= 2);
    assert.equal(await b2.proc.kill('SIGTERM'), 0);
    await configurationsPointAtTheService();
    await admissionWorks('after SIGTERM of the second replica');
  });

  void it('puts back a configuration that a dead process left stale, and one that was deleted', async () => {
    const stale = await rawRequest(c.cp, 'GET', VWC);
    const hooks = stale.json.webhooks.map((h: any) => ({ ...h, clientConfig: { url: `https://127.0.0.1:1${h.clientConfig.service.path}` } }));
    assert.equal((await rawRequest(c.cp, 'PUT', VWC, { ...stale.json, webhooks: hooks })).status, 200);
    await eventually('the stale configuration repaired', async () => {
      const cfg = await rawRequest(c.cp, 'GET', VWC);
      return cfg.json.webhooks.every((h: any) => h.clientConfig.service?.name === SERVICE && h.clientConfig.caBundle && !h.clientConfig.url);
    });
    assert.equal((await rawRequest(c.cp, 'DELETE', MWC)).status, 200);
    await eventually('the deleted configuration created again', async () => (await rawRequest(c.cp, 'GET', MWC)).status === 200);
    await configurationsPointAtTheService();
    await admissionWorks('after the repair');
  });
});
