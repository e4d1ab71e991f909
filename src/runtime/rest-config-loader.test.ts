import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { ExecCredentialSource, type ExecClusterInfo } from './internal/exec-credentials.ts';
import type { ExecCredentialPlugin, RestConfig } from './rest-config.ts';
import { isRestConfig, loadRestConfig, restConfigFromKubeConfig, restConfigFromKubeconfigText, toRestConfig } from './rest-config-loader.ts';

const CA = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n';
const b64 = (text: string) => Buffer.from(text).toString('base64');

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rest-config-loader-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** A kubeconfig with one context per cluster/user pair, as YAML (JSON is YAML). */
function kubeconfig(doc: {
  current?: string;
  clusters?: Record<string, object>;
  users?: Record<string, object>;
  contexts?: Record<string, { cluster: string; user?: string; namespace?: string }>;
}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': doc.current,
    clusters: Object.entries(doc.clusters ?? {}).map(([name, cluster]) => ({ name, cluster })),
    users: Object.entries(doc.users ?? {}).map(([name, user]) => ({ name, user })),
    contexts: Object.entries(doc.contexts ?? {}).map(([name, context]) => ({ name, context })),
  });
}

/** One context "c" over cluster "k" and user "u". */
function single(cluster: object, user: object, namespace?: string): string {
  return kubeconfig({ current: 'c', clusters: { k: cluster }, users: { u: user }, contexts: { c: { cluster: 'k', user: 'u', namespace } } });
}

const fromText = (text: string, context?: string) => restConfigFromKubeconfigText(text, { baseDir: '/nowhere', context });
const SERVER = { server: 'https://api.example:6443' };

describe('restConfigFromKubeconfigText', () => {
  it('reads the current context: server, namespace, base64 CA and client certificate data', () => {
    const text = single(
      { server: 'https://api.example:6443/', 'certificate-authority-data': b64(CA) },
      { 'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY) },
      'team-a',
    );
    assert.deepEqual(fromText(text), {
      server: 'https://api.example:6443',
      tls: { ca: CA, cert: CERT, key: KEY },
      credentials: { type: 'none' },
      namespace: 'team-a',
    });
  });

  it('uses the given context instead of current-context', () => {
    const text = kubeconfig({
      current: 'one',
      clusters: { k1: { server: 'https://one:6443' }, k2: { server: 'https://two:6443' } },
      users: { u2: { token: 't2' } },
      contexts: { one: { cluster: 'k1' }, two: { cluster: 'k2', user: 'u2' } },
    });
    assert.equal(fromText(text).server, 'https://one:6443');
    assert.deepEqual(fromText(text, 'two'), { server: 'https://two:6443', tls: {}, credentials: { type: 'token', token: 't2' } });
  });

  it('reads certificate files, resolving relative paths against baseDir, and prefers *-data over files', (t) => {
    const dir = tempDir(t);
    write(dir, 'pki/ca.crt', CA);
    write(dir, 'pki/client.crt', CERT);
    const keyFile = write(dir, 'elsewhere/client.key', KEY);
    const text = single({ ...SERVER, 'certificate-authority': 'pki/ca.crt' }, { 'client-certificate': './pki/client.crt', 'client-key': keyFile });
    assert.deepEqual(restConfigFromKubeconfigText(text, { baseDir: dir }).tls, { ca: CA, cert: CERT, key: KEY });
    const both = single({ ...SERVER, 'certificate-authority': 'missing.crt', 'certificate-authority-data': b64('DATA') }, {});
    assert.equal(restConfigFromKubeconfigText(both, { baseDir: dir }).tls.ca, 'DATA');
  });

  it('names the file it cannot read', () => {
    const text = single({ ...SERVER, 'certificate-authority': 'ca.crt' }, {});
    assert.throws(() => fromText(text), /cluster "k": cannot read certificate-authority \/nowhere\/ca\.crt \(ENOENT\)/);
  });

  it('carries insecure-skip-tls-verify and tls-server-name', () => {
    const text = single({ ...SERVER, 'insecure-skip-tls-verify': true, 'tls-server-name': 'kubernetes.default' }, {});
    assert.deepEqual(fromText(text).tls, { insecureSkipVerify: true, serverName: 'kubernetes.default' });
    assert.deepEqual(fromText(single({ ...SERVER, 'insecure-skip-tls-verify': false }, {})).tls, {});
  });

  it('prefers a token, then a token file, then basic auth, then an exec plugin', () => {
    const exec = { command: 'get-token', apiVersion: 'client.authentication.k8s.io/v1' };
    const all = { token: 'tok', tokenFile: '/var/token', username: 'ann', password: 'pw', exec };
    const creds = (user: object) => fromText(single(SERVER, user)).credentials;
    assert.deepEqual(creds(all), { type: 'token', token: 'tok' });
    assert.deepEqual(creds({ ...all, token: undefined }), { type: 'tokenFile', path: '/var/token' });
    assert.deepEqual(creds({ ...all, token: undefined, tokenFile: undefined }), { type: 'basic', username: 'ann', password: 'pw' });
    assert.equal(creds({ exec }).type, 'exec');
    assert.deepEqual(creds({}), { type: 'none' });
  });

  it('resolves a relative tokenFile against baseDir', () => {
    const text = single(SERVER, { tokenFile: 'secrets/token' });
    assert.deepEqual(restConfigFromKubeconfigText(text, { baseDir: '/etc/kube' }).credentials, { type: 'tokenFile', path: '/etc/kube/secrets/token' });
  });

  it('reads an exec plugin: args, env list as a record, apiVersion, provideClusterInfo, command paths', () => {
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: './bin/get-token',
      args: ['--cluster', 'prod'],
      env: [{ name: 'AWS_PROFILE', value: 'ops' }, { name: 'REGION', value: 'eu' }],
      provideClusterInfo: true,
      interactiveMode: 'IfAvailable',
    };
    const plugin = (e: object) => {
      const { credentials } = restConfigFromKubeconfigText(single(SERVER, { exec: e }), { baseDir: '/etc/kube' });
      assert.equal(credentials.type, 'exec');
      return credentials.plugin;
    };
    assert.deepEqual(plugin(exec), {
      command: '/etc/kube/bin/get-token',
      args: ['--cluster', 'prod'],
      env: { AWS_PROFILE: 'ops', REGION: 'eu' },
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      provideClusterInfo: true,
    });
    assert.deepEqual(plugin({ command: 'aws', apiVersion: 'client.authentication.k8s.io/v1', env: null }), {
      command: 'aws', args: [], env: {}, apiVersion: 'client.authentication.k8s.io/v1', provideClusterInfo: false,
    });
  });

  it('rejects exec plugins it cannot run', () => {
    const bad = (exec: object) => () => fromText(single(SERVER, { exec }));
    assert.throws(bad({ command: 'x', apiVersion: 'client.authentication.k8s.io/v1alpha1' }), /user "u": exec: apiVersion "client.authentication.k8s.io\/v1alpha1" is not one of/);
    assert.throws(bad({ apiVersion: 'client.authentication.k8s.io/v1' }), /user "u": exec has no command/);
    assert.throws(bad({ command: 'x', apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Always' }), /interactiveMode Always/);
    assert.throws(bad({ command: 'x', apiVersion: 'client.authentication.k8s.io/v1', env: [{ name: 'A' }] }), /exec\.env\[0\] is not a \{ name, value \} pair/);
  });

  it('rejects auth-provider users, naming the user and pointing at exec plugins', () => {
    const text = single(SERVER, { 'auth-provider': { name: 'oidc', config: { 'id-token': 'secret' } } });
    assert.throws(() => fromText(text), (err: Error) => {
      assert.match(err.message, /user "u" uses auth-provider "oidc", which is not supported; use an exec credential plugin instead/);
      assert.doesNotMatch(err.message, /secret/);
      return true;
    });
  });

  it('names what is missing: current-context, context, cluster, user, server', () => {
    const base = { clusters: { k: SERVER }, users: { u: {} } };
    assert.throws(() => fromText(kubeconfig({ ...base, contexts: { c: { cluster: 'k' } } })), /no current-context is set and no context was given/);
    assert.throws(() => fromText(kubeconfig({ ...base, current: 'gone', contexts: { c: { cluster: 'k' } } })), /context "gone" not found \(known: c\)/);
    assert.throws(() => fromText(kubeconfig({ ...base, contexts: { c: { cluster: 'k' } } }), 'other'), /context "other" not found/);
    assert.throws(() => fromText(kubeconfig({ ...base, current: 'c', contexts: { c: { cluster: 'nope' } } })), /context "c": cluster "nope" not found \(known: k\)/);
    assert.throws(() => fromText(kubeconfig({ ...base, current: 'c', contexts: { c: { cluster: 'k', user: 'who' } } })), /context "c": user "who" not found \(known: u\)/);
    assert.throws(() => fromText(single({}, {})), /cluster "k" has no server/);
    assert.throws(() => fromText(single({ server: 'api.example:6443' }, {})), /server "api.example:6443" is not an http\(s\) URL/);
  });

  it('rejects a client certificate without its key, bad YAML and mistyped fields', () => {
    assert.throws(() => fromText(single(SERVER, { 'client-certificate-data': b64(CERT) })), /user "u" has a client certificate or key without the other/);
    assert.throws(() => fromText('clusters: [unclosed'), /kubeconfig is not valid YAML/);
    assert.throws(() => fromText(single(SERVER, { token: 42 })), /user "u": token is not a string/);
    assert.throws(() => fromText(single({ ...SERVER, 'insecure-skip-tls-verify': 'yes' }, {})), /insecure-skip-tls-verify is not true or false/);
  });
});

describe('loadRestConfig', () => {
  const noInCluster = (dir: string) => ({ env: { HOME: path.join(dir, 'home') }, inClusterRoot: path.join(dir, 'root') });

  it('reads an explicit kubeconfig, with relative paths relative to its folder, and honours context', (t) => {
    const dir = tempDir(t);
    write(dir, 'cfg/ca.crt', CA);
    const file = write(dir, 'cfg/config', kubeconfig({
      current: 'a',
      clusters: { k: { server: 'https://a:6443', 'certificate-authority': 'ca.crt' }, k2: { server: 'https://b:6443' } },
      contexts: { a: { cluster: 'k' }, b: { cluster: 'k2' } },
    }));
    assert.deepEqual(loadRestConfig({ ...noInCluster(dir), kubeconfig: file }), { server: 'https://a:6443', tls: { ca: CA }, credentials: { type: 'none' } });
    assert.equal(loadRestConfig({ ...noInCluster(dir), kubeconfig: file, context: 'b' }).server, 'https://b:6443');
  });

  it('fails on an explicit kubeconfig that does not exist, without falling back', (t) => {
    const dir = tempDir(t);
    write(dir, 'home/.kube/config', single(SERVER, {}));
    const missing = path.join(dir, 'missing');
    assert.throws(() => loadRestConfig({ ...noInCluster(dir), kubeconfig: missing }), new RegExp(`cannot read kubeconfig ${missing}`));
  });

  it('merges the files in KUBECONFIG: first file wins per name, first non-empty current-context, missing files skipped', (t) => {
    const dir = tempDir(t);
    write(dir, 'two/ca.crt', CA);
    const one = write(dir, 'one/config', kubeconfig({
      clusters: { shared: { server: 'https://from-one:6443' } },
      users: { shared: { token: 'from-one' } },
      contexts: { main: { cluster: 'shared', user: 'shared', namespace: 'ns-one' } },
    }));
    const two = write(dir, 'two/config', kubeconfig({
      current: 'main',
      clusters: { shared: { server: 'https://from-two:6443' }, other: { server: 'https://other:6443', 'certificate-authority': 'ca.crt' } },
      users: { shared: { token: 'from-two' }, ann: { username: 'ann', password: 'pw' } },
      contexts: { main: { cluster: 'other', user: 'ann' }, side: { cluster: 'other', user: 'ann' } },
    }));
    const KUBECONFIG = [path.join(dir, 'absent'), one, '', two].join(path.delimiter);
    const env = { KUBECONFIG, HOME: path.join(dir, 'home') };
    assert.deepEqual(loadRestConfig({ env }), {
      server: 'https://from-one:6443',
      tls: {},
      credentials: { type: 'token', token: 'from-one' },
      namespace: 'ns-one',
    });
    // A context from the second file still reads its relative CA path against the second file's folder.
    assert.deepEqual(loadRestConfig({ env, context: 'side' }), { server: 'https://other:6443', tls: { ca: CA }, credentials: { type: 'basic', username: 'ann', password: 'pw' } });
  });

  it('falls back to $HOME/.kube/config', (t) => {
    const dir = tempDir(t);
    write(dir, 'home/.kube/config', single(SERVER, { token: 'home' }));
    assert.deepEqual(loadRestConfig(noInCluster(dir)).credentials, { type: 'token', token: 'home' });
  });

  it('does not read ~/.kube/config when KUBECONFIG is set, as client-go', (t) => {
    const dir = tempDir(t);
    write(dir, 'home/.kube/config', single(SERVER, {}));
    const env = { HOME: path.join(dir, 'home'), KUBECONFIG: path.join(dir, 'absent') };
    assert.throws(() => loadRestConfig({ env, inClusterRoot: dir }), /the files in \$KUBECONFIG \(.*absent; none exist\)/);
  });

  it('uses the in-cluster service account when there is no kubeconfig', (t) => {
    const dir = tempDir(t);
    const sa = 'var/run/secrets/kubernetes.io/serviceaccount';
    write(dir, `${sa}/token`, 'sa-token');
    write(dir, `${sa}/ca.crt`, CA);
    write(dir, `${sa}/namespace`, 'streamspace-system\n');
    const env = { HOME: path.join(dir, 'home'), KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    assert.deepEqual(loadRestConfig({ env, inClusterRoot: dir }), {
      server: 'https://10.96.0.1:443',
      tls: { ca: CA },
      credentials: { type: 'tokenFile', path: path.join(dir, sa, 'token') },
      namespace: 'streamspace-system',
    });
    const v6 = loadRestConfig({ env: { ...env, KUBERNETES_SERVICE_HOST: 'fd00:10:96::1' }, inClusterRoot: dir });
    assert.equal(v6.server, 'https://[fd00:10:96::1]:443');
  });

  it('says what it looked for when nothing is found', (t) => {
    const dir = tempDir(t);
    const home = path.join(dir, 'home');
    const tokenPath = path.join(dir, 'var/run/secrets/kubernetes.io/serviceaccount/token');
    const looked = (env: NodeJS.ProcessEnv) => assert.throws(() => loadRestConfig({ env, inClusterRoot: dir }), (err: Error) => {
      assert.match(err.message, /^no Kubernetes configuration found: looked for /);
      assert.ok(err.message.includes(path.join(home, '.kube', 'config')), err.message);
      return true;
    });
    looked({ HOME: home });
    assert.throws(() => loadRestConfig({ env: { HOME: home }, inClusterRoot: dir }), /KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not both set/);
    const inPod = { HOME: home, KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    looked(inPod);
    assert.throws(() => loadRestConfig({ env: inPod, inClusterRoot: dir }), (err: Error) => err.message.includes(`no token at ${tokenPath}`));
  });
});

describe('restConfigFromKubeConfig', () => {
  it('converts a client-node KubeConfig exactly as the kubeconfig text reads', () => {
    const text = single(
      { server: 'https://api.example:6443', 'certificate-authority-data': b64(CA), 'tls-server-name': 'api.internal' },
      { 'client-certificate-data': b64(CERT), 'client-key-data': b64(KEY), token: 'tok' },
      'team-b',
    );
    const kc = new KubeConfig();
    kc.loadFromString(text);
    const expected: RestConfig = {
      server: 'https://api.example:6443',
      tls: { ca: CA, serverName: 'api.internal', cert: CERT, key: KEY },
      credentials: { type: 'token', token: 'tok' },
      namespace: 'team-b',
    };
    assert.deepEqual(restConfigFromKubeConfig(kc), expected);
    assert.deepEqual(fromText(text), expected);
  });

  it('converts insecure clusters, basic auth and exec plugins', () => {
    const kc = new KubeConfig();
    kc.loadFromString(single({ ...SERVER, 'insecure-skip-tls-verify': true }, { username: 'ann', password: 'pw' }));
    assert.deepEqual(restConfigFromKubeConfig(kc), { server: SERVER.server, tls: { insecureSkipVerify: true }, credentials: { type: 'basic', username: 'ann', password: 'pw' } });
    const exec = { command: 'get-token', args: ['a'], env: [{ name: 'K', value: 'V' }], apiVersion: 'client.authentication.k8s.io/v1', provideClusterInfo: true };
    kc.loadFromString(single(SERVER, { exec }));
    assert.deepEqual(restConfigFromKubeConfig(kc).credentials, {
      type: 'exec',
      plugin: { command: 'get-token', args: ['a'], env: { K: 'V' }, apiVersion: 'client.authentication.k8s.io/v1', provideClusterInfo: true },
    });
  });

  it("reads client-node's in-cluster shape (auth-provider tokenFile) as a token file, and resolves relative files against the working directory", () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'inCluster', server: 'https://10.96.0.1:443', skipTLSVerify: false }],
      users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: 'sa/token' } } }],
      contexts: [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace: 'ns' }],
      currentContext: 'inClusterContext',
    });
    assert.deepEqual(restConfigFromKubeConfig(kc), {
      server: 'https://10.96.0.1:443',
      tls: {},
      credentials: { type: 'tokenFile', path: path.resolve('sa/token') },
      namespace: 'ns',
    });
  });

  it('rejects other auth providers and names missing pieces', () => {
    const kc = new KubeConfig();
    kc.loadFromString(single(SERVER, { 'auth-provider': { name: 'gcp' } }));
    assert.throws(() => restConfigFromKubeConfig(kc), /user "u" uses auth-provider "gcp", which is not supported; use an exec credential plugin/);
    kc.loadFromString(kubeconfig({ current: 'c', clusters: { k: SERVER }, contexts: { c: { cluster: 'k', user: 'ghost' } } }));
    assert.throws(() => restConfigFromKubeConfig(kc), /user "ghost" not found/);
    kc.loadFromString(kubeconfig({ current: 'c', clusters: { k: SERVER }, contexts: { c: { cluster: 'gone' } } }));
    assert.throws(() => restConfigFromKubeConfig(kc), /cluster "gone" not found/);
    kc.loadFromString(kubeconfig({ current: 'nope', clusters: { k: SERVER }, contexts: { c: { cluster: 'k' } } }));
    assert.throws(() => restConfigFromKubeConfig(kc), /context "nope" not found/);
  });

  it('isRestConfig and toRestConfig tell a RestConfig from a KubeConfig', () => {
    const kc = new KubeConfig();
    kc.loadFromString(single(SERVER, { token: 't' }));
    const rc: RestConfig = { server: SERVER.server, tls: {}, credentials: { type: 'none' } };
    assert.equal(isRestConfig(rc), true);
    assert.equal(isRestConfig(kc), false);
    assert.equal(isRestConfig(null), false);
    assert.equal(isRestConfig({ server: 'x' }), false);
    assert.equal(toRestConfig(rc), rc);
    assert.deepEqual(toRestConfig(kc), { server: SERVER.server, tls: {}, credentials: { type: 'token', token: 't' } });
  });
});

/**
 * A real exec plugin: counts its runs in `runs`, records KUBERNETES_EXEC_INFO in `exec-info.json`,
 * and behaves as the `mode` file says (ok by default), with the expiry from the `expires` file.
 */
const PLUGIN = `
import fs from 'node:fs';
import path from 'node:path';
const dir = process.env.PLUGIN_DIR;
const read = (name, fallback) => fs.existsSync(path.join(dir, name)) ? fs.readFileSync(path.join(dir, name), 'utf8') : fallback;
fs.appendFileSync(path.join(dir, 'runs'), '.');
const run = read('runs', '').length;
fs.writeFileSync(path.join(dir, 'exec-info.json'), process.env.KUBERNETES_EXEC_INFO ?? '');
const mode = read('mode', 'ok');
const expirationTimestamp = read('expires', undefined);
const apiVersion = 'client.authentication.k8s.io/v1';
const status = mode === 'cert' ? { clientCertificateData: 'CERT-' + run, clientKeyData: 'KEY-' + run } : { token: 'tok-' + run, expirationTimestamp };
if (mode === 'fail') {
  process.stderr.write('  error: the refresh token has expired; log in again ' + 'x'.repeat(2000) + '\\n');
  process.exit(3);
}
if (mode === 'badjson') process.stdout.write('Bearer tok-secret');
else if (mode === 'nostatus') process.stdout.write(JSON.stringify({ apiVersion, kind: 'ExecCredential' }));
else if (mode === 'wrongversion') process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'tok-secret' } }));
else process.stdout.write(JSON.stringify({ apiVersion, kind: 'ExecCredential', status }));
`;

interface PluginFixture {
  dir: string;
  plugin: ExecCredentialPlugin;
  runs(): number;
  set(name: 'mode' | 'expires', value: string): void;
  execInfo(): unknown;
}

function pluginFixture(t: TestContext, extra: Partial<ExecCredentialPlugin> = {}): PluginFixture {
  const dir = tempDir(t);
  const script = write(dir, 'plugin.mjs', PLUGIN);
  return {
    dir,
    plugin: {
      command: process.execPath,
      args: [script],
      env: { PLUGIN_DIR: dir },
      apiVersion: 'client.authentication.k8s.io/v1',
      provideClusterInfo: false,
      ...extra,
    },
    runs: () => (fs.existsSync(path.join(dir, 'runs')) ? fs.readFileSync(path.join(dir, 'runs'), 'utf8').length : 0),
    set: (name, value) => fs.writeFileSync(path.join(dir, name), value),
    execInfo: () => JSON.parse(fs.readFileSync(path.join(dir, 'exec-info.json'), 'utf8')),
  };
}

const CLUSTER: ExecClusterInfo = { server: 'https://api.example:6443', ca: CA, serverName: 'api.internal' };

describe('ExecCredentialSource', () => {
  it('runs the plugin once and keeps a credential without expiry', async (t) => {
    const f = pluginFixture(t);
    const source = new ExecCredentialSource(f.plugin, CLUSTER);
    const first = await source.get();
    assert.deepEqual(first, { token: 'tok-1' });
    assert.equal(await source.get(), first);
    assert.equal(f.runs(), 1);
  });

  it('hands the plugin KUBERNETES_EXEC_INFO, with the cluster only when provideClusterInfo', async (t) => {
    const f = pluginFixture(t, { provideClusterInfo: true });
    await new ExecCredentialSource(f.plugin, CLUSTER).get();
    assert.deepEqual(f.execInfo(), {
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: { interactive: false, cluster: { server: CLUSTER.server, 'tls-server-name': 'api.internal', 'certificate-authority-data': b64(CA) } },
    });
    await new ExecCredentialSource({ ...f.plugin, provideClusterInfo: false }, CLUSTER).get();
    assert.deepEqual(f.execInfo(), { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } });
  });

  it('runs the plugin again once the credential is about to expire', async (t) => {
    const f = pluginFixture(t);
    let now = Date.UTC(2025, 0, 1);
    f.set('expires', new Date(now + 3_600_000).toISOString());
    const source = new ExecCredentialSource(f.plugin, CLUSTER, { clock: { now: () => now } });
    assert.equal((await source.get()).token, 'tok-1');
    now += 3_000_000;
    assert.equal((await source.get()).token, 'tok-1');
    now += 595_000; // 5 s before expiry: inside the refresh margin
    assert.equal((await source.get()).token, 'tok-2');
    assert.equal(f.runs(), 2);
  });

  it('does not keep a credential that arrives already expired', async (t) => {
    const f = pluginFixture(t);
    f.set('expires', '2000-01-01T00:00:00Z');
    const source = new ExecCredentialSource(f.plugin, CLUSTER);
    assert.equal((await source.get()).token, 'tok-1');
    assert.equal((await source.get()).token, 'tok-2');
  });

  it('invalidate() forces a new run, but not when a newer credential was fetched since', async (t) => {
    const f = pluginFixture(t);
    const source = new ExecCredentialSource(f.plugin, CLUSTER);
    const first = await source.get();
    source.invalidate();
    const second = await source.get();
    assert.equal(second.token, 'tok-2');
    source.invalidate(first);
    assert.equal(await source.get(), second);
    source.invalidate(second);
    assert.equal((await source.get()).token, 'tok-3');
    assert.equal(f.runs(), 3);
  });

  it('shares one plugin run among concurrent callers', async (t) => {
    const f = pluginFixture(t);
    const source = new ExecCredentialSource(f.plugin, CLUSTER);
    const got = await Promise.all(Array.from({ length: 5 }, () => source.get()));
    assert.equal(f.runs(), 1);
    for (const g of got) assert.equal(g, got[0]);
  });

  it('returns client certificates', async (t) => {
    const f = pluginFixture(t);
    f.set('mode', 'cert');
    assert.deepEqual(await new ExecCredentialSource(f.plugin, CLUSTER).get(), { cert: 'CERT-1', key: 'KEY-1' });
  });

  it('reports a failing plugin with its command, exit code and trimmed, clipped stderr, and retries on the next call', async (t) => {
    const f = pluginFixture(t);
    f.set('mode', 'fail');
    const source = new ExecCredentialSource(f.plugin, CLUSTER);
    await assert.rejects(source.get(), (err: Error) => {
      assert.ok(err.message.startsWith(`exec credential plugin "${process.execPath}" failed (exit code 3): error: the refresh token has expired`), err.message);
      assert.ok(err.message.length < 700, `clipped (${err.message.length})`);
      return true;
    });
    f.set('mode', 'ok');
    assert.equal((await source.get()).token, 'tok-2');
  });

  it('rejects output that is not a matching ExecCredential, without echoing it', async (t) => {
    const f = pluginFixture(t);
    const source = new ExecCredentialSource(f.plugin, CLUSTER);
    const rejects = async (mode: string, message: RegExp) => {
      f.set('mode', mode);
      await assert.rejects(source.get(), (err: Error) => {
        assert.match(err.message, message);
        assert.doesNotMatch(err.message, /tok-/);
        return true;
      });
    };
    await rejects('badjson', /printed output that is not JSON/);
    await rejects('nostatus', /printed an ExecCredential without status/);
    await rejects('wrongversion', /printed apiVersion "client.authentication.k8s.io\/v1beta1", expected "client.authentication.k8s.io\/v1"/);
  });

  it('names a command that cannot be started', async () => {
    const plugin: ExecCredentialPlugin = { command: 'streamspace-no-such-plugin', args: [], env: {}, apiVersion: 'client.authentication.k8s.io/v1', provideClusterInfo: false };
    await assert.rejects(new ExecCredentialSource(plugin, CLUSTER).get(), /exec credential plugin "streamspace-no-such-plugin" failed \(ENOENT\)/);
  });
});
