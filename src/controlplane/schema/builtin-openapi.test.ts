import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinSchemas, builtinSchemasFor, commonSchemas, findUnknownFields, modelNameFor, type BuiltinKind } from './builtin-openapi.ts';
import type { JSONSchemaProps } from './json-schema-props.ts';
import { refsIn } from './openapi-v3.ts';

const POD = 'io.k8s.api.core.v1.Pod';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function kind(group: string, version: string, k: string): BuiltinKind {
  const modelName = modelNameFor(group, version, k);
  assert.ok(modelName, `client-node has a model for ${group}/${version} ${k}`);
  return { group, version, kind: k, modelName };
}

const KINDS = [
  kind('', 'v1', 'Pod'), kind('', 'v1', 'Service'), kind('', 'v1', 'Event'), kind('apps', 'v1', 'Deployment'),
  kind('batch', 'v1', 'CronJob'), kind('networking.k8s.io', 'v1', 'Ingress'), kind('coordination.k8s.io', 'v1', 'Lease'),
  kind('policy', 'v1', 'PodDisruptionBudget'), kind('events.k8s.io', 'v1', 'Event'),
  kind('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration'), kind('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'),
];

describe('modelNameFor', () => {
  it('finds client-node model names, including group-prefixed ones', () => {
    assert.equal(modelNameFor('', 'v1', 'Pod'), 'V1Pod');
    assert.equal(modelNameFor('apps', 'v1', 'Deployment'), 'V1Deployment');
    assert.equal(modelNameFor('networking.k8s.io', 'v1', 'Ingress'), 'V1Ingress');
    assert.equal(modelNameFor('coordination.k8s.io', 'v1', 'Lease'), 'V1Lease');
    assert.equal(modelNameFor('policy', 'v1', 'PodDisruptionBudget'), 'V1PodDisruptionBudget');
    assert.equal(modelNameFor('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration'), 'V1MutatingWebhookConfiguration');
    assert.equal(modelNameFor('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'), 'V1CustomResourceDefinition');
    assert.equal(modelNameFor('', 'v1', 'Event'), 'CoreV1Event');
    assert.equal(modelNameFor('events.k8s.io', 'v1', 'Event'), 'EventsV1Event');
    assert.equal(modelNameFor('autoscaling', 'v2', 'HorizontalPodAutoscaler'), 'V2HorizontalPodAutoscaler');
    assert.equal(modelNameFor('', 'v1', 'NoSuchKind'), undefined);
  });
});

describe('builtinSchemas', () => {
  let schemas: Record<string, JSONSchemaProps>;
  before(async () => {
    schemas = await builtinSchemas(KINDS);
  });

  it('names top-level kinds by group, including the two Events', () => {
    for (const name of [
      POD, 'io.k8s.api.core.v1.Service', 'io.k8s.api.core.v1.Event', 'io.k8s.api.events.v1.Event', 'io.k8s.api.apps.v1.Deployment',
      'io.k8s.api.batch.v1.CronJob', 'io.k8s.api.networking.v1.Ingress', 'io.k8s.api.coordination.v1.Lease', 'io.k8s.api.policy.v1.PodDisruptionBudget',
      'io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration',
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    ]) assert.ok(schemas[name], name);
  });

  it('names nested models by the group rule: meta, shared core types, inherited group, prefixed names', () => {
    for (const name of [
      OBJECT_META, 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector', 'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Condition', 'io.k8s.api.core.v1.PodTemplateSpec', 'io.k8s.api.core.v1.Container',
      'io.k8s.api.core.v1.ObjectReference', 'io.k8s.api.core.v1.TypedLocalObjectReference', 'io.k8s.api.apps.v1.DeploymentSpec',
      'io.k8s.api.apps.v1.RollingUpdateDeployment', 'io.k8s.api.batch.v1.JobTemplateSpec', 'io.k8s.api.batch.v1.JobSpec',
      'io.k8s.api.networking.v1.IngressBackend', 'io.k8s.api.admissionregistration.v1.WebhookClientConfig',
      'io.k8s.api.admissionregistration.v1.RuleWithOperations', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps',
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookClientConfig', 'io.k8s.api.events.v1.EventSeries',
      'io.k8s.api.core.v1.EventSeries', 'io.k8s.api.core.v1.EventSource',
    ]) assert.ok(schemas[name], name);
    assert.equal(schemas['io.k8s.api.apps.v1.PodTemplateSpec'], undefined);
    assert.equal(schemas['io.k8s.api.apps.v1.ObjectMeta'], undefined);
  });

  it('marks only top-level kinds with x-kubernetes-group-version-kind', () => {
    assert.deepEqual(schemas[POD]['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
    assert.deepEqual(schemas['io.k8s.api.events.v1.Event']['x-kubernetes-group-version-kind'], [{ group: 'events.k8s.io', kind: 'Event', version: 'v1' }]);
    assert.equal(schemas['io.k8s.api.core.v1.PodSpec']['x-kubernetes-group-version-kind'], undefined);
  });

  it('describes kinds and fields from the JSDoc', () => {
    assert.match(schemas[POD].description!, /^Pod is a collection of containers/);
    const apiVersion = schemas[POD].properties!.apiVersion;
    assert.equal(apiVersion.type, 'string');
    assert.match(apiVersion.description!, /^APIVersion defines the versioned schema/);
    const args = schemas['io.k8s.api.core.v1.Container'].properties!.args;
    assert.match(args.description!, /The container image's CMD is used/, 'escaped quotes are unescaped');
  });

  it('references nested models, wrapping described references in allOf', () => {
    const containers = schemas['io.k8s.api.core.v1.PodSpec'].properties!.containers;
    assert.equal(containers.type, 'array');
    assert.deepEqual(containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
    assert.match(containers.description!, /List of containers belonging to the pod/);
    const metadata = schemas[POD].properties!.metadata;
    assert.deepEqual(metadata.allOf, [{ $ref: `#/components/schemas/${OBJECT_META}` }]);
    assert.equal(metadata.$ref, undefined);
    assert.match(metadata.description!, /^Standard object's metadata/);
    assert.match(schemas[POD].properties!.spec.description!, /desired behavior of the Pod/);
    const strategy = schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties!.strategy;
    assert.deepEqual(strategy, { $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }, 'other undescribed references stay bare');
  });

  it('marks required fields', () => {
    assert.ok(schemas['io.k8s.api.core.v1.Container'].required!.includes('name'));
    assert.deepEqual(schemas['io.k8s.api.core.v1.PodSpec'].required, ['containers']);
    assert.equal(schemas[POD].required, undefined);
  });

  it('maps scalar types: integers with formats, times, bytes, maps, free-form values', () => {
    const port = schemas['io.k8s.api.core.v1.ContainerPort'].properties!;
    assert.equal(port.containerPort.type, 'integer');
    assert.equal(port.containerPort.format, 'int32');
    const meta = schemas[OBJECT_META].properties!;
    assert.equal(meta.creationTimestamp.type, 'string');
    assert.equal(meta.creationTimestamp.format, 'date-time');
    assert.deepEqual(meta.labels.additionalProperties, { type: 'string' });
    assert.equal(meta.labels.type, 'object');
    assert.equal(schemas['io.k8s.api.core.v1.Event'].properties!.eventTime.format, 'date-time');
    const hook = schemas['io.k8s.api.admissionregistration.v1.WebhookClientConfig'].properties!;
    assert.equal(hook.caBundle.format, 'byte');
    const props = schemas['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps'].properties!;
    assert.equal(props.default['x-kubernetes-preserve-unknown-fields'], true);
    assert.ok(props['x-kubernetes-int-or-string'], 'JSON names such as x-kubernetes-* are kept');
    assert.ok(props.$ref);
  });

  it('types IntOrString and Quantity as int-or-string components', () => {
    const targetPort = schemas['io.k8s.api.core.v1.ServicePort'].properties!.targetPort;
    assert.deepEqual(targetPort.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
    assert.equal(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['x-kubernetes-int-or-string'], true);
    const limits = schemas['io.k8s.api.core.v1.ResourceRequirements'].properties!.limits;
    assert.deepEqual(limits.additionalProperties, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' });
    assert.equal(schemas['io.k8s.apimachinery.pkg.api.resource.Quantity']['x-kubernetes-int-or-string'], true);
  });

  it('includes every schema it references', () => {
    for (const [name, schema] of Object.entries(schemas)) {
      for (const ref of refsIn(schema)) assert.ok(schemas[ref], `${name} references missing ${ref}`);
    }
  });

  it('loads only what the requested kinds reach', async () => {
    const lease = await builtinSchemas([kind('coordination.k8s.io', 'v1', 'Lease')]);
    assert.deepEqual(Object.keys(lease).sort(), [
      'io.k8s.api.coordination.v1.Lease', 'io.k8s.api.coordination.v1.LeaseSpec', OBJECT_META,
      'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry', 'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
    ].sort());
  });

  it('caches results per set of kinds', async () => {
    assert.equal(await builtinSchemas(KINDS), schemas);
    assert.equal(await builtinSchemasFor([{ group: '', version: 'v1', kind: 'Pod' }]), await builtinSchemasFor([{ group: '', version: 'v1', kind: 'Pod' }]));
  });

  it('provides the apimachinery schemas documents refer to', async () => {
    const common = await commonSchemas();
    for (const name of ['Status', 'StatusDetails', 'DeleteOptions', 'Preconditions', 'ListMeta', 'ObjectMeta']) {
      assert.ok(common[`io.k8s.apimachinery.pkg.apis.meta.v1.${name}`], name);
    }
  });
});

describe('findUnknownFields', () => {
  let schemas: Record<string, JSONSchemaProps>;
  before(async () => {
    schemas = await builtinSchemas(KINDS);
  });

  it('reports nothing for a valid pod', () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'x' }, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'n', uid: 'u' }] },
      spec: {
        containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], resources: { limits: { cpu: 1, memory: '1Gi' } } }],
        nodeSelector: { a: 'b' },
      },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    assert.deepEqual(findUnknownFields(pod, POD, schemas), []);
  });

  it('reports unknown fields with dotted and indexed paths, metadata included', () => {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', nmae: 'typo' },
      spec: { foo: 1, containers: [{ name: 'a' }, { name: 'b', imagePullPolcy: 'Always', securityContext: { privilegd: true } }] },
    };
    assert.deepEqual(findUnknownFields(pod, POD, schemas), [
      'metadata.nmae', 'spec.foo', 'spec.containers[1].imagePullPolcy', 'spec.containers[1].securityContext.privilegd',
    ]);
  });

  it('follows references through other groups (Deployment → PodTemplateSpec)', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
      spec: { selector: { matchLabels: { a: 'b' }, bogus: 1 }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', x: 1 }] } } },
    };
    assert.deepEqual(findUnknownFields(deployment, 'io.k8s.api.apps.v1.Deployment', schemas), [
      'spec.selector.bogus', 'spec.template.spec.containers[0].x',
    ]);
  });

  it('does not look into free-form fields', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced',
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', default: { anything: 1 } } } } },
        }],
      },
    };
    assert.deepEqual(findUnknownFields(crd, 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition', schemas), []);
  });

  it('throws for an unknown root schema', () => {
    assert.throws(() => findUnknownFields({}, 'io.k8s.api.core.v1.Nope', schemas), /no schema named/);
  });
});
