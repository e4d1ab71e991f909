import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { StatusError } from '../../../apimachinery/errors.ts';
import { isProtobufMediaType, protobufToObject, requestBodyText } from './decode-body.ts';
import { envelope, lField, vField } from './testdata/wire-bytes.ts';

const TESTDATA = path.join(import.meta.dirname, 'testdata');
const fixture = (name: string): Buffer => fs.readFileSync(path.join(TESTDATA, `${name}.pb`));
const expected = JSON.parse(fs.readFileSync(path.join(TESTDATA, 'expected.json'), 'utf8')) as Record<string, { command: string; object: unknown }>;

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a StatusError');
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

void describe('protobuf request bodies captured from kubectl', () => {
  for (const [name, { command, object }] of Object.entries(expected)) {
    void it(`${name}.pb decodes to the object kubectl meant`, () => {
      assert.deepEqual(protobufToObject(fixture(name)), object, command);
    });
  }

  void it('keeps the secret bytes exact (base64 of the raw value, not of a re-encoded string)', () => {
    const secret = protobufToObject(fixture('secret-generic')) as { data: Record<string, string> };
    assert.equal(Buffer.from(secret.data.pw, 'base64').toString('utf8'), 'p@ssé\n w');
    const cm = protobufToObject(fixture('configmap-from-files')) as { binaryData: Record<string, string> };
    assert.deepEqual([...Buffer.from(cm.binaryData['bin.dat'], 'base64')], [0x00, 0xff, 0xfe, ...Buffer.from('hello')]);
  });

  void it('keeps an explicit zero where Go has a pointer (replicas: 0, maxUnavailable: 0)', () => {
    assert.equal((protobufToObject(fixture('deployment-zero-replicas-command')) as any).spec.replicas, 0);
    assert.equal((protobufToObject(fixture('pdb-max-unavailable-zero')) as any).spec.maxUnavailable, 0);
  });

  void it('refuses a kind without a table with 415, naming the kind and JSON', () => {
    const err = statusOf(() => protobufToObject(fixture('job')));
    assert.equal(err.code, 415);
    assert.equal(err.reason, 'UnsupportedMediaType');
    assert.match(err.message, /kind Job \(batch\/v1\)/);
    assert.match(err.message, /application\/json/);
  });

  void it('refuses malformed bodies with 400', () => {
    const truncated = fixture('deployment').subarray(0, 120);
    assert.equal(statusOf(() => protobufToObject(truncated)).code, 400);
    const noMagic = Buffer.from('{"kind":"Namespace"}');
    const err = statusOf(() => protobufToObject(noMagic));
    assert.equal(err.code, 400);
    assert.match(err.message, /k8s\\x00/);
  });
});

void describe('fields the tables do not know', () => {
  const meta = lField(1, lField(1, 'p'), lField(3, 'ns'));

  void it('refuses a top-level unknown field with 415 naming the message and number', () => {
    const body = envelope('v1', 'ConfigMap', [...meta, ...vField(99, 1)]);
    const err = statusOf(() => protobufToObject(body));
    assert.equal(err.code, 415);
    assert.match(err.message, /ConfigMap field 99/);
    assert.deepEqual(err.details?.causes, [{ reason: 'FieldValueNotSupported', message: 'ConfigMap field 99' }]);
  });

  void it('refuses a nested unsupported field (pod affinity) naming where it was', () => {
    const container = lField(2, lField(1, 'c'), lField(2, 'busybox'));
    const affinity = lField(18, lField(1));
    const body = envelope('v1', 'Pod', [...meta, ...lField(2, container, affinity)]);
    const err = statusOf(() => protobufToObject(body));
    assert.equal(err.code, 415);
    assert.match(err.message, /PodSpec field 18 \(in spec\)/);
    assert.deepEqual(err.details?.causes?.[0], { reason: 'FieldValueNotSupported', message: 'PodSpec field 18', field: 'spec' });
  });

  void it('refuses an envelope field it does not know', () => {
    const body = Buffer.concat([envelope('v1', 'ConfigMap', meta), Buffer.from(vField(5, 1))]);
    const err = statusOf(() => protobufToObject(body));
    assert.equal(err.code, 415);
    assert.match(err.message, /runtime\.Unknown field 5/);
  });

  void it('refuses a compressed or foreign envelope payload', () => {
    assert.equal(statusOf(() => protobufToObject(envelope('v1', 'ConfigMap', meta, 'gzip'))).code, 415);
    assert.equal(statusOf(() => protobufToObject(envelope('v1', 'ConfigMap', meta, '', 'application/json'))).code, 415);
    assert.deepEqual(protobufToObject(envelope('v1', 'ConfigMap', meta, '', PROTOBUF)), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p', namespace: 'ns' } });
  });
});

void describe('pod details the kubectl captures do not cover', () => {
  void it('reads resources, env valueFrom, envFrom, volumes and pod security context', () => {
    const resources = lField(8, lField(1, lField(1, 'cpu'), lField(2, lField(1, '500m'))), lField(2, lField(1, 'memory'), lField(2, lField(1, '64Mi'))));
    const envFromSecret = lField(7, lField(1, 'TOKEN'), lField(3, lField(4, lField(1, lField(1, 'creds')), lField(2, 'token'), vField(3, 1))));
    const envFromField = lField(7, lField(1, 'NODE'), lField(3, lField(1, lField(2, 'spec.nodeName'))));
    const envFrom = lField(19, lField(1, 'CFG_'), lField(2, lField(1, lField(1, 'settings'))));
    const mount = lField(9, lField(1, 'data'), lField(3, '/data'), vField(2, 1));
    const container = lField(2, lField(1, 'app'), lField(2, 'app:1'), resources, envFromSecret, envFromField, envFrom, mount, lField(14, 'IfNotPresent'));
    const volumes = [
      lField(1, lField(1, 'data'), lField(2, lField(10, lField(1, 'pvc-1')))),
      lField(1, lField(1, 'cfg'), lField(2, lField(19, lField(1, lField(1, 'settings')), vField(3, 0o644)))),
      lField(1, lField(1, 'scratch'), lField(2, lField(2, lField(2, lField(1, '1Gi'))))),
    ].flat();
    const podSecurity = lField(14, vField(2, 1000), vField(3, 1), vField(4, 2000), vField(4, 3000), vField(5, 0));
    const spec = lField(2, volumes, container, lField(3, 'OnFailure'), lField(7, lField(1, 'disk'), lField(2, 'ssd')), lField(8, 'runner'), podSecurity, vField(4, 0));
    const pod = protobufToObject(envelope('v1', 'Pod', [...lField(1, lField(1, 'p')), ...spec])) as any;
    assert.deepEqual(pod.spec, {
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: 'pvc-1' } },
        { name: 'cfg', configMap: { name: 'settings', defaultMode: 0o644 } },
        { name: 'scratch', emptyDir: { sizeLimit: '1Gi' } },
      ],
      containers: [{
        name: 'app', image: 'app:1', imagePullPolicy: 'IfNotPresent',
        resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
        env: [
          { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token', optional: true } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        ],
        envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings' } }],
        volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
      }],
      restartPolicy: 'OnFailure',
      nodeSelector: { disk: 'ssd' },
      serviceAccountName: 'runner',
      securityContext: { runAsUser: 1000, runAsNonRoot: true, supplementalGroups: [2000, 3000], fsGroup: 0 },
      terminationGracePeriodSeconds: 0,
    });
  });

  void it('reads a deployment strategy with percentage and zero IntOrStrings', () => {
    const rolling = lField(2, lField(1, vField(1, 1), lField(3, '25%')), lField(2, vField(1, 0), vField(2, 0)));
    const spec = lField(2, vField(1, 2), lField(4, lField(1, 'RollingUpdate'), rolling), vField(6, 0));
    const d = protobufToObject(envelope('apps/v1', 'Deployment', [...lField(1, lField(1, 'd')), ...spec])) as any;
    assert.deepEqual(d.spec, { replicas: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 0 } }, revisionHistoryLimit: 0 });
  });
});

void describe('Eviction and DeleteOptions bodies', () => {
  void it('reads an Eviction with delete options and preconditions', () => {
    const opts = lField(2, vField(1, 7), lField(2, lField(1, 'uid-1'), lField(2, '42')), lField(4, 'Orphan'), lField(5, 'All'));
    const body = envelope('policy/v1', 'Eviction', [...lField(1, lField(1, 'p1'), lField(3, 'default')), ...opts]);
    assert.deepEqual(protobufToObject(body), {
      apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p1', namespace: 'default' },
      deleteOptions: { gracePeriodSeconds: 7, preconditions: { uid: 'uid-1', resourceVersion: '42' }, propagationPolicy: 'Orphan', dryRun: ['All'] },
    });
  });

  void it('reads DeleteOptions under whichever group version the client tags it with', () => {
    const raw = [...vField(1, 0), ...lField(4, 'Foreground'), ...vField(3, 0)];
    for (const apiVersion of ['v1', 'apps/v1', 'meta.k8s.io/v1']) {
      assert.deepEqual(protobufToObject(envelope(apiVersion, 'DeleteOptions', raw)), {
        apiVersion, kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', orphanDependents: false,
      });
    }
  });
});

void describe('requestBodyText', () => {
  void it('turns a protobuf POST or PUT body into JSON text', () => {
    const text = requestBodyText('POST', `${PROTOBUF}; charset=binary`, fixture('namespace'));
    assert.deepEqual(JSON.parse(text), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pns' }, spec: {}, status: {} });
    assert.equal(JSON.parse(requestBodyText('PUT', PROTOBUF, fixture('configmap'))).data.b, 'two');
  });

  void it('passes JSON, PATCH and empty bodies through unchanged', () => {
    assert.equal(requestBodyText('POST', 'application/json', Buffer.from('{"a":"é"}')), '{"a":"é"}');
    assert.equal(requestBodyText('PATCH', PROTOBUF, Buffer.from('{"x":1}')), '{"x":1}');
    assert.equal(requestBodyText('DELETE', PROTOBUF, Buffer.alloc(0)), '');
  });

  void it('recognizes the protobuf media type with parameters and in any case', () => {
    assert.equal(isProtobufMediaType('Application/Vnd.Kubernetes.Protobuf; x=y'), true);
    assert.equal(isProtobufMediaType('application/vnd.kubernetes.protobuf;stream=watch'), true);
    assert.equal(isProtobufMediaType('application/json'), false);
    assert.equal(isProtobufMediaType(undefined), false);
  });
});
