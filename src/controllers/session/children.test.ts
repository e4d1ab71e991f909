import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { Template, TemplateSpec } from '../../apis/stream/v1alpha1/template.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import { isDNS1035Label, isValidLabelValue } from '../../apimachinery/validation.ts';
import { defaultSettings, type ControllerSettings } from '../settings.ts';
import { desiredHomeClaim, desiredService, sessionPorts, streamingEndpoint, type ChildInputs } from './children.ts';
import { desiredDeployment, mergedResources } from './deployment.ts';
import { desiredHttpRoute, desiredIngress, desiredRoute, desiredVirtualService, sessionHost, sessionUrl } from './routes.ts';

function session(spec: Partial<Session['spec']> = {}, name = 'alice-firefox'): Session {
  return {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session',
    metadata: { name, namespace: 'team', uid: 'uid-1', generation: 1 },
    spec: { user: 'alice@example.com', template: 'firefox', ...spec },
  };
}

function template(spec: Partial<TemplateSpec> = {}): Template {
  return {
    apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Template', metadata: { name: 'firefox', namespace: 'team' },
    spec: { baseImage: 'lscr.io/linuxserver/firefox:latest', vnc: { enabled: true, port: 3000 }, ...spec },
  };
}

const VARIANTS: Record<string, { session: Session; template: Template }> = {
  'a VNC desktop with a home': { session: session(), template: template({ env: [{ name: 'PUID', value: '1000' }, { name: 'EMPTY' }], defaultResources: { requests: { cpu: '500m' }, limits: { memory: '4Gi' } } }) },
  'a web app with a health check, extra ports and volumes, no home': {
    session: session({ persistentHome: false, resources: { requests: { memory: '2Gi' } } }),
    template: template({
      vnc: undefined, webapp: { enabled: true, port: 8080, path: '/ide/', healthCheck: '/healthz' },
      ports: [{ containerPort: 9000, name: 'metrics' }, { containerPort: 8080 }, { containerPort: 5000, protocol: 'UDP' }],
      volumeMounts: [{ name: 'cache', mountPath: '/cache' }, { name: 'cache', mountPath: '/cache2', subPath: 'b', readOnly: true }],
      command: ['/init'], args: ['--verbose'],
    }),
  },
  'a session with a long dotted name': { session: session({}, `${'very.long.session.name.'.repeat(5)}end`), template: template() },
};

function inputs(v: { session: Session; template: Template }, settings: ControllerSettings = defaultSettings()): ChildInputs {
  return { session: v.session, template: v.template, settings };
}

describe('children validate against the official Kubernetes schemas (kubernetes-models)', () => {
  for (const [name, variant] of Object.entries(VARIANTS)) {
    test(name, () => {
      const i = inputs(variant);
      assert.doesNotThrow(() => new Deployment(desiredDeployment(i, 1) as any).validate());
      assert.doesNotThrow(() => new Deployment(desiredDeployment(i, 0) as any).validate());
      assert.doesNotThrow(() => new Service(desiredService(i) as any).validate());
      assert.doesNotThrow(() => new Ingress(desiredIngress(i) as any).validate());
      assert.doesNotThrow(() => new PersistentVolumeClaim(desiredHomeClaim(variant.session, i.settings.home) as any).validate());
    });
  }

  test('the check itself rejects a malformed object', () => {
    const broken = desiredDeployment(inputs(VARIANTS['a VNC desktop with a home']), 1);
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'three thousand';
    assert.throws(() => new Deployment(broken as any).validate());
  });
});

describe('the session Deployment', () => {
  const vnc = inputs(VARIANTS['a VNC desktop with a home']);
  const webapp = inputs(VARIANTS['a web app with a health check, extra ports and volumes, no home']);

  test('runs hardened: non-root 1000, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    const pod = desiredDeployment(vnc, 1).spec.template.spec;
    assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } });
    assert.deepEqual(pod.containers[0].securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test('mounts the home claim of the user at homeMountPath, or nothing without persistentHome', () => {
    const withHome = desiredDeployment(vnc, 1).spec.template.spec;
    assert.deepEqual(withHome.containers[0].volumeMounts, [{ name: 'user-home', mountPath: '/config' }]);
    assert.match(withHome.volumes[0].persistentVolumeClaim.claimName, /^home-alice-example-com-[0-9a-f]{10}$/);
    const without = desiredDeployment(webapp, 1).spec.template.spec;
    assert.deepEqual(without.volumes, [{ name: 'cache', emptyDir: {} }], 'template volumes get an emptyDir; no home volume');
  });

  test('probes readiness on the streaming port: TCP for VNC, the health check path for a web app', () => {
    assert.deepEqual(desiredDeployment(vnc, 1).spec.template.spec.containers[0].readinessProbe.tcpSocket, { port: 'stream' });
    assert.deepEqual(desiredDeployment(webapp, 1).spec.template.spec.containers[0].readinessProbe.httpGet, { path: '/healthz', port: 'stream' });
  });

  test('has the replicas asked for and a selector of stable labels only', () => {
    const d = desiredDeployment(vnc, 0);
    assert.equal(d.spec.replicas, 0);
    assert.deepEqual(Object.keys(d.spec.selector.matchLabels).sort(), ['app.kubernetes.io/managed-by', 'stream.streamspace.io/session']);
    assert.equal(d.spec.strategy.type, 'Recreate');
  });

  test('merges session resources over the template\'s, per resource name', () => {
    assert.deepEqual(mergedResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } }, { requests: { memory: '3Gi' } }),
      { requests: { cpu: '1', memory: '3Gi' }, limits: { memory: '2Gi' } });
    assert.deepEqual(mergedResources(undefined, undefined), {});
  });

  test('every label value and child name is valid even for odd user and session names', () => {
    const odd = inputs({ session: session({ user: 'Dr. Zoë O\'Brien / admin' }, `${'x.'.repeat(120)}y`), template: template() });
    const d = desiredDeployment(odd, 1);
    for (const value of Object.values(d.metadata.labels ?? {})) assert.deepEqual(isValidLabelValue(value), [], value);
    assert.deepEqual(isDNS1035Label(d.metadata.name ?? ''), []);
    assert.doesNotThrow(() => new Deployment(d as any).validate());
  });
});

describe('ports, Service and routes', () => {
  test('the streaming port comes first; extra ports keep their names or get port-<n>', () => {
    const spec = VARIANTS['a web app with a health check, extra ports and volumes, no home'].template.spec;
    assert.deepEqual(streamingEndpoint(spec), { port: 8080, healthCheckPath: '/healthz', urlPath: '/ide/' });
    assert.deepEqual(sessionPorts(spec), [
      { name: 'stream', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9000, protocol: 'TCP' }, { name: 'port-5000', port: 5000, protocol: 'UDP' },
    ]);
  });

  test('every child but the home claim is controlled by the session', () => {
    const i = inputs(VARIANTS['a VNC desktop with a home']);
    const expected = [{ apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Session', name: 'alice-firefox', uid: 'uid-1', controller: true, blockOwnerDeletion: true }];
    for (const child of [desiredDeployment(i, 1), desiredService(i), desiredIngress(i), desiredVirtualService(i), desiredHttpRoute(i)]) {
      assert.deepEqual(child.metadata.ownerReferences, expected, child.kind);
    }
    assert.equal(desiredHomeClaim(i.session, i.settings.home).metadata.ownerReferences, undefined);
  });

  test('host and URL follow the pattern; TLS makes the URL https and adds a TLS block', () => {
    const base = defaultSettings();
    const settings: ControllerSettings = {
      ...base, route: { ...base.route, hostPattern: '{session}-{namespace}.{domain}', domain: 'apps.example.com', tlsSecretName: 'wildcard', ingressClassName: 'nginx' },
    };
    const i = inputs(VARIANTS['a web app with a health check, extra ports and volumes, no home'], settings);
    assert.equal(sessionHost(i.session, settings.route), 'alice-firefox-team.apps.example.com');
    assert.equal(sessionUrl(i), 'https://alice-firefox-team.apps.example.com/ide/');
    const ingress = desiredIngress(i);
    assert.equal(ingress.spec.ingressClassName, 'nginx');
    assert.deepEqual(ingress.spec.tls, [{ hosts: ['alice-firefox-team.apps.example.com'], secretName: 'wildcard' }]);
    assert.equal(ingress.spec.rules[0].http.paths[0].path, '/ide/');
  });

  test('an Istio VirtualService routes the host through the configured gateway to the Service', () => {
    const base = defaultSettings();
    const settings: ControllerSettings = { ...base, route: { ...base.route, kind: 'istio', istioGateway: 'istio-system/public' } };
    const vs: KubeObject = desiredRoute(inputs(VARIANTS['a VNC desktop with a home'], settings));
    assert.equal(vs.apiVersion, 'networking.istio.io/v1beta1');
    assert.deepEqual(vs.spec, {
      hosts: ['alice-firefox.streamspace.local'], gateways: ['istio-system/public'],
      http: [{ match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'ss-alice-firefox.team.svc.cluster.local', port: { number: 3000 } } }] }],
    });
  });

  test('a Gateway API HTTPRoute attaches the host to the configured Gateway', () => {
    const base = defaultSettings();
    const settings: ControllerSettings = { ...base, route: { ...base.route, kind: 'gateway-api', gateway: { namespace: 'infra', name: 'web' } } };
    const route: KubeObject = desiredRoute(inputs(VARIANTS['a VNC desktop with a home'], settings));
    assert.deepEqual([route.apiVersion, route.kind], ['gateway.networking.k8s.io/v1', 'HTTPRoute']);
    assert.deepEqual(route.spec, {
      parentRefs: [{ name: 'web', namespace: 'infra' }], hostnames: ['alice-firefox.streamspace.local'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'ss-alice-firefox', port: 3000 }] }],
    });
  });
});
