import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings, readControllerSettings, SETTING_DEFINITIONS, settingsHelp } from './settings.ts';

test('defaults: all namespaces, port 8081, leader election on, Ingress routes, 1 minute idle grace', () => {
  const s = readControllerSettings([], {});
  assert.deepEqual(s, { ...defaultSettings(), leaderElection: { enabled: true, namespace: 'streamspace', name: 'streamspace-controller' } });
  assert.equal(s.namespace, undefined);
  assert.equal(s.metrics.port, 8081);
});

test('variables configure, flags win over variables', () => {
  const env = { STREAMSPACE_NAMESPACE: 'from-env', STREAMSPACE_METRICS_PORT: '9000', STREAMSPACE_HOME_SIZE: '5Gi', STREAMSPACE_IDLE_GRACE: '30s' };
  const s = readControllerSettings(['--namespace', 'from-flag', '--metrics-port=0', '--no-leader-elect'], env);
  assert.deepEqual([s.namespace, s.metrics.port, s.home.size, s.idleGraceMs, s.leaderElection.enabled], ['from-flag', 0, '5Gi', 30_000, false]);
  assert.equal(s.leaderElection.namespace, 'from-flag', 'the lease lives in the watched namespace by default');
  assert.equal(readControllerSettings(['--leader-elect=false'], {}).leaderElection.enabled, false);
  assert.equal(readControllerSettings(['--leader-elect'], { STREAMSPACE_LEADER_ELECT: 'false' }).leaderElection.enabled, true);
  assert.equal(readControllerSettings([], { POD_NAMESPACE: 'ops' }).leaderElection.namespace, 'ops');
});

test('bad input names the flag or variable at fault', () => {
  assert.throws(() => readControllerSettings(['--metrics-port', 'x'], {}), /--metrics-port: must be an integer/);
  assert.throws(() => readControllerSettings([], { STREAMSPACE_HOME_ACCESS_MODE: 'Sometimes' }), /\$STREAMSPACE_HOME_ACCESS_MODE: must be one of/);
  assert.throws(() => readControllerSettings(['--frobnicate'], {}), /unknown flag --frobnicate/);
  assert.throws(() => readControllerSettings(['--namespace'], {}), /--namespace needs a value/);
  assert.throws(() => readControllerSettings(['--idle-grace', 'soon'], {}), /--idle-grace/);
  assert.throws(() => readControllerSettings(['--route', 'istio'], {}), /needs --istio-gateway/);
  assert.throws(() => readControllerSettings(['--host-pattern', 'x.{domain}'], {}), /must contain \{session\}/);
});

test('routes and gateways parse', () => {
  const s = readControllerSettings(['--route', 'gateway-api', '--gateway', 'infra/web', '--tls-secret', 'tls'], {});
  assert.deepEqual([s.route.kind, s.route.gateway, s.route.tlsSecretName], ['gateway-api', { namespace: 'infra', name: 'web' }, 'tls']);
});

test('the help lists every flag with its variable', () => {
  const help = settingsHelp();
  for (const d of SETTING_DEFINITIONS) {
    assert.ok(help.includes(`--${d.flag}`), d.flag);
    if (d.env) assert.ok(help.includes(`$${d.env}`), d.env);
  }
});
