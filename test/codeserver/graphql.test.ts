/**
 * The code-server GraphQL API end to end: every query and mutation of the seed's schema, over
 * HTTP (fastify inject), against the embedded control plane with the real Session controller
 * running in-process (it builds the Deployment, Service, Ingress and home claim; the simulated
 * kubelet runs the pods and their init containers) and a fake Gitea. Covers the seed's success
 * criteria that need no browser: pod + PVC created, stop keeps the PVC, delete removes
 * everything, several users isolated, instanceStats for admins only, metrics exposed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/apis/stream/v1alpha1/session.ts';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { credentialSecretName } from '../../src/codeserver/credential-secret.ts';
import { CHECKOUT_CONTAINER, FETCH_CONTAINER } from '../../src/controllers/session/repository-clone/init-container.ts';
import { instanceId } from '../../src/codeserver/instance.ts';
import { SYNC_ANNOTATION } from '../../src/codeserver/repository-sync.ts';
import { ClaimKind, DeploymentKind, IngressKind, PodKind, ServiceKind, SessionKind } from '../../src/controllers/kinds.ts';
import { homeClaimName, LABELS } from '../../src/apis/stream/v1alpha1/naming.ts';
import { mergePatch } from '../../src/runtime/patch.ts';
import { eventually, rawRequest } from '../support/control-plane.ts';
import { listOf, read } from '../controllers/support.ts';
import { gqlTo, NS, startHarness, type GqlAnswer, type Harness } from './harness.ts';

const INSTANCE = 'id userId repoName repoOwner url status createdAt lastAccessedAt storageUsed';
const PROVISION = `mutation($o: String!, $n: String!) { provisionCodeServer(repoOwner: $o, repoName: $n) { instance { ${INSTANCE} } message isNew } }`;

let h: Harness;

before(async () => {
  h = await startHarness();
  h.fake.tokens.set('alice-token', 'alice').set('bob-token', 'bob').set('carol-token', 'carol').set('admin-token', 'root').set('service-token', 'gitea-admin');
  h.fake.admins.add('gitea-admin');
  h.fake.repositories.push(
    { owner: 'alice', name: 'project', private: true, collaborators: { bob: 'read' } },
    { owner: 'alice', name: 'diary', private: true },
    { owner: 'bob', name: 'tools', private: false },
    { owner: 'bob', name: 'scratch', private: false },
    { owner: 'bob', name: 'ssh-only', private: false, cloneUrl: 'ssh://git@gitea/bob/ssh-only.git' },
  );
});

after(async () => {
  await h.stop();
});

function provision(token: string | undefined, owner: string, name: string): Promise<GqlAnswer> {
  return h.gql(token, PROVISION, { o: owner, n: name });
}

function errorOf(answer: GqlAnswer): { message: string; code?: string } {
  assert.ok(answer.errors?.length, `expected an error, got ${JSON.stringify(answer.data)}`);
  return { message: answer.errors[0].message, code: answer.errors[0].extensions?.code };
}

function podsOf(id: string): Promise<KubeObject[]> {
  return listOf(h.cluster.api, PodKind, NS, `${LABELS.session}=${id}`);
}

async function statusOf(token: string, id: string): Promise<string> {
  const answer = await h.gql(token, 'query($id: String!) { codeServerStatus(id: $id) }', { id });
  assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
  return answer.data.codeServerStatus;
}

function waitForStatus(token: string, id: string, status: string): Promise<true> {
  return eventually(`${id} to be ${status}`, async () => (await statusOf(token, id)) === status || undefined, 15_000);
}

const aliceProject = instanceId('alice', 'alice', 'project');

describe('health and authentication', () => {
  test('health answers true without credentials while the Kubernetes API answers', async () => {
    const answer = await h.gql(undefined, '{ health }');
    assert.deepEqual([answer.status, answer.data], [200, { health: true }]);
  });

  test('everything else says the seed\'s "unauthorized" without (or with bad) credentials', async () => {
    for (const token of [undefined, 'forged']) {
      const answer = await provision(token, 'alice', 'project');
      assert.deepEqual(errorOf(answer), { message: 'unauthorized', code: 'UNAUTHENTICATED' });
      assert.deepEqual(errorOf(await h.gql(token, '{ myCodeServers { id } }')).message, 'unauthorized');
    }
    assert.equal(h.fake.requests.length, 0, 'Gitea was not asked on behalf of nobody');
  });

  test('malformed requests are 400s with GraphQL errors; mutations over GET are refused', async () => {
    const app = await h.app();
    const noQuery = await app.inject({ method: 'POST', url: '/graphql', payload: { nope: 1 } });
    assert.equal(noQuery.statusCode, 400);
    const syntax = await app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ health' } });
    assert.equal(syntax.statusCode, 400);
    assert.match(syntax.json().errors[0].message, /Syntax Error/);
    const unknown = await app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ secrets }' } });
    assert.equal(unknown.statusCode, 400);
    const get = await app.inject({ method: 'GET', url: '/graphql?query=%7Bhealth%7D' });
    assert.deepEqual([get.statusCode, get.json().data], [200, { health: true }]);
    const getMutation = await app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('mutation { stopCodeServer(id: "x") }')}` });
    assert.equal(getMutation.statusCode, 405);
  });
});

describe('provisionCodeServer', () => {
  test('creates the Session, its credential Secret, the home PVC and a running pod, and returns the instance', async () => {
    h.fake.requests.length = 0;
    const answer = await provision('alice-token', 'alice', 'project');
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const result = answer.data.provisionCodeServer;
    assert.deepEqual([result.isNew, result.message], [true, 'Instance created successfully']);
    assert.deepEqual(
      [result.instance.id, result.instance.userId, result.instance.repoOwner, result.instance.repoName, result.instance.status],
      [aliceProject, 'alice', 'alice', 'project', 'RUNNING'],
    );
    assert.equal(result.instance.url, `http://${aliceProject}.streamspace.local/`);
    assert.ok(Date.parse(result.instance.createdAt) > 0);
    assert.deepEqual(h.fake.requests.map((r) => [r.path, r.authorization]), [['/api/v1/repos/alice/project', 'token alice-token']], 'the caller\'s token was forwarded');

    const session = (await read<Session>(h.cluster.api, SessionKind, NS, aliceProject))!;
    assert.deepEqual(session.spec.repository, { owner: 'alice', name: 'project', cloneURL: `${h.fake.url}/alice/project.git` });
    assert.deepEqual([session.spec.user, session.spec.template, session.spec.state], ['alice', 'code-server', 'running']);
    const secret = (await read(h.cluster.api, { apiVersion: 'v1', kind: 'Secret' }, NS, credentialSecretName(session)))!;
    assert.equal(Buffer.from(secret.data.token, 'base64').toString(), 'alice-token');
    assert.deepEqual(secret.metadata.ownerReferences?.map((r) => [r.kind, r.uid]), [['Session', session.metadata.uid]]);
    const claim = await read(h.cluster.api, ClaimKind, NS, homeClaimName('alice'));
    assert.equal(claim?.spec.resources.requests.storage, '10Gi');
    const pods = await podsOf(aliceProject);
    assert.equal(pods.length, 1);
    assert.ok(pods[0].spec.volumes.some((v: any) => v.persistentVolumeClaim?.claimName === homeClaimName('alice')), 'the pod mounts the home PVC');
    assert.ok(await read(h.cluster.api, ServiceKind, NS, `ss-${aliceProject}`));
    assert.ok(await read(h.cluster.api, IngressKind, NS, `ss-${aliceProject}`));
  });

  test('provisioning again returns the same instance', async () => {
    const result = (await provision('alice-token', 'alice', 'project')).data.provisionCodeServer;
    assert.deepEqual([result.isNew, result.message, result.instance.id, result.instance.status], [false, 'Using existing instance', aliceProject, 'RUNNING']);
  });

  test('no access on Gitea: "repository access denied", and nothing is created', async () => {
    assert.deepEqual(errorOf(await provision('carol-token', 'alice', 'project')), { message: 'repository access denied', code: 'FORBIDDEN' });
    assert.deepEqual(errorOf(await provision('alice-token', 'alice', 'no-such-repo')), { message: 'repository access denied', code: 'FORBIDDEN' });
    assert.equal(await read(h.cluster.api, SessionKind, NS, instanceId('carol', 'alice', 'project')), undefined);
    assert.equal(await read(h.cluster.api, ClaimKind, NS, homeClaimName('carol')), undefined);
  });

  test('hostile names are refused before Gitea or Kubernetes hear of them', async () => {
    h.fake.requests.length = 0;
    const hostile: [string, string][] = [['alice', 'x;rm -rf ~'], ['$(id)', 'project'], ['alice', '`id`'], ['alice', 'my project'], ['..', 'project'], ['alice', '..'], ['-alice', 'p'], ['alice', 'a/b']];
    for (const [owner, name] of hostile) {
      const err = errorOf(await provision('alice-token', owner, name));
      assert.equal(err.code, 'BAD_USER_INPUT', `${owner}/${name}`);
      assert.match(err.message, /^invalid repository (owner|name)/);
    }
    assert.equal(h.fake.requests.length, 0);
    const sessions = await listOf(h.cluster.api, SessionKind, NS);
    assert.deepEqual(sessions.map((s) => s.metadata.name), [aliceProject]);
  });

  test('a clone URL that is not http(s) is refused: "failed to create instance"', async () => {
    const err = errorOf(await provision('bob-token', 'bob', 'ssh-only'));
    assert.match(err.message, /^failed to create instance: .*must be http or https, not ssh/);
    assert.equal(await read(h.cluster.api, SessionKind, NS, instanceId('bob', 'bob', 'ssh-only')), undefined);
  });

  test('Gitea down or hanging: "repository access denied: could not check access ..." with code UNAVAILABLE', async () => {
    try {
      h.fake.mode = 'down';
      const down = errorOf(await provision('bob-token', 'bob', 'tools'));
      assert.equal(down.code, 'UNAVAILABLE');
      assert.match(down.message, /^repository access denied: could not check access: Gitea at .* failed with HTTP 503$/);
      h.fake.mode = 'hang';
      const hung = errorOf(await provision('bob-token', 'bob', 'tools'));
      assert.match(hung.message, /did not answer within 500 ms/);
    } finally {
      h.fake.mode = 'up';
    }
  });

  test('a pod that cannot start: the instance is returned with status ERROR', async () => {
    const app = await h.app({ template: 'code-server-broken', timeoutMs: 10_000 });
    const answer = await gqlTo(app, 'carol-token', PROVISION, { o: 'bob', n: 'scratch' });
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    const result = answer.data.provisionCodeServer;
    assert.deepEqual([result.isNew, result.instance.status], [true, 'ERROR']);
    assert.match(result.message, /failed to start/);
    const logs = await gqlTo(app, 'carol-token', 'query($id: String!) { codeServerLogs(id: $id) }', { id: result.instance.id });
    assert.ok(logs.errors || typeof logs.data.codeServerLogs === 'string', 'logs answer either way');
    assert.equal((await gqlTo(app, 'carol-token', 'mutation($id: String!) { deleteCodeServer(id: $id) }', { id: result.instance.id })).data.deleteCodeServer, true);
  });

  test('service-token mode: Gitea is asked for the user\'s permission with the service token, the user\'s token never sent', async () => {
    const app = await h.app({ accessCheck: 'service-token', cloneCredential: 'service-token' });
    h.fake.requests.length = 0;
    const denied = await gqlTo(app, 'carol-token', PROVISION, { o: 'alice', n: 'diary' });
    assert.deepEqual(errorOf(denied), { message: 'repository access denied', code: 'FORBIDDEN' });
    const allowed = await gqlTo(app, 'bob-token', PROVISION, { o: 'alice', n: 'project' });
    assert.equal(allowed.errors, undefined, JSON.stringify(allowed.errors));
    assert.ok(h.fake.requests.some((r) => r.path === '/api/v1/repos/alice/project/collaborators/bob/permission'));
    assert.ok(h.fake.requests.every((r) => r.authorization === 'token service-token'));
    const id = allowed.data.provisionCodeServer.instance.id;
    const session = (await read<Session>(h.cluster.api, SessionKind, NS, id))!;
    const secret = (await read(h.cluster.api, { apiVersion: 'v1', kind: 'Secret' }, NS, credentialSecretName(session)))!;
    assert.equal(Buffer.from(secret.data.token, 'base64').toString(), 'service-token', 'the pod clones with the service token');
  });
});

describe('several users are isolated', () => {
  let bobTools: string;
  let bobProject: string;

  before(async () => {
    bobTools = (await provision('bob-token', 'bob', 'tools')).data.provisionCodeServer.instance.id;
    bobProject = instanceId('bob', 'alice', 'project');
  });

  test('myCodeServers lists only the caller\'s instances', async () => {
    const alice = (await h.gql('alice-token', `{ myCodeServers { ${INSTANCE} } }`)).data.myCodeServers;
    assert.deepEqual(alice.map((i: any) => i.id), [aliceProject]);
    const bob = (await h.gql('bob-token', '{ myCodeServers { id userId repoOwner repoName } }')).data.myCodeServers;
    assert.deepEqual(bob.map((i: any) => [i.id, i.userId, `${i.repoOwner}/${i.repoName}`]).sort(), [[bobProject, 'bob', 'alice/project'], [bobTools, 'bob', 'bob/tools']].sort());
  });

  test('each user has their own pods and home PVC', async () => {
    assert.notEqual(homeClaimName('alice'), homeClaimName('bob'));
    const alicePods = await podsOf(aliceProject);
    const bobPods = await podsOf(bobTools);
    assert.ok(alicePods[0].spec.volumes.some((v: any) => v.persistentVolumeClaim?.claimName === homeClaimName('alice')));
    assert.ok(bobPods[0].spec.volumes.some((v: any) => v.persistentVolumeClaim?.claimName === homeClaimName('bob')));
    assert.ok(!bobPods[0].spec.volumes.some((v: any) => v.persistentVolumeClaim?.claimName === homeClaimName('alice')));
  });

  test('another user\'s instance does not exist for the caller: null, or "instance not found"', async () => {
    const get = await h.gql('alice-token', 'query($id: String!) { codeServer(id: $id) { id } }', { id: bobTools });
    assert.deepEqual(get.data, { codeServer: null });
    for (const field of ['codeServerStatus(id: $id)', 'codeServerLogs(id: $id)']) {
      assert.deepEqual(errorOf(await h.gql('alice-token', `query($id: String!) { ${field} }`, { id: bobTools })), { message: 'instance not found', code: 'NOT_FOUND' });
    }
    for (const mutation of ['stopCodeServer(id: $id)', 'deleteCodeServer(id: $id)', 'syncRepository(id: $id)', 'startCodeServer(id: $id) { id }']) {
      assert.deepEqual(errorOf(await h.gql('alice-token', `mutation($id: String!) { ${mutation} }`, { id: bobTools })), { message: 'instance not found', code: 'NOT_FOUND' });
    }
    assert.equal(await statusOf('bob-token', bobTools), 'RUNNING', 'nothing happened to it');
    assert.deepEqual(errorOf(await h.gql('alice-token', 'query { codeServerStatus(id: "no-such-instance") }')).message, 'instance not found');
  });

  test('instanceStats is refused to non-admins and counts every instance for admins', async () => {
    assert.deepEqual(errorOf(await h.gql('alice-token', '{ instanceStats { totalInstances } }')).code, 'FORBIDDEN');
    const stats = (await h.gql('admin-token', '{ instanceStats { totalInstances runningInstances stoppedInstances totalStorageUsed } }')).data.instanceStats;
    const sessions = await listOf(h.cluster.api, SessionKind, NS);
    assert.equal(stats.totalInstances, sessions.length);
    assert.equal(stats.runningInstances, 3, 'alice/project, bob\'s alice/project and bob/tools');
    assert.equal(stats.stoppedInstances, 0);
    assert.equal(typeof stats.totalStorageUsed, 'string');
  });

  test('an admin may act on anyone\'s instance', async () => {
    const get = await h.gql('admin-token', `query($id: String!) { codeServer(id: $id) { id userId } }`, { id: bobTools });
    assert.deepEqual(get.data.codeServer, { id: bobTools, userId: 'bob' });
  });
});

describe('logs, sync, stop, start', () => {
  test('codeServerLogs reads the pod log through the Kubernetes API, tailing `lines`', async () => {
    const deployment = { ...DeploymentKind, metadata: { namespace: NS, name: `ss-${aliceProject}` } };
    const before = (await podsOf(aliceProject))[0].metadata.name;
    await h.cluster.api.patch(deployment, mergePatch({ spec: { template: { metadata: { annotations: { 'sim.streamspace.io/log': 'HTTP server listening on http://0.0.0.0:8080/\nSession server listening' } } } } }));
    await eventually('the restarted pod ready', async () => {
      const pods = await podsOf(aliceProject);
      return pods.length === 1 && pods[0].metadata.name !== before && pods[0].status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
    }, 15_000);
    await waitForStatus('alice-token', aliceProject, 'RUNNING');
    const all = (await h.gql('alice-token', 'query($id: String!) { codeServerLogs(id: $id) }', { id: aliceProject })).data.codeServerLogs;
    assert.match(all, /Started container session\n.*HTTP server listening on http:\/\/0\.0\.0\.0:8080\/\n.*Session server listening\n$/);
    const last = (await h.gql('alice-token', 'query($id: String!) { codeServerLogs(id: $id, lines: 1) }', { id: aliceProject })).data.codeServerLogs;
    assert.match(last, /^\S+ Session server listening\n$/);
  });

  test('syncRepository restarts the pod so it pulls, and reports true once it is ready', async () => {
    const before = (await podsOf(aliceProject)).map((p) => p.metadata.name);
    const answer = await h.gql('alice-token', 'mutation($id: String!) { syncRepository(id: $id) }', { id: aliceProject });
    assert.deepEqual([answer.errors, answer.data], [undefined, { syncRepository: true }]);
    const pods = (await podsOf(aliceProject)).filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(pods.length, 1);
    assert.ok(!before.includes(pods[0].metadata.name), 'a new pod');
    assert.ok(pods[0].metadata.annotations?.[SYNC_ANNOTATION]);
    assert.equal(await statusOf('alice-token', aliceProject), 'RUNNING');
  });

  test('stopCodeServer hibernates: the pod goes, the PVC stays; logs and sync then say "pod not ready"', async () => {
    const stop = await h.gql('alice-token', 'mutation($id: String!) { stopCodeServer(id: $id) }', { id: aliceProject });
    assert.deepEqual(stop.data, { stopCodeServer: true });
    await waitForStatus('alice-token', aliceProject, 'STOPPED');
    assert.deepEqual(await podsOf(aliceProject), []);
    assert.ok(await read(h.cluster.api, ClaimKind, NS, homeClaimName('alice')), 'the home PVC is kept');
    assert.equal((await read(h.cluster.api, DeploymentKind, NS, `ss-${aliceProject}`))?.spec.replicas, 0);
    for (const q of ['query($id: String!) { codeServerLogs(id: $id) }', 'mutation($id: String!) { syncRepository(id: $id) }']) {
      const err = errorOf(await h.gql('alice-token', q, { id: aliceProject }));
      assert.match(err.message, /^pod not ready/);
    }
  });

  test('startCodeServer wakes it on the same PVC and returns it RUNNING', async () => {
    const start = await h.gql('alice-token', `mutation($id: String!) { startCodeServer(id: $id) { ${INSTANCE} } }`, { id: aliceProject });
    assert.equal(start.errors, undefined, JSON.stringify(start.errors));
    assert.equal(start.data.startCodeServer.status, 'RUNNING');
    const pods = await podsOf(aliceProject);
    assert.ok(pods[0].spec.volumes.some((v: any) => v.persistentVolumeClaim?.claimName === homeClaimName('alice')));
  });

  test('provisioning a stopped instance wakes it', async () => {
    await h.gql('alice-token', 'mutation($id: String!) { stopCodeServer(id: $id) }', { id: aliceProject });
    await waitForStatus('alice-token', aliceProject, 'STOPPED');
    const result = (await provision('alice-token', 'alice', 'project')).data.provisionCodeServer;
    assert.deepEqual([result.isNew, result.instance.status], [false, 'RUNNING']);
  });
});

describe('the repository init containers in the live Deployment (needs the Session controller to call withRepositoryClone)', () => {
  test('the Deployment has the fetch and checkout init containers, the credential only by secretKeyRef', async () => {
    const deployment = (await read(h.cluster.api, DeploymentKind, NS, `ss-${aliceProject}`))!;
    const pod = deployment.spec.template.spec;
    assert.deepEqual((pod.initContainers ?? []).map((c: any) => c.name), [FETCH_CONTAINER, CHECKOUT_CONTAINER]);
    const fetch = pod.initContainers[0];
    const token = fetch.env.find((e: any) => e.name === 'GIT_TOKEN');
    assert.deepEqual(token, { name: 'GIT_TOKEN', valueFrom: { secretKeyRef: { name: `${aliceProject}-git-credential`, key: 'token' } } });
    assert.equal(JSON.stringify(deployment).includes('alice-token'), false);
    const pods = await podsOf(aliceProject);
    const exits = pods[0].status.initContainerStatuses.map((s: any) => [s.name, s.state.terminated?.exitCode]);
    assert.deepEqual(exits, [[FETCH_CONTAINER, 0], [CHECKOUT_CONTAINER, 0]]);
  });

  test('a sync whose new pod cannot run its init containers reports "repository sync failed"', async () => {
    // The running pod pulled its image long ago; only the pod the sync starts pulls the Git image again.
    await rawRequest(h.cluster.cp, 'PUT', '/debug/simulation', { failImages: ['^registry\\.invalid/', '^alpine/git:'] });
    try {
      const err = errorOf(await h.gql('alice-token', 'mutation($id: String!) { syncRepository(id: $id) }', { id: aliceProject }));
      assert.match(err.message, /^repository sync failed: repository-fetch: /);
      assert.equal(await statusOf('alice-token', aliceProject), 'ERROR');
    } finally {
      await rawRequest(h.cluster.cp, 'PUT', '/debug/simulation', { failImages: ['^registry\\.invalid/'] });
    }
    await waitForStatus('alice-token', aliceProject, 'RUNNING');
  });
});

describe('deleteCodeServer', () => {
  test('only the owner or an admin may delete', async () => {
    assert.deepEqual(errorOf(await h.gql('bob-token', 'mutation($id: String!) { deleteCodeServer(id: $id) }', { id: aliceProject })).message, 'instance not found');
    assert.ok(await read(h.cluster.api, SessionKind, NS, aliceProject));
  });

  test('removes the Session, its Secret, Deployment, Service, Ingress, pods and the home PVC', async () => {
    const session = (await read<Session>(h.cluster.api, SessionKind, NS, aliceProject))!;
    const answer = await h.gql('alice-token', 'mutation($id: String!) { deleteCodeServer(id: $id) }', { id: aliceProject });
    assert.deepEqual(answer.data, { deleteCodeServer: true });
    const gone = async (kind: { apiVersion: string; kind: string }, name: string) => (await read(h.cluster.api, kind, NS, name)) === undefined;
    await eventually('everything of the instance gone', async () =>
      await gone(SessionKind, aliceProject) && await gone({ apiVersion: 'v1', kind: 'Secret' }, credentialSecretName(session))
      && await gone(DeploymentKind, `ss-${aliceProject}`) && await gone(ServiceKind, `ss-${aliceProject}`) && await gone(IngressKind, `ss-${aliceProject}`)
      && (await podsOf(aliceProject)).length === 0 && await gone(ClaimKind, homeClaimName('alice')), 15_000);
    assert.deepEqual((await h.gql('alice-token', '{ myCodeServers { id } }')).data.myCodeServers, []);
  });

  test('a user\'s home PVC stays while another of their sessions uses it, and goes with the last', async () => {
    const bob = (await h.gql('bob-token', '{ myCodeServers { id } }')).data.myCodeServers.map((i: any) => i.id);
    assert.equal(bob.length, 2);
    await h.gql('bob-token', 'mutation($id: String!) { deleteCodeServer(id: $id) }', { id: bob[0] });
    await eventually('the first instance gone', async () => (await read(h.cluster.api, SessionKind, NS, bob[0])) === undefined, 15_000);
    assert.ok(await read(h.cluster.api, ClaimKind, NS, homeClaimName('bob')), 'kept: the other instance still uses it');
    assert.equal(await statusOf('bob-token', bob[1]), 'RUNNING');
    await h.gql('admin-token', 'mutation($id: String!) { deleteCodeServer(id: $id) }', { id: bob[1] });
    await eventually('the home PVC gone with the last instance', async () => (await read(h.cluster.api, ClaimKind, NS, homeClaimName('bob'))) === undefined, 15_000);
  });
});

describe('metrics', () => {
  test('provision durations with the seed\'s buckets, instances by status', async () => {
    const text = await h.registry.metrics();
    // Every success lands in +Inf; which finer bucket depends on how busy the machine is.
    assert.match(text, /codeserver_provision_duration_seconds_bucket\{le="\+Inf",result="success"\} [1-9]/);
    for (const le of ['5', '10', '30', '60', '120', '300', '\\+Inf']) assert.match(text, new RegExp(`codeserver_provision_duration_seconds_bucket\\{le="${le}",result="success"\\}`));
    assert.match(text, /codeserver_provision_duration_seconds_count\{result="existing"\} [1-9]/);
    assert.match(text, /codeserver_provision_duration_seconds_count\{result="denied"\} [1-9]/);
    const countsIn = (metrics: string) => [...metrics.matchAll(/codeserver_instances_total\{status="([A-Z]+)"\} (\d+)/g)]
      .map((m) => [m[1], Number(m[2])] as const);
    assert.deepEqual(countsIn(text).map(([s]) => s), ['PENDING', 'STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'ERROR']);
    // The gauge is read from the cache at scrape time; an instance the earlier tests deleted may still
    // be leaving it, so the total is compared once the cache and the API agree.
    await eventually('instances by status to add up to the instances listed', async () => {
      const sessions = await listOf(h.cluster.api, SessionKind, NS, 'codeserver.streamspace.io/instance=true');
      return countsIn(await h.registry.metrics()).reduce((sum, [, n]) => sum + n, 0) === sessions.length;
    });
    assert.match(text, /# HELP codeserver_storage_used_bytes Storage used by user workspaces/);
  });
});
