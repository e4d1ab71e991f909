/**
 * The webhook dispatcher called directly (no API server in between), against a real HTTPS webhook
 * server: warnings collected for the client, matchConditions reported as not evaluated, v1beta1
 * reviews, patches on DELETE, and the namespace of a Namespace's own DELETE.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AdmissionAttributes } from '../../src/controlplane/admission/admission.ts';
import { WebhookAdmission } from '../../src/controlplane/admission/webhooks.ts';
import { StatusError } from '../../src/apimachinery/errors.ts';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { Registry } from '../../src/controlplane/registry/registry.ts';
import { objectKey, Store } from '../../src/controlplane/storage/store.ts';
import { allow, patchAnswer, startWebhookServer, type WebhookServer } from './admission-webhook-server.ts';

void describe('webhook dispatcher', () => {
  let wh: WebhookServer;
  let store: Store;
  let admission: WebhookAdmission;
  const logged: string[] = [];

  before(async () => {
    wh = await startWebhookServer();
    store = new Store();
    store.put('/namespaces', objectKey(undefined, 'ns1'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1', labels: { team: 'x' } } });
    admission = new WebhookAdmission({ store, registry: new Registry(store) }, { log: (m) => logged.push(m) });
  });
  after(async () => {
    admission.close();
    store.close();
    await wh.stop();
  });

  function configure(kind: 'Mutating' | 'Validating', name: string, webhooks: Record<string, unknown>[]): void {
    const resource = `admissionregistration.k8s.io/${kind.toLowerCase()}webhookconfigurations`;
    const config = { apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks };
    store.put(resource, objectKey(undefined, name), config);
  }

  function webhook(name: string, path: string, resources: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name, clientConfig: { url: wh.url(path), caBundle: wh.caBundle }, sideEffects: 'None', admissionReviewVersions: ['v1'],
      rules: [{ operations: ['*'], apiGroups: [''], apiVersions: ['v1'], resources }], ...extra,
    };
  }

  function attrs(plural: string, operation: AdmissionAttributes['operation'], object: KubeObject | null, oldObject: KubeObject | null = null): AdmissionAttributes {
    const registry = new Registry(store);
    const resource = registry.find('', 'v1', plural)!;
    const meta = (object ?? oldObject)!.metadata;
    return {
      resource, operation, subresource: '', name: meta.name!, namespace: meta.namespace ?? '', object, oldObject,
      user: { username: 'tester', groups: [] }, dryRun: false, options: {}, warnings: [],
    };
  }

  const configMap = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns1' }, data: {} });

  void it('adds webhook warnings to the request warnings once each', async () => {
    wh.handle('/warn-v', () => ({ response: { allowed: true, warnings: ['from validation', 'from validation', ''] } }));
    wh.handle('/warn-m', () => ({ response: { allowed: true, warnings: ['from mutation'] } }));
    configure('Validating', 'warn', [webhook('warn-v.example.com', '/warn-v', ['configmaps'])]);
    configure('Mutating', 'warn', [webhook('warn-m.example.com', '/warn-m', ['configmaps'])]);
    const a = attrs('configmaps', 'CREATE', configMap('w'));
    a.warnings!.push('unknown field "x"');
    await admission.mutate(a);
    await admission.validate(a);
    assert.deepEqual(a.warnings, ['unknown field "x"', 'from mutation', 'from validation']);
  });

  void it('calls a webhook with matchConditions as if they held, and says so once', async () => {
    wh.handle('/cel', allow);
    const conditions = { matchConditions: [{ name: 'never', expression: 'false' }] };
    configure('Validating', 'cel', [webhook('cel.example.com', '/cel', ['secrets'], conditions)]);
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns1' } };
    await admission.validate(attrs('secrets', 'CREATE', secret));
    await admission.validate(attrs('secrets', 'CREATE', secret));
    assert.equal(wh.on('/cel').length, 2);
    assert.equal(logged.filter((m) => m.includes('cel.example.com') && m.includes('matchConditions')).length, 1);
  });

  void it('sends admission.k8s.io/v1beta1 reviews to webhooks that list only v1beta1', async () => {
    wh.handle('/beta', () => ({ response: { allowed: true } }));
    configure('Validating', 'beta', [webhook('beta.example.com', '/beta', ['services'], { admissionReviewVersions: ['v1beta1'] })]);
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns1' } };
    await admission.validate(attrs('services', 'CREATE', svc));
    assert.equal(wh.on('/beta')[0].review.apiVersion, 'admission.k8s.io/v1beta1');
  });

  void it('refuses a patch on a DELETE, which has no object to patch', async () => {
    wh.handle('/del-patch', () => patchAnswer([{ op: 'add', path: '/metadata/labels', value: {} }]));
    configure('Mutating', 'del-patch', [webhook('del-patch.example.com', '/del-patch', ['endpoints'], { failurePolicy: 'Ignore' })]);
    const ep: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ep', namespace: 'ns1' } };
    const err = await admission.mutate(attrs('endpoints', 'DELETE', null, ep)).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 500);
    assert.equal(err.message, 'Internal error occurred: admission webhook "del-patch.example.com" attempted to modify the object, which is not supported for this operation');
  });

  void it('names a Namespace as its own namespace on DELETE and matches its stored labels', async () => {
    wh.handle('/ns-delete', allow);
    configure('Validating', 'ns-delete', [webhook('ns-delete.example.com', '/ns-delete', ['namespaces'], { namespaceSelector: { matchLabels: { team: 'x' } } })]);
    const ns = store.get('/namespaces', objectKey(undefined, 'ns1'))!;
    await admission.validate(attrs('namespaces', 'DELETE', null, ns));
    const [call] = wh.on('/ns-delete');
    assert.equal(call.review.request.namespace, 'ns1');
    assert.equal(call.review.request.name, 'ns1');
  });
});
