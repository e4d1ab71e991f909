import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { formatBytes, instanceId, instanceSession, isInstance, latestCloneReport, toInstance } from './instance.ts';
import { usedBytesByUser } from './metrics.ts';
import { defaultCodeServerSettings } from './settings.ts';

test('instance ids: one per user and repository, DNS labels, look-alikes kept apart', () => {
  const id = instanceId('john.doe', 'devteam', 'backend-api');
  assert.match(id, /^code-server-john-doe-backend-api-[0-9a-f]{10}$/);
  assert.equal(id, instanceId('john.doe', 'devteam', 'backend-api'));
  assert.notEqual(id, instanceId('john-doe', 'devteam', 'backend-api'));
  assert.notEqual(id, instanceId('john.doe', 'other', 'backend-api'));
  const long = instanceId('u'.repeat(200), 'o', 'r'.repeat(100));
  assert.ok(long.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(long), long);
});

test('the Session a provision creates', () => {
  const settings = { ...defaultCodeServerSettings(), namespace: 'devs', idleTimeout: '30m' };
  const s = instanceSession(settings, 'alice', { owner: 'alice', name: 'project', cloneURL: 'https://g/alice/project.git' });
  assert.deepEqual(s.spec, {
    user: 'alice', template: 'code-server', state: 'running', persistentHome: true, idleTimeout: '30m',
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    repository: { owner: 'alice', name: 'project', cloneURL: 'https://g/alice/project.git' },
  });
  assert.equal(s.metadata.namespace, 'devs');
  assert.ok(isInstance(s));
  assert.equal(isInstance({ ...s, metadata: { ...s.metadata, labels: {} } }), false, 'a session the service did not create is not an instance');
});

function podWithReport(message: string, finishedAt: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    status: { initContainerStatuses: [{ name: 'repository-checkout', state: { terminated: { exitCode: 0, message, finishedAt } } }] },
  };
}

test('storage used comes from the newest clone report; per user the largest measure counts once', () => {
  const older = podWithReport('{"action":"cloned","commit":"ab12","usedBytes":1024,"message":""}', '2026-01-01T00:00:00Z');
  const newer = podWithReport('{"action":"pulled","commit":"cd34","usedBytes":1572864,"message":""}', '2026-01-02T00:00:00Z');
  assert.deepEqual(latestCloneReport([older, newer]), { action: 'pulled', commit: 'cd34', usedBytes: 1572864 });
  assert.equal(latestCloneReport([podWithReport('Error: not json', '2026-01-03T00:00:00Z')]), undefined);
  const s: Session = {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: 'x', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { user: 'alice', template: 't', repository: { owner: 'alice', name: 'project' } }, status: { phase: 'Running', url: 'http://x/' },
  };
  const instance = toInstance(s, [newer]);
  assert.deepEqual([instance.storageUsed, instance.url, instance.lastAccessedAt], ['1.5 MiB', 'http://x/', null]);
  assert.deepEqual(formatBytes(512), '512 B');
  assert.deepEqual([...usedBytesByUser([
    { status: 'RUNNING', user: 'a', usedBytes: 10 }, { status: 'STOPPED', user: 'a', usedBytes: 30 }, { status: 'RUNNING', user: 'b' },
  ])], [['a', 30]]);
});
