import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coversDesired, DEFAULT_WEBHOOK_SERVICE, webhookInstallObjects } from './install-objects.ts';

test('coversDesired: defaulted fields are not drift; changed, missing and extra list entries are', () => {
  const desired = { webhooks: [{ name: 'a', clientConfig: { service: { name: 's', port: 443 } }, rules: [{ operations: ['CREATE'] }] }] };
  const defaulted = { webhooks: [{ name: 'a', clientConfig: { service: { name: 's', port: 443 } }, rules: [{ operations: ['CREATE'], scope: '*' }], namespaceSelector: {} }] };
  assert.equal(coversDesired(defaulted, desired), true);
  const moved = { webhooks: [{ name: 'a', clientConfig: { url: 'https://127.0.0.1:1/x' }, rules: [{ operations: ['CREATE'] }] }] };
  assert.equal(coversDesired(moved, desired), false);
  assert.equal(coversDesired({ webhooks: [...defaulted.webhooks, defaulted.webhooks[0]] }, desired), false);
  assert.equal(coversDesired({ webhooks: [{ ...defaulted.webhooks[0], rules: [{ operations: ['CREATE', 'UPDATE'] }] }] }, desired), false);
  assert.equal(coversDesired(undefined, desired), false);
});

test('webhookInstallObjects: a Service selecting the pods, and configurations pointing at it with the caBundle', () => {
  const [service, mutating, validating] = webhookInstallObjects({
    service: DEFAULT_WEBHOOK_SERVICE, selector: { app: 'streamspace-controller' }, caBundlePem: 'PEM',
  });
  assert.deepEqual(service.spec, {
    type: 'ClusterIP', selector: { app: 'streamspace-controller' }, ports: [{ name: 'https', port: 443, targetPort: 9443, protocol: 'TCP' }],
  });
  for (const config of [mutating, validating]) {
    for (const hook of config.webhooks) {
      assert.deepEqual({ ...hook.clientConfig.service, path: undefined }, { namespace: 'streamspace', name: 'streamspace-webhooks', port: 443, path: undefined });
      assert.equal(hook.clientConfig.caBundle, Buffer.from('PEM').toString('base64'));
      assert.equal(hook.failurePolicy, 'Fail');
    }
  }
});
