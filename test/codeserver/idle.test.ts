/**
 * The activity poller against a fake code-server (answering `/healthz` as code-server does:
 * `{status, lastHeartbeat}`) and Sessions on the embedded control plane: newer heartbeats become
 * `status.lastActivity`, never-used instances, stale heartbeats and stopped sessions write
 * nothing, and a code-server that fails or hangs is counted, not fatal.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import { CODESERVER_MANAGER } from '../../src/codeserver/credential-secret.ts';
import { ActivityPoller, kubeTime, StatusActivityWriter } from '../../src/codeserver/idle.ts';
import { SessionKind, streamspaceResources } from '../../src/controllers/kinds.ts';
import { KubeClient } from '../../src/runtime/client.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import { eventually } from '../support/control-plane.ts';
import { createSession, startControllerCluster, type ControllerTestCluster } from '../controllers/support.ts';

const NS = 'devs';

/** What the fake code-server of each session answers: a heartbeat, an HTTP error, or nothing. */
const answers = new Map<string, number | 'error' | 'hang'>();
const asked: string[] = [];
let cluster: ControllerTestCluster;
let codeServer: http.Server;
let codeServerUrl: string;
let client: KubeClient;

async function sessionWith(name: string, phase: 'Running' | 'Hibernated', lastActivity?: string): Promise<void> {
  await createSession(cluster.api, NS, name, { user: 'alice', template: 'code-server', state: phase === 'Running' ? 'running' : 'hibernated' });
  const status = { phase, ...(lastActivity ? { lastActivity } : {}) };
  await cluster.api.patchStatus({ ...SessionKind, metadata: { namespace: NS, name } }, mergePatch({ status }));
}

async function sessions(): Promise<Session[]> {
  return (await client.list<Session>(SessionKind, { namespace: NS })).items;
}

async function session(name: string): Promise<Session> {
  return client.get<Session>(SessionKind, { namespace: NS, name });
}

function poller(): ActivityPoller {
  return new ActivityPoller({
    listSessions: sessions, sink: new StatusActivityWriter(client), timeoutMs: 300, intervalMs: 20,
    healthzUrl: (s) => `${codeServerUrl}/${s.metadata.name}/healthz`,
  });
}

before(async () => {
  cluster = await startControllerCluster([NS]);
  client = new KubeClient({ kubeConfig: cluster.kc, fieldManager: CODESERVER_MANAGER, resources: streamspaceResources() });
  codeServer = http.createServer((req, res) => {
    const name = (req.url ?? '').split('/')[1];
    asked.push(name);
    const answer = answers.get(name);
    if (answer === 'hang') return;
    if (answer === undefined || answer === 'error') return void res.writeHead(502).end();
    const alive = Date.now() - answer < 60_000;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: alive ? 'alive' : 'expired', lastHeartbeat: answer }));
  });
  codeServer.listen(0, '127.0.0.1');
  await once(codeServer, 'listening');
  codeServerUrl = `http://127.0.0.1:${(codeServer.address() as AddressInfo).port}`;
});

after(async () => {
  codeServer.closeAllConnections();
  await new Promise((resolve) => codeServer.close(resolve));
  await cluster.stop();
});

test('a newer heartbeat becomes status.lastActivity; stale, never-used, stopped and failing instances write nothing', async () => {
  const heartbeat = Date.now() - 5_000;
  const storedLater = kubeTime(Date.now() - 1_000);
  answers.set('used', heartbeat).set('never-used', 0).set('stale', Date.now() - 3_600_000).set('stopped', heartbeat).set('broken', 'error').set('hung', 'hang');
  await sessionWith('used', 'Running', kubeTime(Date.now() - 7_200_000));
  await sessionWith('never-used', 'Running');
  await sessionWith('stale', 'Running', storedLater);
  await sessionWith('stopped', 'Hibernated');
  await sessionWith('broken', 'Running');
  await sessionWith('hung', 'Running');
  const versions = Object.fromEntries(await Promise.all(['never-used', 'stale', 'stopped', 'broken', 'hung'].map(async (n) => [n, (await session(n)).metadata.resourceVersion])));

  const summary = await poller().pollOnce();
  assert.deepEqual(summary, { polled: 5, recorded: 1, failed: 2 });
  assert.equal((await session('used')).status?.lastActivity, kubeTime(heartbeat));
  assert.equal((await session('stale')).status?.lastActivity, storedLater, 'never moved backwards');
  for (const [name, version] of Object.entries(versions)) assert.equal((await session(name)).metadata.resourceVersion, version, `${name} not written`);
  assert.ok(!asked.includes('stopped'), 'hibernated sessions are not polled');
});

test('the writer refuses a stale view: a concurrent newer write wins', async () => {
  const s = await session('used');
  await client.patchStatus(s, mergePatch({ status: { lastActivity: kubeTime(Date.now()) } }));
  const newest = (await session('used')).status?.lastActivity;
  await new StatusActivityWriter(client).record(s, Date.now() - 1_000);
  assert.equal((await session('used')).status?.lastActivity, newest);
});

test('started, it keeps polling until stopped', async () => {
  const later = Date.now();
  answers.set('never-used', later);
  const p = poller();
  p.start();
  try {
    await eventually('the started poller writes the new heartbeat', async () => (await session('never-used')).status?.lastActivity === kubeTime(later));
  } finally {
    await p.stop();
  }
  const count = asked.length;
  await p.pollOnce();
  assert.ok(asked.length > count, 'pollOnce still works after stop');
});

test('by default each instance is asked at its Service: http://ss-<session>.<namespace>.svc:<port>/healthz', async () => {
  const urls: string[] = [];
  const p = new ActivityPoller({
    listSessions: async () => [await session('used')], sink: { record: () => undefined }, port: 8080,
    fetch: async (url) => {
      urls.push(String(url));
      return new Response(JSON.stringify({ status: 'alive', lastHeartbeat: 1 }));
    },
  });
  await p.pollOnce();
  assert.deepEqual(urls, [`http://ss-used.${NS}.svc:8080/healthz`]);
});
