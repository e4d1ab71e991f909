/**
 * The real kubectl's protobuf request bodies against the embedded control plane. kubectl's typed
 * clients (`kubectl create <kind>`, `kubectl debug`) send `application/vnd.kubernetes.protobuf`;
 * every kubectl here goes through a recording HTTPS proxy so each test also proves the request
 * really was protobuf (a kubectl that fell back to JSON would otherwise pass unnoticed). Objects
 * are checked through `kubectl get -o json`. Evictions are POSTed as hand-built protobuf bytes,
 * since kubectl v1.32's drain sends its evictions as JSON.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderKubeconfig } from '../../src/controlplane/kubeconfig.ts';
import { protobufToObject } from '../../src/controlplane/http/protobuf/decode-body.ts';
import { createCertificateAuthority, issueServingCertificate } from '../../src/tls/certificates.ts';
import { eventually, startTestCluster, type TestCluster } from '../support/control-plane.ts';
import { kubectlFor, type Kubectl } from '../support/kubectl.ts';

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const NS = 'pb';

/** One request kubectl made, as the proxy saw it. */
interface RecordedRequest {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

interface RecordingProxy {
  kubeconfigPath: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTPS proxy in front of the control plane that records every request kubectl sends. */
async function startRecordingProxy(c: TestCluster): Promise<RecordingProxy> {
  const hour = 3600_000;
  const ca = await createCertificateAuthority('protobuf-test-proxy', hour);
  const serving = await issueServingCertificate(ca, { hosts: ['127.0.0.1'], validForMs: hour });
  const requests: RecordedRequest[] = [];
  const server = https.createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method!, path: req.url!.split('?')[0], contentType: String(req.headers['content-type'] ?? ''), body });
      const upstream = https.request(`${c.cp.url}${req.url}`, { method: req.method, headers: req.headers, ca: c.cp.caPem }, (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      });
      upstream.on('error', (err) => res.destroy(err));
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeconfigPath = path.join(c.tmp, 'proxy-kubeconfig');
  const { port } = server.address() as AddressInfo;
  fs.writeFileSync(kubeconfigPath, renderKubeconfig({ server: `https://127.0.0.1:${port}`, caPem: ca.certPem, token: c.cp.token }));
  return {
    kubeconfigPath, requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The answer to a raw binary request. */
interface BinaryResponse {
  status: number;
  json: any;
}

/** POSTs raw bytes to the control plane (admin token). */
function postBytes(c: TestCluster, urlPath: string, body: Buffer, contentType = PROTOBUF): Promise<BinaryResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${c.cp.url}${urlPath}`, {
      method: 'POST', ca: c.cp.caPem,
      headers: { authorization: `Bearer ${c.cp.token}`, 'content-type': contentType, accept: `${PROTOBUF}, application/json` },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): Buffer => Buffer.from(s, 'ascii');

/**
 * A policy/v1 Eviction of pod `evictee` in namespace `pb`, written byte by byte (lengths counted
 * by hand), optionally with DeleteOptions{preconditions{uid}} for a 36-character uid.
 */
function evictionBody(preconditionUid?: string): Buffer {
  const typeMeta = [hex('0a 15'), hex('0a 09'), ascii('policy/v1'), hex('12 08'), ascii('Eviction')]; // runtime.TypeMeta, 2+9+2+8 = 21 bytes
  const metadata = [hex('0a 0d'), hex('0a 07'), ascii('evictee'), hex('1a 02'), ascii(NS)]; // Eviction.metadata: ObjectMeta{name, namespace}, 2+7+2+2 = 13 bytes
  let deleteOptions: Buffer[] = [];
  if (preconditionUid !== undefined) {
    assert.equal(preconditionUid.length, 36);
    // Eviction.deleteOptions (40 bytes) > DeleteOptions.preconditions (38 bytes) > Preconditions.uid (36 bytes).
    deleteOptions = [hex('12 28'), hex('12 26'), hex('0a 24'), ascii(preconditionUid)];
  }
  const raw = Buffer.concat([...metadata, ...deleteOptions]);
  assert.ok(raw.length < 128, 'a one-byte length prefix is enough');
  return Buffer.concat([
    hex('6b 38 73 00'), // "k8s\0"
    ...typeMeta,
    hex('12'), Buffer.of(raw.length), raw, // runtime.Unknown.raw
    hex('1a 00 22 00'), // contentEncoding "", contentType ""
  ]);
}

/** Drops `null` members: kubectl's JSON writes them for unset non-omitempty fields; they mean "absent". */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

void describe('kubectl protobuf request bodies', () => {
  let c: TestCluster;
  let proxy: RecordingProxy;
  let homes = 0;
  const kubectl = (): Kubectl => kubectlFor(proxy.kubeconfigPath, c.tmp, `pb-home-${homes++}`);
  const getJson = async (...args: string[]): Promise<any> => JSON.parse(await kubectl().ok(['get', ...args, '-o', 'json']));

  /** Runs kubectl and returns the last write request it sent to a path ending in `pathSuffix`. */
  async function sent(args: string[], pathSuffix: string): Promise<RecordedRequest> {
    const from = proxy.requests.length;
    await kubectl().ok(args);
    const writes = proxy.requests.slice(from).filter((r) => ['POST', 'PUT'].includes(r.method) && r.path.endsWith(pathSuffix));
    assert.ok(writes.length > 0, `kubectl ${args.join(' ')} sent no write to …${pathSuffix}`);
    return writes[writes.length - 1];
  }

  async function createdWithProtobuf(args: string[], pathSuffix: string): Promise<RecordedRequest> {
    const req = await sent(args, pathSuffix);
    assert.equal(req.contentType, PROTOBUF, `kubectl ${args.join(' ')} should send protobuf`);
    return req;
  }

  before(async () => {
    c = await startTestCluster();
    proxy = await startRecordingProxy(c);
    await createdWithProtobuf(['create', 'namespace', NS], '/namespaces');
  });
  after(async () => {
    await proxy?.close();
    await c?.stop();
  });

  void it('creates a namespace', async () => {
    await createdWithProtobuf(['create', 'namespace', 'pb-other'], '/namespaces');
    const ns = await getJson('namespace', 'pb-other');
    assert.equal(ns.metadata.name, 'pb-other');
    assert.equal(ns.status.phase, 'Active');
  });

  void it('creates a configmap from literals', async () => {
    await createdWithProtobuf(['create', 'configmap', 'settings', '-n', NS, '--from-literal=mode=fast', '--from-literal=level=3'], '/configmaps');
    const cm = await getJson('configmap', 'settings', '-n', NS);
    assert.deepEqual(cm.data, { mode: 'fast', level: '3' });
  });

  void it('creates a generic secret whose data round-trips byte for byte', async () => {
    const password = 'p@ss wörd\n"quoted"\t€';
    await createdWithProtobuf(['create', 'secret', 'generic', 'creds', '-n', NS, '--from-literal=user=admin', `--from-literal=password=${password}`], '/secrets');
    const secret = await getJson('secret', 'creds', '-n', NS);
    assert.equal(secret.type, 'Opaque');
    assert.equal(Buffer.from(secret.data.user, 'base64').toString('utf8'), 'admin');
    assert.equal(Buffer.from(secret.data.password, 'base64').toString('utf8'), password);
  });

  void it('creates a deployment whose pods the simulated cluster runs', async () => {
    await createdWithProtobuf(['create', 'deployment', 'web', '-n', NS, '--image=nginx:1.27', '--replicas=2', '--port=80'], '/deployments');
    const deploy = await getJson('deployment', 'web', '-n', NS);
    assert.equal(deploy.spec.replicas, 2);
    assert.deepEqual(deploy.spec.selector, { matchLabels: { app: 'web' } });
    const [container] = deploy.spec.template.spec.containers;
    assert.equal(container.image, 'nginx:1.27');
    assert.deepEqual(container.ports.map((p: any) => p.containerPort), [80]);
    const pods = await eventually('two web pods', async () => {
      const list = await getJson('pods', '-n', NS, '-l', 'app=web');
      return list.items.length === 2 ? list.items : undefined;
    });
    for (const pod of pods) assert.equal(pod.spec.containers[0].image, 'nginx:1.27');
  });

  void it('creates a deployment with zero replicas and a command', async () => {
    await createdWithProtobuf(['create', 'deployment', 'idle', '-n', NS, '--image=busybox', '--replicas=0', '--', 'sleep', '3600'], '/deployments');
    const deploy = await getJson('deployment', 'idle', '-n', NS);
    assert.equal(deploy.spec.replicas, 0, 'an explicit zero must not be defaulted to 1');
    assert.deepEqual(deploy.spec.template.spec.containers[0].command, ['sleep', '3600']);
  });

  void it('creates a ClusterIP service with a numeric target port', async () => {
    await createdWithProtobuf(['create', 'service', 'clusterip', 'web', '-n', NS, '--tcp=80:8080'], '/services');
    const svc = await getJson('service', 'web', '-n', NS);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.deepEqual(svc.spec.selector, { app: 'web' });
    assert.deepEqual(svc.spec.ports.map((p: any) => [p.port, p.targetPort, p.protocol]), [[80, 8080, 'TCP']]);
  });

  void it('creates a NodePort service with a named target port', async () => {
    await createdWithProtobuf(['create', 'service', 'nodeport', 'web-np', '-n', NS, '--tcp=80:http', '--node-port=30081'], '/services');
    const svc = await getJson('service', 'web-np', '-n', NS);
    assert.deepEqual(svc.spec.ports.map((p: any) => [p.port, p.targetPort, p.nodePort]), [[80, 'http', 30081]]);
  });

  void it('runs a pod with labels and env (kubectl v1.32 sends this one as JSON)', async () => {
    await sent(['run', 'shell', '-n', NS, '--image=busybox', '--labels=app=shell,tier=debug', '--env=GREETING=hi', '--env=EMPTY=', '--', 'sleep', '3600'], '/pods');
    const pod = await getJson('pod', 'shell', '-n', NS);
    assert.deepEqual(pod.metadata.labels, { app: 'shell', tier: 'debug' });
    assert.deepEqual(pod.spec.containers[0].env, [{ name: 'GREETING', value: 'hi' }, { name: 'EMPTY' }]);
  });

  void it('copies a pod with kubectl debug --copy-to (a protobuf Pod)', async () => {
    await kubectl().ok(['run', 'orig', '-n', NS, '--image=busybox', '--labels=app=orig', '--env=A=1', '--port=8080', '--', 'sleep', '3600']);
    await createdWithProtobuf(['debug', 'orig', '-n', NS, '--copy-to=orig-copy', '--image=busybox', '--container=dbg', '--', 'sleep', '60'], '/pods');
    const pod = await getJson('pod', 'orig-copy', '-n', NS);
    const [main, dbg] = pod.spec.containers;
    assert.deepEqual(main.env, [{ name: 'A', value: '1' }]);
    assert.deepEqual(main.args, ['sleep', '3600']);
    assert.deepEqual(main.ports, [{ containerPort: 8080, protocol: 'TCP' }]);
    assert.equal(dbg.name, 'dbg');
    assert.deepEqual(dbg.command, ['sleep', '60']);
    assert.equal(pod.spec.enableServiceLinks, true);
  });

  void it('creates a node debugging pod with a hostPath volume (kubectl debug node/…)', async () => {
    const nodes = await getJson('nodes');
    assert.ok(nodes.items.length > 0, 'the simulated cluster has nodes');
    const node = nodes.items[0].metadata.name as string;
    const req = await createdWithProtobuf(['debug', `node/${node}`, '-n', NS, '--image=busybox', '--', 'true'], '/pods');
    const name = (protobufToObject(req.body).metadata as { name: string }).name;
    const pod = await getJson('pod', name, '-n', NS);
    assert.equal(pod.spec.nodeName, node);
    assert.deepEqual(pod.spec.volumes.map((v: any) => [v.name, v.hostPath?.path]), [['host-root', '/']]);
    assert.deepEqual(pod.spec.containers[0].volumeMounts.map((m: any) => [m.name, m.mountPath]), [['host-root', '/host']]);
    assert.equal(pod.spec.hostPID, true);
  });

  void it('creates a service account, a role and a role binding', async () => {
    await createdWithProtobuf(['create', 'serviceaccount', 'robot', '-n', NS], '/serviceaccounts');
    await createdWithProtobuf(['create', 'role', 'reader', '-n', NS, '--verb=get,list', '--resource=pods,configmaps'], '/roles');
    await createdWithProtobuf(['create', 'rolebinding', 'robot-reads', '-n', NS, '--role=reader', `--serviceaccount=${NS}:robot`, '--user=alice'], '/rolebindings');
    assert.equal((await getJson('serviceaccount', 'robot', '-n', NS)).metadata.name, 'robot');
    const role = await getJson('role', 'reader', '-n', NS);
    assert.deepEqual(role.rules, [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'configmaps'] }]);
    const binding = await getJson('rolebinding', 'robot-reads', '-n', NS);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    assert.deepEqual(binding.subjects.map((s: any) => [s.kind, s.name]), [['User', 'alice'], ['ServiceAccount', 'robot']]);
  });

  void it('refuses a kind it cannot read from protobuf with 415 that says to use JSON', async () => {
    const r = await kubectl().run(['create', 'job', 'once', '-n', NS, '--image=busybox']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /protobuf request bodies of kind Job \(batch\/v1\) are not supported/);
    assert.match(r.stderr, /application\/json/);
  });

  void it('decodes each body to exactly what kubectl renders as JSON for the same command', async () => {
    const commands = [
      ['create', 'configmap', 'same-cm', '-n', NS, '--from-literal=a=1', '--from-literal=b=two'],
      ['create', 'secret', 'docker-registry', 'same-reg', '-n', NS, '--docker-server=r.example.com', '--docker-username=u', '--docker-password=p'],
      ['create', 'deployment', 'same-deploy', '-n', NS, '--image=nginx:1.27', '--image=busybox', '--replicas=3', '--port=80'],
      ['create', 'service', 'nodeport', 'same-svc', '-n', NS, '--tcp=81:http', '--node-port=30082'],
      ['create', 'clusterrole', 'same-cr', '--verb=get', '--resource=pods', '--non-resource-url=/healthz'],
      ['create', 'pdb', 'same-pdb', '-n', NS, '--selector=app=same', '--max-unavailable=0'],
      ['create', 'ingress', 'same-ing', '-n', NS, '--class=nginx', '--rule=a.example.com/=web:80,tls=cert', '--rule=b.example.com/api*=web:http'],
    ];
    for (const args of commands) {
      const rendered = JSON.parse(await kubectl().ok([args[0], '--dry-run=client', '-o', 'json', ...args.slice(1)]));
      const req = await createdWithProtobuf(args, '');
      assert.deepEqual(protobufToObject(req.body), withoutNulls(rendered), `kubectl ${args.join(' ')}`);
    }
  });

  void describe('evictions posted as protobuf', () => {
    let uid = '';
    before(async () => {
      // Unschedulable and held by a finalizer, so the pod stays put and no controller races the test.
      await kubectl().ok(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: 'evictee', namespace: NS, labels: { app: 'evictee' }, finalizers: ['example.com/hold'] },
        spec: { nodeSelector: { 'example.com/nowhere': 'true' }, containers: [{ name: 'c', image: 'busybox' }] },
      }));
      uid = (await getJson('pod', 'evictee', '-n', NS)).metadata.uid;
    });
    after(async () => {
      await kubectl().run(['patch', 'pod', 'evictee', '-n', NS, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    });

    void it('honours the preconditions in deleteOptions (wrong uid → 409)', async () => {
      const res = await postBytes(c, `/api/v1/namespaces/${NS}/pods/evictee/eviction`, evictionBody('00000000-0000-0000-0000-000000000000'));
      assert.equal(res.status, 409, JSON.stringify(res.json));
      assert.match(res.json.message, /Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000/);
      assert.equal((await getJson('pod', 'evictee', '-n', NS)).metadata.deletionTimestamp, undefined);
    });

    void it('is refused by a PodDisruptionBudget that kubectl created with protobuf (429)', async () => {
      await createdWithProtobuf(['create', 'pdb', 'evictee-guard', '-n', NS, '--selector=app=evictee', '--max-unavailable=0'], '/poddisruptionbudgets');
      try {
        const res = await postBytes(c, `/api/v1/namespaces/${NS}/pods/evictee/eviction`, evictionBody());
        assert.equal(res.status, 429, JSON.stringify(res.json));
        assert.equal(res.json.details.causes[0].reason, 'DisruptionBudget');
      } finally {
        await kubectl().ok(['delete', 'pdb', 'evictee-guard', '-n', NS]);
      }
    });

    void it('evicts the pod when the uid precondition matches (201)', async () => {
      const res = await postBytes(c, `/api/v1/namespaces/${NS}/pods/evictee/eviction`, evictionBody(uid));
      assert.equal(res.status, 201, JSON.stringify(res.json));
      assert.equal(res.json.status, 'Success');
      const pod = await getJson('pod', 'evictee', '-n', NS);
      assert.ok(pod.metadata.deletionTimestamp, 'the evicted pod is being deleted');
    });
  });
});
