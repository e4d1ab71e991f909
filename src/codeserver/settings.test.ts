import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeServerSettingsFromEnv, DEFAULT_GIT_IMAGE } from './settings.ts';

test('the seed\'s variables set the settings; GITEA_SERVICE_URL defaults to GITEA_URL', () => {
  const s = codeServerSettingsFromEnv({
    GITEA_URL: 'http://gitea:3000/', GITEA_TOKEN: 't', CODESERVER_TIMEOUT: '120', CODESERVER_CPU: '250m', CODESERVER_MEMORY: '512Mi',
    PVC_SIZE: '5Gi', PVC_STORAGE_CLASS: 'fast', CODESERVER_NAMESPACE: 'devs',
  });
  assert.equal(s.giteaUrl, 'http://gitea:3000');
  assert.equal(s.giteaServiceUrl, 'http://gitea:3000');
  assert.equal(s.timeoutMs, 120_000);
  assert.deepEqual(s.resources.requests, { cpu: '250m', memory: '512Mi' });
  assert.deepEqual(s.home, { size: '5Gi', storageClassName: 'fast' });
  assert.equal(s.namespace, 'devs');
  assert.equal(s.gitImage, DEFAULT_GIT_IMAGE);
  assert.equal(s.accessCheck, 'service-token');
});

test('every problem is reported at once; the token is required only by the modes that use it', () => {
  assert.throws(() => codeServerSettingsFromEnv({ CODESERVER_TIMEOUT: 'soon', CODESERVER_CPU: 'lots', GITEA_SERVICE_URL: 'ftp://x' }), (err: Error) =>
    /CODESERVER_TIMEOUT/.test(err.message) && /CODESERVER_CPU/.test(err.message) && /GITEA_SERVICE_URL/.test(err.message)
    && /GITEA_URL is required/.test(err.message) && /GITEA_TOKEN is required/.test(err.message));
  const s = codeServerSettingsFromEnv({ GITEA_URL: 'https://git.example.com', CODESERVER_ACCESS_CHECK: 'caller-token', CODESERVER_CLONE_CREDENTIAL: 'caller-token' });
  assert.equal(s.giteaToken, undefined);
  assert.throws(() => codeServerSettingsFromEnv({ GITEA_URL: 'https://g', CODESERVER_ACCESS_CHECK: 'whatever' }), /must be one of caller-token, service-token/);
});
