import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { packageForGroup, packageOf, parseModelName, schemaNameForKind, schemaNameForModel } from './kube-schema-names.ts';

describe('kube schema names', () => {
  it('splits client-node model names', () => {
    assert.deepEqual(parseModelName('V1Pod'), { prefix: undefined, version: 'v1', type: 'Pod' });
    assert.deepEqual(parseModelName('CoreV1Event'), { prefix: 'Core', version: 'v1', type: 'Event' });
    assert.deepEqual(parseModelName('V1beta1ResourceClaim'), { prefix: undefined, version: 'v1beta1', type: 'ResourceClaim' });
    assert.equal(parseModelName('IntOrString'), undefined);
  });

  it('maps API groups to OpenAPI packages', () => {
    assert.equal(packageForGroup(''), 'io.k8s.api.core');
    assert.equal(packageForGroup('apps'), 'io.k8s.api.apps');
    assert.equal(packageForGroup('networking.k8s.io'), 'io.k8s.api.networking');
    assert.equal(packageForGroup('rbac.authorization.k8s.io'), 'io.k8s.api.rbac');
    assert.equal(packageForGroup('apiextensions.k8s.io'), 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions');
    assert.equal(packageForGroup('apiregistration.k8s.io'), 'io.k8s.kube-aggregator.pkg.apis.apiregistration');
    assert.equal(packageForGroup('internal.apiserver.k8s.io'), 'io.k8s.api.apiserverinternal');
    assert.equal(packageOf('io.k8s.api.apps.v1.Deployment'), 'io.k8s.api.apps');
  });

  it('names kinds and nested models', () => {
    assert.equal(schemaNameForKind('apps', 'v1', 'Deployment'), 'io.k8s.api.apps.v1.Deployment');
    assert.equal(schemaNameForModel('V1ObjectMeta', 'io.k8s.api.apps'), 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    assert.equal(schemaNameForModel('V1PodTemplateSpec', 'io.k8s.api.apps'), 'io.k8s.api.core.v1.PodTemplateSpec');
    assert.equal(schemaNameForModel('V1DeploymentSpec', 'io.k8s.api.apps'), 'io.k8s.api.apps.v1.DeploymentSpec');
    assert.equal(schemaNameForModel('EventsV1EventSeries', 'io.k8s.api.core'), 'io.k8s.api.events.v1.EventSeries');
    assert.equal(schemaNameForModel('ApiextensionsV1WebhookClientConfig', 'io.k8s.api.core'),
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookClientConfig');
    assert.equal(schemaNameForModel('V2MetricSpec', 'io.k8s.api.autoscaling'), 'io.k8s.api.autoscaling.v2.MetricSpec');
    assert.throws(() => schemaNameForModel('string', 'io.k8s.api.core'));
  });
});
