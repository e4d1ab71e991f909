/**
 * The embedded control plane driven by the real `kubectl`, each test with its own HOME (kubectl
 * caches discovery there). Covers what platform teams do by hand: api-resources, apply with
 * default validation, printer columns, watches, every patch type, scale, rollout status,
 * finalizers, wait, drain with a PodDisruptionBudget, logs and explain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { kubectlFor, type Kubectl } from '../support/kubectl.ts';

const WIDGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget, shortNames: [gd], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Phase, type: string, jsonPath: .status.phase}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    schema:
      openAPIV3Schema:
        type: object
        description: A Gadget is a test resource.
        properties:
          spec:
            type: object
            description: Spec of the gadget.
            properties:
              size: {type: integer, minimum: 1, description: How big the gadget is.}
              color: {type: string, default: red, description: Its colour.}
          status:
            type: object
            properties:
              phase: {type: string}
              conditions:
                type: array
                items:
                  type: object
                  properties:
                    type: {type: string}
                    status: {type: string}
`;

const DEPLOYMENT = (name: string, replicas: number, image = 'nginx:1.27') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: kt}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: ${image}
        ports: [{containerPort: 80}]
`;

void describe('kubectl against the embedded control plane', () => {
  let c: TestCluster;
  let n = 0;
  const kubectl = (): Kubectl => kubectlFor(c.kubeconfigPath, c.tmp, `home-${n++}`);
  before(async () => {
    c = await startTestCluster();
    await kubectl().ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata: {name: kt}\n');
  });
  after(() => c.stop());

  void it('lists api-resources with short names and subresource-free names', async () => {
    const out = await kubectl().ok(['api-resources', '-o', 'wide']);
    const expected = [
      /^pods\s+po\s+v1\s+true\s+Pod/m, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/m,
      /^customresourcedefinitions\s+crd,crds\s+apiextensions.k8s.io\/v1\s+false/m, /^leases\s+coordination.k8s.io\/v1\s+true\s+Lease/m,
    ];
    for (const line of expected) {
      assert.match(out, line);
    }
  });

  void it('applies a CRD and a custom resource with default validation, and shows printer columns', async () => {
    const k = kubectl();
    await k.ok(['apply', '-f', '-'], WIDGET_CRD);
    await k.ok(['wait', '--for=condition=established', '--timeout=10s', 'crd/gadgets.example.com']);
    await k.ok(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: kt}\nspec: {size: 3}\n');
    const table = await k.ok(['get', 'gd', '-n', 'kt']);
    assert.match(table, /^NAME\s+SIZE\s+PHASE\s+AGE$/m);
    assert.match(table, /^g1\s+3\s+\d+s$/m, 'a missing status.phase prints as an empty cell, as for a real CRD');
    const json = JSON.parse(await k.ok(['get', 'gadget', 'g1', '-n', 'kt', '-o', 'json']));
    assert.equal(json.spec.color, 'red');
    const bad = await k.run(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g2, namespace: kt}\nspec: {size: 3, sise: 4}\n');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown field "spec.sise"/);
    const invalid = await k.run(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g3, namespace: kt}\nspec: {size: 0}\n');
    assert.match(invalid.stderr, /spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1/);
    // Re-applying a changed manifest patches it (merge patch for custom resources).
    await k.ok(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: kt}\nspec: {size: 5}\n');
    assert.equal(JSON.parse(await k.ok(['get', 'gd', 'g1', '-n', 'kt', '-o', 'json'])).spec.size, 5);
  });

  void it('applies server-side, tracks field managers and reports conflicts', async () => {
    const k = kubectl();
    const manifest = (size: number) => `apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: ssa, namespace: kt}\nspec: {size: ${size}}\n`;
    await k.ok(['apply', '--server-side', '--field-manager=alice', '-f', '-'], manifest(2));
    const conflict = await k.run(['apply', '--server-side', '--field-manager=bob', '-f', '-'], manifest(4));
    assert.notEqual(conflict.code, 0);
    assert.match(conflict.stderr, /conflict with "alice"/);
    assert.match(conflict.stderr, /\.spec\.size/);
    await k.ok(['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', '-'], manifest(4));
    const obj = JSON.parse(await k.ok(['get', 'gadget', 'ssa', '-n', 'kt', '-o', 'json', '--show-managed-fields']));
    assert.equal(obj.spec.size, 4);
    const managers = obj.metadata.managedFields.map((m: any) => m.manager);
    assert.ok(managers.includes('bob'), `managers: ${managers}`);
  });

  void it('streams changes to get -w', async () => {
    const k = kubectl();
    await k.ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: existing, namespace: kt}\n');
    const watch = k.start(['get', 'configmaps', '-n', 'kt', '-w', '--output-watch-events']);
    let out = '';
    watch.stdout!.on('data', (d) => (out += String(d)));
    try {
      await eventually('initial list printed', () => /ADDED\s+existing/.test(out));
      await k.ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched, namespace: kt}\ndata: {a: b}\n');
      await eventually('ADDED seen', () => /ADDED\s+watched/.test(out));
      await k.ok(['delete', 'configmap', 'watched', '-n', 'kt']);
      await eventually('DELETED seen', () => /DELETED\s+watched/.test(out));
    } finally {
      watch.kill();
    }
  });

  void it('patches with --type merge, json and strategic', async () => {
    const k = kubectl();
    await k.ok(['apply', '-f', '-'], DEPLOYMENT('patchy', 1));
    await k.ok(['patch', 'deployment', 'patchy', '-n', 'kt', '--type', 'merge', '-p', '{"metadata":{"labels":{"tier":"web"}}}']);
    await k.ok(['patch', 'deployment', 'patchy', '-n', 'kt', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/replicas","value":2}]']);
    await k.ok(['patch', 'deployment', 'patchy', '-n', 'kt', '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"main","env":[{"name":"MODE","value":"x"}]}]}}}}']);
    const d = JSON.parse(await k.ok(['get', 'deploy', 'patchy', '-n', 'kt', '-o', 'json']));
    assert.equal(d.metadata.labels.tier, 'web');
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27', 'strategic merge kept the image');
    assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'MODE', value: 'x' }]);
  });

  void it('scales a deployment and waits for the rollout', async () => {
    const k = kubectl();
    await k.ok(['apply', '-f', '-'], DEPLOYMENT('web', 1));
    await k.ok(['rollout', 'status', 'deployment/web', '-n', 'kt', '--timeout=20s']);
    await k.ok(['scale', 'deployment/web', '-n', 'kt', '--replicas=3']);
    await k.ok(['rollout', 'status', 'deployment/web', '-n', 'kt', '--timeout=20s']);
    const table = await k.ok(['get', 'deploy', 'web', '-n', 'kt']);
    assert.match(table, /^web\s+3\/3\s+3\s+3\s+\d+s$/m);
    await k.ok(['set', 'image', 'deployment/web', '-n', 'kt', 'main=nginx:1.28']);
    await k.ok(['rollout', 'status', 'deployment/web', '-n', 'kt', '--timeout=20s']);
    const pods = JSON.parse(await k.ok(['get', 'pods', '-n', 'kt', '-l', 'app=web', '-o', 'json']));
    assert.equal(pods.items.filter((p: any) => !p.metadata.deletionTimestamp).length, 3);
    assert.ok(pods.items.every((p: any) => p.metadata.deletionTimestamp || p.spec.containers[0].image === 'nginx:1.28'));
  });

  void it('keeps an object with a finalizer until the finalizer is removed', async () => {
    const k = kubectl();
    await k.ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, namespace: kt, finalizers: [example.com/hold]}\n');
    await k.ok(['delete', 'configmap', 'held', '-n', 'kt', '--wait=false']);
    const held = JSON.parse(await k.ok(['get', 'configmap', 'held', '-n', 'kt', '-o', 'json']));
    assert.ok(held.metadata.deletionTimestamp);
    await k.ok(['patch', 'configmap', 'held', '-n', 'kt', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    const gone = await k.run(['get', 'configmap', 'held', '-n', 'kt']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /configmaps "held" not found/);
  });

  void it('waits for a condition set on a custom resource status', async () => {
    const k = kubectl();
    const waiting = k.run(['wait', '--for=condition=Ready', '--timeout=15s', 'gadget/g1', '-n', 'kt']);
    await c.custom.patchNamespacedCustomObjectStatus({
      group: 'example.com', version: 'v1', namespace: 'kt', plural: 'gadgets', name: 'g1',
      body: { status: { phase: 'Done', conditions: [{ type: 'Ready', status: 'True' }] } },
    }, (await import('@kubernetes/client-node')).setHeaderOptions('Content-Type', 'application/merge-patch+json'));
    const r = await waiting;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /gadget.example.com\/g1 condition met/);
  });

  void it('drains a node while honouring a PodDisruptionBudget', async () => {
    const k = kubectl();
    await k.ok(['apply', '-f', '-'], DEPLOYMENT('guarded', 2));
    await k.ok(['apply', '-f', '-'], 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: guarded, namespace: kt}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: guarded}}\n');
    await k.ok(['rollout', 'status', 'deployment/guarded', '-n', 'kt', '--timeout=20s']);
    const pods = JSON.parse(await k.ok(['get', 'pods', '-n', 'kt', '-l', 'app=guarded', '-o', 'json']));
    const node = pods.items[0].spec.nodeName;
    const r = await k.run(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=60s'], undefined, 90_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /node\/\S+ drained/);
    const nodeJson = JSON.parse(await k.ok(['get', 'node', node, '-o', 'json']));
    assert.equal(nodeJson.spec.unschedulable, true);
    await eventually('guarded pods back to 2 ready elsewhere', async () => {
      const now = JSON.parse(await k.ok(['get', 'pods', '-n', 'kt', '-l', 'app=guarded', '-o', 'json']));
      const ready = now.items.filter((p: any) => !p.metadata.deletionTimestamp && p.status.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True'));
      return ready.length === 2 && ready.every((p: any) => p.spec.nodeName !== node);
    }, 20_000);
    await k.ok(['uncordon', node]);
  });

  void it('shows pod logs', async () => {
    const k = kubectl();
    await k.ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata: {name: talker, namespace: kt, annotations: {sim.streamspace.io/log: hello from talker}}\nspec:\n  containers: [{name: main, image: busybox:1.36}]\n');
    await k.ok(['wait', '--for=condition=Ready', 'pod/talker', '-n', 'kt', '--timeout=20s']);
    const logs = await k.ok(['logs', 'talker', '-n', 'kt']);
    assert.match(logs, /hello from talker/);
  });

  void it('explains built-in and custom resources', async () => {
    const k = kubectl();
    const pod = await k.ok(['explain', 'pods.spec.containers']);
    assert.match(pod, /KIND:\s+Pod/);
    assert.match(pod, /image\s+<string>/);
    const gadget = await k.ok(['explain', 'gadgets.spec']);
    assert.match(gadget, /How big the gadget is/);
  });
});
