import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { builtinSchemasFor, commonSchemas } from './builtin-openapi.ts';
import { crdComponentSchema, crdSchemaName, reversedGroup } from './crd-openapi.ts';
import type { JSONSchemaProps } from './json-schema-props.ts';
import {
  groupIdentifier, groupVersionDocument, groupVersionPath, openApiHash, openApiRoot, refsIn, type OpenApiDocument,
} from './openapi-v3.ts';

type Operation = {
  operationId: string;
  parameters: Array<{ name: string; in: string }>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': { group: string; version: string; kind: string };
  requestBody?: { content: Record<string, unknown> };
};

function op(doc: OpenApiDocument, path: string, method: string): Operation {
  const item = doc.paths[path];
  assert.ok(item, `path ${path} exists`);
  const operation = item[method] as Operation | undefined;
  assert.ok(operation, `${method} ${path} exists`);
  return operation;
}

/** Every `$ref` in the document (paths included) names a component of the same document. */
function assertRefsResolve(doc: OpenApiDocument): void {
  for (const ref of refsIn(doc)) assert.ok(doc.components.schemas[ref], `unresolved $ref ${ref}`);
}

/** kubectl's check (cli-runtime queryParamVerifierV3): the first PATCH for the GVK must list the query parameter. */
function supportsFieldValidation(doc: OpenApiDocument, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values(doc.paths)) {
    const patch = item.patch as Operation | undefined;
    const g = patch?.['x-kubernetes-group-version-kind'];
    if (!patch || !g || g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    return patch.parameters.some((p) => p.name === 'fieldValidation' && p.in === 'query');
  }
  return false;
}

/** kubectl explain's lookup: the component whose x-kubernetes-group-version-kind list contains the operation's GVK. */
function explainSchema(doc: OpenApiDocument, gvk: object): JSONSchemaProps | undefined {
  return Object.values(doc.components.schemas).find((s) => (s['x-kubernetes-group-version-kind'] ?? []).some((g) => isDeepStrictEqual(g, gvk)));
}

const widgetSchema: JSONSchemaProps = {
  type: 'object',
  description: 'Widget is a test kind.',
  properties: {
    metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
    spec: {
      type: 'object',
      description: 'Desired state.',
      required: ['size'],
      properties: {
        size: { type: 'integer', maximum: 10, description: 'How big.' },
        ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
};

describe('openApiRoot', () => {
  it('lists each group-version with a hash-pinned server-relative URL', () => {
    const root = openApiRoot(['v1', 'apps/v1', 'example.com/v1'], (gv) => `H-${gv.replace('/', '_')}`);
    assert.deepEqual(root, {
      paths: {
        'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=H-v1' },
        'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=H-apps_v1' },
        'apis/example.com/v1': { serverRelativeURL: '/openapi/v3/apis/example.com/v1?hash=H-example.com_v1' },
      },
    });
  });

  it('maps group-versions to document paths', () => {
    assert.equal(groupVersionPath('v1'), 'api/v1');
    assert.equal(groupVersionPath('apps/v1'), 'apis/apps/v1');
    assert.equal(groupVersionPath('apis/apps/v1'), 'apis/apps/v1');
  });

  it('hashes documents as uppercase SHA-512 hex that changes with content', () => {
    const a = openApiHash({ a: 1 });
    assert.match(a, /^[0-9A-F]{128}$/);
    assert.equal(openApiHash({ a: 1 }), a);
    assert.notEqual(openApiHash({ a: 2 }), a);
  });
});

describe('groupVersionDocument: built-in kinds', () => {
  let pool: Record<string, JSONSchemaProps>;
  let core: OpenApiDocument;
  let apps: OpenApiDocument;
  before(async () => {
    pool = {
      ...await builtinSchemasFor([
        { group: '', version: 'v1', kind: 'Pod' }, { group: '', version: 'v1', kind: 'PodList' }, { group: '', version: 'v1', kind: 'Namespace' },
        { group: 'apps', version: 'v1', kind: 'Deployment' },
      ]),
      ...await commonSchemas(),
    };
    core = groupVersionDocument({
      group: '', version: 'v1', schemas: pool,
      resources: [
        { kind: 'Pod', plural: 'pods', namespaced: true, subresources: { status: true } },
        { kind: 'Namespace', plural: 'namespaces', namespaced: false, verbs: ['get', 'list', 'create', 'delete'] },
      ],
    });
    apps = groupVersionDocument({
      group: 'apps', version: 'v1', schemas: pool,
      resources: [{ kind: 'Deployment', plural: 'deployments', namespaced: true, subresources: { status: true, scale: {} } }],
    });
  });

  it('is an OpenAPI 3.0.0 document', () => {
    assert.equal(core.openapi, '3.0.0');
    assert.equal(typeof core.info.title, 'string');
    assert.equal(typeof core.info.version, 'string');
  });

  it('has the namespaced collection, item, status and all-namespaces paths', () => {
    assert.deepEqual(Object.keys(core.paths).filter((p) => p.includes('pods')).sort(), [
      '/api/v1/namespaces/{namespace}/pods', '/api/v1/namespaces/{namespace}/pods/{name}',
      '/api/v1/namespaces/{namespace}/pods/{name}/status', '/api/v1/pods',
    ]);
    assert.equal(op(core, '/api/v1/namespaces/{namespace}/pods', 'get').operationId, 'listCoreV1NamespacedPod');
    assert.equal(op(core, '/api/v1/namespaces/{namespace}/pods', 'post').operationId, 'createCoreV1NamespacedPod');
    assert.equal(op(core, '/api/v1/namespaces/{namespace}/pods', 'delete')['x-kubernetes-action'], 'deletecollection');
    assert.equal(op(core, '/api/v1/namespaces/{namespace}/pods/{name}', 'get').operationId, 'readCoreV1NamespacedPod');
    assert.equal(op(core, '/api/v1/namespaces/{namespace}/pods/{name}', 'put').operationId, 'replaceCoreV1NamespacedPod');
    assert.equal(op(core, '/api/v1/namespaces/{namespace}/pods/{name}/status', 'patch').operationId, 'patchCoreV1NamespacedPodStatus');
    assert.equal(op(core, '/api/v1/pods', 'get').operationId, 'listCoreV1PodForAllNamespaces');
    const itemParams = (core.paths['/api/v1/namespaces/{namespace}/pods/{name}'].parameters as Array<{ name: string; in: string }>);
    assert.deepEqual(itemParams.map((p) => `${p.in}:${p.name}`), ['path:name', 'path:namespace', 'query:pretty']);
  });

  it('has cluster-scoped paths limited to the served verbs', () => {
    assert.equal(op(core, '/api/v1/namespaces', 'get').operationId, 'listCoreV1Namespace');
    assert.equal(op(core, '/api/v1/namespaces/{name}', 'delete').operationId, 'deleteCoreV1Namespace');
    assert.equal(core.paths['/api/v1/namespaces/{name}'].patch, undefined);
    assert.equal(core.paths['/api/v1/namespaces/{name}'].put, undefined);
    assert.equal(core.paths['/api/v1/namespaces'].delete, undefined);
  });

  it('puts action, GVK and write parameters on the operations', () => {
    const patch = op(core, '/api/v1/namespaces/{namespace}/pods/{name}', 'patch');
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', kind: 'Pod', version: 'v1' });
    for (const method of ['post', 'put', 'patch']) {
      const path = method === 'post' ? '/api/v1/namespaces/{namespace}/pods' : '/api/v1/namespaces/{namespace}/pods/{name}';
      const names = op(core, path, method).parameters.filter((p) => p.in === 'query').map((p) => p.name);
      for (const required of ['dryRun', 'fieldManager', 'fieldValidation']) assert.ok(names.includes(required), `${method} has ${required}`);
    }
    assert.ok(op(core, '/api/v1/namespaces/{namespace}/pods/{name}', 'patch').parameters.some((p) => p.name === 'force'));
    assert.ok(Object.keys(patch.requestBody!.content).includes('application/strategic-merge-patch+json'));
    assert.ok(Object.keys(patch.requestBody!.content).includes('application/apply-patch+yaml'));
  });

  it('passes kubectl apply\'s fieldValidation support check', () => {
    assert.ok(supportsFieldValidation(core, { group: '', version: 'v1', kind: 'Pod' }));
    assert.ok(supportsFieldValidation(apps, { group: 'apps', version: 'v1', kind: 'Deployment' }));
  });

  it('contains the kind schemas, Pod with containers as an array of $ref Container', () => {
    const pod = core.components.schemas['io.k8s.api.core.v1.Pod'];
    assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
    const spec = core.components.schemas['io.k8s.api.core.v1.PodSpec'];
    assert.equal(spec.properties!.containers.type, 'array');
    assert.deepEqual(spec.properties!.containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
    assert.ok(core.components.schemas['io.k8s.api.core.v1.Container'].properties!.image);
    assert.ok(core.components.schemas['io.k8s.api.core.v1.PodList']);
    assert.equal(explainSchema(core, op(core, '/api/v1/namespaces/{namespace}/pods', 'get')['x-kubernetes-group-version-kind']), pod);
  });

  it('leaves out schemas of other group-versions that nothing references', () => {
    assert.equal(core.components.schemas['io.k8s.api.apps.v1.Deployment'], undefined);
    assert.ok(apps.components.schemas['io.k8s.api.core.v1.PodTemplateSpec'], 'referenced core schemas are included');
    assert.equal(apps.components.schemas['io.k8s.api.core.v1.Pod'], undefined);
  });

  it('marks a pool schema that lacks the kind\'s GVK without changing the pool', () => {
    const doc = groupVersionDocument({
      group: '', version: 'v1', schemas: pool, resources: [{ kind: 'ObjectMeta', plural: 'objectmetas', namespaced: false, schemaName: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
    });
    assert.deepEqual(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']['x-kubernetes-group-version-kind'], [
      { group: '', kind: 'ObjectMeta', version: 'v1' },
    ]);
    assert.equal(pool['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']['x-kubernetes-group-version-kind'], undefined);
  });

  it('generates the list schema when the pool has none', () => {
    const list = apps.components.schemas['io.k8s.api.apps.v1.DeploymentList'];
    assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'DeploymentList', version: 'v1' }]);
    assert.deepEqual(list.properties!.items.items, { $ref: '#/components/schemas/io.k8s.api.apps.v1.Deployment' });
  });

  it('serves the scale subresource as autoscaling/v1 Scale', () => {
    const scale = op(apps, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale', 'patch');
    assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
    assert.equal(scale.operationId, 'patchAppsV1NamespacedDeploymentScale');
    assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  });

  it('resolves every $ref inside the document', () => {
    assertRefsResolve(core);
    assertRefsResolve(apps);
  });

  it('sorts component names', () => {
    const names = Object.keys(core.components.schemas);
    assert.deepEqual(names, [...names].sort());
  });

  it('survives a JSON round trip unchanged', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(core)), core);
  });
});

describe('groupVersionDocument: custom resources', () => {
  let doc: OpenApiDocument;
  before(async () => {
    doc = groupVersionDocument({
      group: 'example.com', version: 'v1', schemas: await commonSchemas(),
      resources: [{ kind: 'Widget', plural: 'widgets', namespaced: true, custom: true, schema: widgetSchema, subresources: { status: true } }],
    });
  });

  it('names the schema after the reversed group', () => {
    assert.equal(reversedGroup('stream.streamspace.io'), 'io.streamspace.stream');
    assert.equal(crdSchemaName('example.com', 'v1', 'Widget'), 'com.example.v1.Widget');
    assert.ok(doc.components.schemas['com.example.v1.Widget']);
    assert.ok(doc.components.schemas['com.example.v1.WidgetList']);
  });

  it('builds the component from openAPIV3Schema with type meta, ObjectMeta and GVK', () => {
    const widget = doc.components.schemas['com.example.v1.Widget'];
    assert.deepEqual(widget['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
    assert.equal(widget.type, 'object');
    assert.equal(widget.description, 'Widget is a test kind.');
    assert.equal(widget.properties!.apiVersion.type, 'string');
    assert.equal(widget.properties!.kind.type, 'string');
    assert.deepEqual(widget.properties!.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    assert.deepEqual(widget.properties!.spec, widgetSchema.properties!.spec);
    assert.deepEqual(Object.keys(widget.properties!), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties!.name);
  });

  it('does not modify the CRD schema it converts', () => {
    const before = JSON.stringify(widgetSchema);
    const converted = crdComponentSchema('example.com', 'v1', 'Widget', widgetSchema);
    converted.properties!.spec.description = 'changed';
    assert.equal(JSON.stringify(widgetSchema), before);
  });

  it('gives a schema-less custom resource an open schema', () => {
    const open = crdComponentSchema('example.com', 'v1', 'Blob');
    assert.equal(open['x-kubernetes-preserve-unknown-fields'], true);
    assert.deepEqual(open['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Blob', version: 'v1' }]);
  });

  it('offers the CRD operations without strategic merge patch', () => {
    const patch = op(doc, '/apis/example.com/v1/namespaces/{namespace}/widgets/{name}', 'patch');
    assert.equal(patch.operationId, 'patchExampleComV1NamespacedWidget');
    assert.ok(!Object.keys(patch.requestBody!.content).includes('application/strategic-merge-patch+json'));
    assert.ok(supportsFieldValidation(doc, { group: 'example.com', version: 'v1', kind: 'Widget' }));
    assert.ok(doc.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/status'].put);
    assert.equal(explainSchema(doc, patch['x-kubernetes-group-version-kind']), doc.components.schemas['com.example.v1.Widget']);
  });

  it('resolves every $ref, even without a schema pool', () => {
    assertRefsResolve(doc);
    const bare = groupVersionDocument({ group: 'example.com', version: 'v1', resources: [{ kind: 'Widget', plural: 'widgets', namespaced: false, custom: true, schema: widgetSchema }] });
    assertRefsResolve(bare);
    assert.ok(bare.paths['/apis/example.com/v1/widgets/{name}']);
    assert.equal(bare.paths['/apis/example.com/v1/namespaces/{namespace}/widgets'], undefined);
  });

  it('spells group identifiers like kube operation ids', () => {
    assert.equal(groupIdentifier(''), 'Core');
    assert.equal(groupIdentifier('networking.k8s.io'), 'Networking');
    assert.equal(groupIdentifier('rbac.authorization.k8s.io'), 'RbacAuthorization');
    assert.equal(groupIdentifier('stream.streamspace.io'), 'StreamStreamspaceIo');
  });
});
