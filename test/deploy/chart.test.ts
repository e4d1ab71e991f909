/**
 * The Helm chart (deploy/helm/streamspace) through the real helm v4: `helm lint --strict` and
 * `helm template` of every supported values combination, and what must hold in each rendering —
 * the admission objects are exactly webhookInstallObjects(), the CRDs are src/apis', pods run
 * non-root on read-only file systems with resource requests, each component runs as its own
 * ServiceAccount, session pods take traffic from the gateway only, and bad values are refused
 * with a message naming the field.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { crds } from '../../src/apis/index.ts';
import { selectorLabels } from '../../src/apis/stream/v1alpha1/naming.ts';
import type { KubeObject } from '../../src/apimachinery/object.ts';
import { webhookInstallObjects } from '../../src/webhooks/install-objects.ts';
import { readControllerSettings } from '../../src/controllers/settings.ts';
import { webhookSettingsFromEnv } from '../../src/cli/controller.ts';
import { parseApiFlags } from '../../src/cli/api.ts';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, ensureHelm, find, helm, renderChart, valuesArgs } from '../support/helm.ts';
import { COMBINATIONS } from './combinations.ts';

type Obj = KubeObject & Record<string, any>;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether `selector` selects an object labelled `labels` (the In, NotIn, Exists, DoesNotExist operators). */
function selects(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In': return k(e.key) !== undefined && (e.values ?? []).includes(k(e.key)!);
      case 'NotIn': return !(e.values ?? []).includes(k(e.key) ?? '');
      case 'Exists': return k(e.key) !== undefined;
      case 'DoesNotExist': return k(e.key) === undefined;
      default: throw new Error(`operator ${e.operator}`);
    }
  });
  return byLabels && byExpressions;
  function k(key: string): string | undefined {
    return labels[key];
  }
}

const deployments = (objects: KubeObject[]): Obj[] => objects.filter((o) => o.kind === 'Deployment') as Obj[];
const podLabels = (objects: KubeObject[], component: string): Record<string, string> =>
  find(objects, 'Deployment', `streamspace-${component}`).spec.template.metadata.labels;

/** The chart's labels minus those the platform's own builders set (only part-of). */
function withoutChartLabels(obj: Obj): Obj {
  const labels = Object.fromEntries(Object.entries(obj.metadata.labels ?? {}).filter(([k]) => k === 'app.kubernetes.io/part-of'));
  return { ...obj, metadata: { ...obj.metadata, labels } };
}

before(() => ensureHelm(), { timeout: HELM_BUILD_TIMEOUT_MS });

void describe('helm lint', () => {
  for (const [name, values] of Object.entries(COMBINATIONS)) {
    void test(`passes --strict with the ${name} values`, async () => {
      const v = valuesArgs(values);
      try {
        const r = await helm(['lint', '--strict', CHART_DIR, '--namespace', 'streamspace', ...v.args]);
        assert.equal(r.code, 0, `helm lint failed:\n${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
      } finally {
        v.cleanup();
      }
    });
  }
});

void describe('helm template', () => {
  for (const [name, values] of Object.entries(COMBINATIONS)) {
    void test(`${name}: admission objects, pods, service accounts and policies`, async () => {
      const objects = await renderChart(values);
      checkAdmissionObjects(objects);
      checkPods(objects);
      checkServiceAccounts(objects);
      checkSessionNetworkPolicy(objects, values);
      checkDisruptionBudgets(objects);
      checkCommandLines(objects);
    });
  }

  void test('--include-crds renders exactly the CRDs generated from src/apis', async () => {
    const objects = await renderChart({}, ['--include-crds']);
    const rendered = objects.filter((o) => o.kind === 'CustomResourceDefinition');
    assert.deepEqual(rendered.map((o) => o.metadata.name).sort(), crds().map((c) => c.metadata.name).sort());
    for (const crd of crds()) assert.deepEqual(find(rendered, 'CustomResourceDefinition', crd.metadata.name), JSON.parse(JSON.stringify(crd)));
  });

  void test('defaults: two controller replicas with leader election, two API replicas on PostgreSQL, the gateway', async () => {
    const objects = await renderChart();
    const controller = find(objects, 'Deployment', 'streamspace-controller');
    assert.equal(controller.spec.replicas, 2);
    assert.deepEqual(controller.spec.template.spec.containers[0].args, ['controller']);
    const env = envOf(controller);
    assert.equal(env.STREAMSPACE_LEADER_ELECT, 'true');
    assert.equal(env.STREAMSPACE_WEBHOOK_SERVICE, 'streamspace/streamspace-webhooks');
    assert.equal(env.STREAMSPACE_WEBHOOK_CERT_DIR, undefined, 'the platform CA by default');
    const api = find(objects, 'Deployment', 'streamspace-api');
    assert.equal(api.spec.replicas, 2);
    assert.equal(api.spec.template.spec.containers[0].args[0], 'api');
    assert.deepEqual(api.spec.template.spec.containers[0].env.find((e: any) => e.name === 'STREAMSPACE_DATABASE_URL').valueFrom, { secretKeyRef: { name: 'streamspace-database', key: 'url' } });
    const gateway = find(objects, 'Deployment', 'streamspace-gateway');
    assert.equal(gateway.spec.template.spec.containers[0].args[0], 'gateway');
    assert.ok(gateway.spec.template.spec.containers[0].args.includes('--host=0.0.0.0'));
    // Platform CA: the controller may create and read its CA Secret, nothing else of Secrets.
    const role = find(objects, 'Role', 'streamspace-controller');
    const secretRules = role.rules.filter((r: any) => r.resources.includes('secrets'));
    assert.deepEqual(secretRules, [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }, { apiGroups: [''], resources: ['secrets'], resourceNames: ['streamspace-webhooks-ca'], verbs: ['get'] }]);
    const serviceRules = role.rules.filter((r: any) => r.resources.includes('services'));
    assert.deepEqual(serviceRules, [{ apiGroups: [''], resources: ['services'], resourceNames: ['streamspace-webhooks'], verbs: ['get'] }], 'the CA\'s owner');
  });

  void test('cert-manager: a Certificate for the webhook Service, mounted into every controller replica', async () => {
    const objects = await renderChart(COMBINATIONS['cert-manager-self-signed']);
    const cert = find(objects, 'Certificate', 'streamspace-webhooks');
    assert.ok(cert.spec.dnsNames.includes('streamspace-webhooks.streamspace.svc'));
    assert.deepEqual(cert.spec.issuerRef, { name: 'streamspace-webhooks-ca', kind: 'Issuer' });
    find(objects, 'Issuer', 'streamspace-webhooks-ca');
    const controller = find(objects, 'Deployment', 'streamspace-controller');
    const dir = envOf(controller).STREAMSPACE_WEBHOOK_CERT_DIR;
    assert.ok(dir);
    const mount = controller.spec.template.spec.containers[0].volumeMounts.find((m: any) => m.mountPath === dir);
    const volume = controller.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
    assert.equal(volume.secret.secretName, cert.spec.secretName);
    const role = find(objects, 'Role', 'streamspace-controller');
    assert.ok(!role.rules.some((r: any) => r.resources.includes('secrets')), 'no Secret access when cert-manager issues the certificate');
    const issued = await renderChart(COMBINATIONS['cert-manager-cluster-issuer']);
    assert.deepEqual(find(issued, 'Certificate', 'streamspace-webhooks').spec.issuerRef, { name: 'corp-ca', kind: 'ClusterIssuer' });
    assert.ok(!issued.some((o) => o.kind === 'Issuer'));
  });

  void test('exposure: Ingress, Gateway API and Istio route the API and the gateway to their Services', async () => {
    const ingressObjects = await renderChart(COMBINATIONS['ingress-host-mode']);
    const ingress = find(ingressObjects, 'Ingress', 'streamspace');
    const backends = ingress.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => `${r.host}${p.path}→${p.backend.service.name}`));
    assert.deepEqual(backends, ['streamspace.example.com/s/→streamspace-gateway', 'streamspace.example.com/→streamspace-api', '*.sessions.example.com/→streamspace-gateway']);
    for (const b of ingress.spec.rules.flatMap((r: any) => r.http.paths)) find(ingressObjects, 'Service', b.backend.service.name);
    assert.deepEqual(ingress.spec.tls, [{ hosts: ['streamspace.example.com', '*.sessions.example.com'], secretName: 'streamspace-tls' }]);
    assert.ok(find(ingressObjects, 'Deployment', 'streamspace-gateway').spec.template.spec.containers[0].args.includes('--domain=sessions.example.com'));

    const routeObjects = await renderChart(COMBINATIONS['gateway-api']);
    const route = find(routeObjects, 'HTTPRoute', 'streamspace');
    assert.deepEqual(route.spec.parentRefs, [{ name: 'public', namespace: 'gateways' }]);
    assert.deepEqual(route.spec.rules.map((r: any) => `${r.matches[0].path.value}→${r.backendRefs[0].name}`), ['/s/→streamspace-gateway', '/→streamspace-api']);
    assert.ok(find(routeObjects, 'ClusterRole', 'streamspace-controller').rules.some((r: any) => r.resources.includes('httproutes')));

    const istioObjects = await renderChart(COMBINATIONS.istio);
    const vs = find(istioObjects, 'VirtualService', 'streamspace');
    assert.deepEqual(vs.spec.gateways, ['istio-system/public']);
    assert.equal(vs.spec.http.at(-1).route[0].destination.host, 'streamspace-api.streamspace.svc.cluster.local');
    assert.ok(find(istioObjects, 'ClusterRole', 'streamspace-controller').rules.some((r: any) => r.resources.includes('virtualservices')));
  });

  void test('monitoring: ServiceMonitors select each component\'s metrics Service; rules and dashboard render', async () => {
    const objects = await renderChart(COMBINATIONS.monitoring);
    const monitors = objects.filter((o) => o.kind === 'ServiceMonitor') as Obj[];
    assert.equal(monitors.length, 3);
    for (const m of monitors) {
      const services = (objects.filter((o) => o.kind === 'Service') as Obj[]).filter((s) => selects(m.spec.selector, s.metadata.labels));
      const ports = services.flatMap((s) => s.spec.ports.map((p: any) => p.name));
      assert.ok(ports.includes(m.spec.endpoints[0].port), `${m.metadata.name} finds a Service with port ${m.spec.endpoints[0].port}`);
      assert.equal(m.metadata.labels?.release, 'prometheus');
    }
    const rule = find(objects, 'PrometheusRule', 'streamspace');
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert));
    for (const a of ['StreamSpaceSessionStartFailures', 'StreamSpaceSlowWakes', 'StreamSpaceReconcileErrors', 'StreamSpaceWebhookLatency', 'StreamSpaceQueueBacklog']) assert.ok(alerts.includes(a), a);
    const dashboard = JSON.parse(find(objects, 'ConfigMap', 'streamspace-dashboard').data['streamspace.json']);
    assert.equal(dashboard.uid, 'streamspace-overview');
  });

  void test('bad values are refused with a message naming the field', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ controller: { replicas: 0 } }, /controller\/replicas|replicas.*minimum/],
      [{ controller: { sessionRoute: 'none' } }, /sessionRoute/],
      [{ securityContext: { readOnlyRootFilesystem: false } }, /readOnlyRootFilesystem/],
      [{ podSecurityContext: { runAsNonRoot: false } }, /runAsNonRoot/],
      [{ expose: { kind: 'nodeport' } }, /expose\/kind|kind.*(ingress|one of)/],
      [{ controller: { unknownSetting: true } }, /unknownSetting/],
      [{ webhooks: { timeoutSeconds: 10 } }, /timeoutSeconds/],
      [{ expose: { kind: 'gateway-api' } }, /expose\.gatewayApi\.gatewayName is required/],
      [{ api: { auth: 'oidc' } }, /api\.oidc\.issuer is required/],
      [{ database: { existingSecret: '' } }, /database\.existingSecret or database\.url is required/],
    ];
    for (const [values, message] of cases) {
      await assert.rejects(renderChart(values), message, JSON.stringify(values));
    }
  });
});

function envOf(deployment: Obj): Record<string, string | undefined> {
  return Object.fromEntries(deployment.spec.template.spec.containers[0].env.filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]));
}

function checkAdmissionObjects(objects: KubeObject[]): void {
  const controller = find(objects, 'Deployment', 'streamspace-controller');
  const expected = webhookInstallObjects({
    service: { namespace: 'streamspace', name: 'streamspace-webhooks', port: 443 },
    selector: controller.spec.selector.matchLabels, targetPort: 9443,
  });
  for (const want of expected) {
    const got = withoutChartLabels(find(objects, want.kind, want.metadata.name!));
    assert.deepEqual(got, want, `${want.kind} ${want.metadata.name} differs from webhookInstallObjects()`);
  }
  // The Service reaches the replicas: its selector picks the controller's pods, its targetPort their webhook port.
  const svc = find(objects, 'Service', 'streamspace-webhooks');
  assert.ok(selects({ matchLabels: svc.spec.selector }, controller.spec.template.metadata.labels));
  const ports = controller.spec.template.spec.containers[0].ports.map((p: any) => p.containerPort);
  assert.ok(ports.includes(svc.spec.ports[0].targetPort));
}

function checkPods(objects: KubeObject[]): void {
  for (const d of deployments(objects)) {
    const pod = d.spec.template.spec;
    const name = d.metadata.name;
    assert.ok(selects(d.spec.selector, d.spec.template.metadata.labels), `${name}: selector picks its pods`);
    assert.equal(pod.securityContext.runAsNonRoot, true, `${name}: non-root`);
    assert.ok(pod.securityContext.runAsUser > 0, `${name}: a non-zero uid`);
    for (const c of pod.containers) {
      assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${name}/${c.name}: read-only root`);
      assert.equal(c.securityContext.allowPrivilegeEscalation, false, `${name}/${c.name}: no privilege escalation`);
      assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
      assert.ok(c.resources.requests.cpu && c.resources.requests.memory, `${name}/${c.name}: resource requests`);
      assert.ok(c.readinessProbe && c.livenessProbe, `${name}/${c.name}: probes`);
      for (const m of c.volumeMounts ?? []) assert.ok(pod.volumes.some((v: any) => v.name === m.name), `${name}: volume ${m.name} exists`);
    }
  }
}

/** The controller's environment and the API's arguments are what their parsers accept, as in a pod. */
function checkCommandLines(objects: KubeObject[]): void {
  const controller = find(objects, 'Deployment', 'streamspace-controller');
  const env = { ...envOf(controller), KUBERNETES_SERVICE_HOST: '10.0.0.1' };
  const settings = readControllerSettings(controller.spec.template.spec.containers[0].args.slice(1), env);
  assert.equal(settings.leaderElection.enabled, true);
  assert.equal(settings.metrics.port, controller.spec.template.spec.containers[0].ports.find((p: any) => p.name === 'metrics').containerPort);
  const webhooks = webhookSettingsFromEnv(env);
  assert.equal(webhooks?.port, 9443);
  assert.deepEqual(webhooks?.service, { namespace: 'streamspace', name: 'streamspace-webhooks', port: 443 });
  const api = find(objects, 'Deployment', 'streamspace-api').spec.template.spec.containers[0];
  const options = parseApiFlags(api.args.slice(1));
  assert.equal(options.port, api.ports[0].containerPort);
  assert.equal(options.host, '0.0.0.0');
  assert.equal(options.dataDir, undefined, 'nothing written to the read-only file system: PostgreSQL holds the state');
}

/** Each Deployment runs as its own ServiceAccount, bound to Roles that exist. */
function checkServiceAccounts(objects: KubeObject[]): void {
  const accounts = deployments(objects).map((d) => d.spec.template.spec.serviceAccountName);
  assert.equal(new Set(accounts).size, accounts.length, 'one ServiceAccount per component');
  for (const sa of accounts) {
    find(objects, 'ServiceAccount', sa);
    const bindings = (objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') as Obj[])
      .filter((b) => b.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === sa && s.namespace === 'streamspace'));
    assert.ok(bindings.length > 0, `${sa} is bound`);
    for (const b of bindings) find(objects, b.roleRef.kind, b.roleRef.name);
  }
  for (const role of objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole') as Obj[]) {
    for (const rule of role.rules) {
      assert.ok(!rule.verbs.includes('*') && !rule.resources.includes('*') && !rule.apiGroups.includes('*'), `${role.kind} ${role.metadata.name}: no wildcards`);
    }
  }
}

/** Session pods take traffic from the gateway's pods only. */
function checkSessionNetworkPolicy(objects: KubeObject[], values: Record<string, any>): void {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Obj[];
  if (values.networkPolicy?.enabled === false) {
    assert.equal(policies.length, 0);
    return;
  }
  const session = {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', metadata: { name: 'alice-1', namespace: 'streamspace' }, spec: { user: 'alice', template: 'firefox' },
  };
  const sessionPod = selectorLabels(session as Parameters<typeof selectorLabels>[0]);
  const applying = policies.filter((p) => selects(p.spec.podSelector, sessionPod));
  assert.equal(applying.length, 1, 'one policy selects session pods');
  const [policy] = applying;
  assert.deepEqual(policy.spec.policyTypes, ['Ingress']);
  const extra = values.networkPolicy?.extraSessionPeers ?? [];
  const all = (policy.spec.ingress ?? []).flatMap((r: any) => r.from ?? [{}]);
  const peers = all.filter((p: any) => !extra.some((e: any) => JSON.stringify(e) === JSON.stringify(p)));
  assert.equal(all.length, peers.length + extra.length, 'the extra peers, as given');
  const allowed = (labels: Record<string, string>): boolean =>
    peers.some((p: any) => p.podSelector && !p.namespaceSelector && !p.ipBlock && selects(p.podSelector, labels));
  const gatewayOn = values.gateway?.enabled !== false;
  if (gatewayOn) assert.ok(allowed(podLabels(objects, 'gateway')), 'the gateway reaches session pods');
  for (const component of ['api', 'controller']) assert.ok(!allowed(podLabels(objects, component)), `${component} does not reach session pods`);
  assert.ok(!allowed({ app: 'anything-else' }), 'other pods do not reach session pods');
  assert.ok(peers.every((p: any) => p.podSelector), 'no namespace or IP peers');
}

/** A PDB for every Deployment with more than one replica, selecting exactly its pods. */
function checkDisruptionBudgets(objects: KubeObject[]): void {
  const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget') as Obj[];
  for (const d of deployments(objects)) {
    const budgets = pdbs.filter((p) => selects(p.spec.selector, d.spec.template.metadata.labels));
    if (d.spec.replicas > 1 && pdbs.length > 0) assert.equal(budgets.length, 1, `${d.metadata.name} has a PDB`);
    for (const b of budgets) assert.ok(b.spec.minAvailable < d.spec.replicas, `${b.metadata.name} lets a node drain`);
  }
}
