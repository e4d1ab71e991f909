import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../../apis/stream/v1alpha1/session.ts';
import { CLONE_SCRIPT } from './clone-script.ts';
import { repositoryCredentialSecret } from '../../../codeserver/credential-secret.ts';
import { CHECKOUT_CONTAINER, cloneUrlOf, FETCH_CONTAINER, repositoryInitContainer, repositoryPath, SCRATCH_VOLUME, withRepositoryClone } from './init-container.ts';
import { DEFAULT_GIT_IMAGE } from '../../../codeserver/settings.ts';

function session(repository: Session['spec']['repository'], extra: Partial<Session['spec']> = {}): Session {
  return {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session',
    metadata: { name: 'code-server-alice-project-0123456789', namespace: 'devs', uid: 'uid-1' },
    spec: { user: 'alice', template: 'code-server', repository, ...extra },
  };
}

const SETTINGS = { homeVolume: 'user-home', homeMountPath: '/home/coder' };

function envOf(container: any): Record<string, unknown> {
  return Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
}

test('no repository, no init containers', () => {
  assert.equal(repositoryInitContainer(session(undefined), SETTINGS), undefined);
  const podSpec = { containers: [{ name: 'session' }] };
  assert.equal(withRepositoryClone(podSpec, session(undefined), { ...SETTINGS, sessionContainer: 'session' }), podSpec);
});

test('fetch holds the credential (by secretKeyRef) and no home; checkout holds the home and no credential', () => {
  const s = session({ owner: 'alice', name: 'project', cloneURL: 'https://git.example.com/alice/project.git', ref: 'main' });
  const built = repositoryInitContainer(s, SETTINGS)!;
  const [fetch, checkout] = built.initContainers as any[];
  assert.deepEqual([fetch.name, checkout.name], [FETCH_CONTAINER, CHECKOUT_CONTAINER]);
  assert.equal(built.secretName, repositoryCredentialSecret(s, 'x').metadata.name);
  for (const c of [fetch, checkout]) {
    assert.equal(c.image, DEFAULT_GIT_IMAGE);
    assert.deepEqual(c.command, ['/bin/sh', '-c', CLONE_SCRIPT, 'clone-repository']);
    assert.deepEqual([c.securityContext.runAsNonRoot, c.securityContext.allowPrivilegeEscalation, c.securityContext.capabilities.drop], [true, false, ['ALL']]);
  }
  assert.deepEqual([fetch.args, checkout.args], [['fetch'], ['checkout']]);
  const fetchEnv = envOf(fetch);
  assert.deepEqual(fetchEnv.GIT_TOKEN, { secretKeyRef: { name: built.secretName, key: 'token' } });
  assert.deepEqual(fetchEnv.GIT_USERNAME, { secretKeyRef: { name: built.secretName, key: 'username' } });
  assert.deepEqual(fetch.volumeMounts, [{ name: SCRATCH_VOLUME, mountPath: '/repository-scratch' }], 'fetch never sees the user\'s files');
  const checkoutEnv = envOf(checkout);
  assert.equal('GIT_TOKEN' in checkoutEnv || 'GIT_USERNAME' in checkoutEnv, false, 'checkout runs user-controlled Git config, so it gets no credential');
  assert.deepEqual(checkout.volumeMounts, [{ name: 'user-home', mountPath: '/home/coder' }, { name: SCRATCH_VOLUME, mountPath: '/repository-scratch', readOnly: true }]);
  const { REPO_OWNER, REPO_NAME, CLONE_URL, GIT_REF, WORKSPACE_ROOT, HOME_DIR } = checkoutEnv;
  assert.deepEqual([REPO_OWNER, REPO_NAME, CLONE_URL, GIT_REF, WORKSPACE_ROOT, HOME_DIR],
    ['alice', 'project', 'https://git.example.com/alice/project.git', 'main', '/home/coder/workspace', '/home/coder']);
  assert.equal(checkout.terminationMessagePolicy, 'FallbackToLogsOnError');
  assert.deepEqual(built.volumes, [{ name: SCRATCH_VOLUME, emptyDir: {} }]);
  assert.deepEqual(built.sessionVolumeMounts, []);
  assert.equal(repositoryPath('/home/coder', 'alice', 'project'), '/home/coder/workspace/alice/project');
});

test('the token appears nowhere in the pod spec; the Secret is owned by the session', () => {
  const s = session({ owner: 'alice', name: 'project', cloneURL: 'https://git.example.com/alice/project.git' });
  const token = 'tok-3c5d7e9f';
  const secret = repositoryCredentialSecret(s, token);
  assert.equal(Buffer.from(secret.data.token, 'base64').toString(), token);
  assert.deepEqual(secret.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid]), [['Session', s.metadata.name, 'uid-1']]);
  const spec = withRepositoryClone({ containers: [{ name: 'session' }] }, s, { ...SETTINGS, sessionContainer: 'session' });
  assert.equal(JSON.stringify(spec).includes(token), false);
  assert.equal(JSON.stringify(spec).includes(Buffer.from(token).toString('base64')), false);
});

test('the clone URL defaults to the Git server\'s URL for owner/name', () => {
  const s = session({ owner: 'my-org', name: 'app.v2' });
  assert.equal(cloneUrlOf(s, 'https://git.example.com/'), 'https://git.example.com/my-org/app.v2.git');
  assert.equal(cloneUrlOf(s, undefined), '', 'no URL at all: the script refuses to run, clearly');
});

test('withRepositoryClone appends to what the pod spec has; a non-persistent home becomes a shared emptyDir', () => {
  const s = session({ owner: 'a', name: 'b', cloneURL: 'https://g/a/b.git' }, { persistentHome: false });
  const spec = withRepositoryClone(
    { containers: [{ name: 'session', volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] }, { name: 'sidecar' }], volumes: [{ name: 'tmp', emptyDir: {} }] },
    s, { ...SETTINGS, sessionContainer: 'session' },
  );
  assert.deepEqual(spec.volumes!.map((v: any) => v.name), ['tmp', SCRATCH_VOLUME, 'user-home']);
  assert.deepEqual(spec.containers[0].volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }, { name: 'user-home', mountPath: '/home/coder' }]);
  assert.equal(spec.containers[1].volumeMounts, undefined);
  assert.deepEqual(spec.initContainers!.map((c: any) => c.name), [FETCH_CONTAINER, CHECKOUT_CONTAINER]);
});

test('the builder is pure: equal inputs give equal output', () => {
  const s = session({ owner: 'alice', name: 'project', cloneURL: 'https://g/alice/project.git' });
  assert.deepEqual(repositoryInitContainer(s, SETTINGS), repositoryInitContainer(structuredClone(s), { ...SETTINGS }));
});
