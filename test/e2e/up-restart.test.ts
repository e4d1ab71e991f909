/**
 * `streamspace up --data-dir D` killed outright (SIGKILL of its process group: an OOM kill, a
 * crash, a closed laptop lid) starts again on the same data folder with no manual step: the
 * admission configurations it left point at the webhook Service, not at the dead process, and the
 * new process serves and registers itself before anything goes through admission. Sessions
 * created through the API afterwards are defaulted, and the dead process's
 * endpoint is gone once its registration expires.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { userLabelValue } from '../../src/apis/stream/v1alpha1/naming.ts';
import { eventually } from '../support/control-plane.ts';
import { apiRequest, startStreamspace, type StreamspaceProcess } from '../support/processes.ts';

const PASSWORD = 'correct-horse-battery-staple';

/** A GET on the embedded control plane with the kubeconfig the process wrote into the data folder. */
function kubeGet(dataDir: string, urlPath: string): Promise<{ status: number; json: any }> {
  const kubeconfig = fs.readFileSync(path.join(dataDir, 'kubeconfig'), 'utf8');
  const server = /server: (\S+)/.exec(kubeconfig)![1];
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(kubeconfig)![1], 'base64').toString('utf8');
  const token = /token: (\S+)/.exec(kubeconfig)![1];
  return new Promise((resolve, reject) => {
    https.get(`${server}${urlPath}`, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    }).on('error', reject);
  });
}

void describe('streamspace up after a SIGKILL', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-up-restart-'));
  const started: StreamspaceProcess[] = [];
  after(async () => {
    await Promise.all(started.map((p) => p.kill('SIGKILL')));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function up(): Promise<{ proc: StreamspaceProcess; base: string; token: string }> {
    const proc = startStreamspace(['up', '--data-dir', dataDir, '--port', '0', '--api-port', '0'], {
      STREAMSPACE_ADMIN_PASSWORD: PASSWORD, STREAMSPACE_METRICS_PORT: '0', STREAMSPACE_WEBHOOK_LEASE_SECONDS: '2',
    });
    started.push(proc);
    const [, base] = await proc.waitFor(/StreamSpace API:\s+(http:\/\/\S+)/, 'the API URL printed', 120_000);
    const login = await apiRequest(base, 'POST', '/api/v1/auth/login', undefined, { username: 'admin', password: PASSWORD });
    assert.equal(login.status, 200);
    return { proc, base, token: login.json.accessToken };
  }

  void it('starts again on the same data folder, and admission works without a manual step', async () => {
    const first = await up();
    const one = await apiRequest(first.base, 'POST', '/api/v1/sessions', first.token, { template: 'firefox' });
    assert.equal(one.status, 202, JSON.stringify(one.json));
    const endpointsBefore = await kubeGet(dataDir, '/api/v1/namespaces/streamspace/endpoints/streamspace-webhooks');
    const deadAddress = endpointsBefore.json.subsets.flatMap((s: any) => s.ports.map((p: any) => p.port));
    assert.equal(deadAddress.length, 1);

    assert.equal(await first.proc.kill('SIGKILL'), null);

    const second = await up();
    assert.doesNotMatch(second.proc.err(), /failed calling webhook/);
    const two = await apiRequest(second.base, 'POST', '/api/v1/sessions', second.token, { template: 'firefox' });
    assert.equal(two.status, 202, JSON.stringify(two.json));
    const stored = await kubeGet(dataDir, `/apis/stream.streamspace.io/v1alpha1/namespaces/streamspace/sessions/${two.json.metadata.name}`);
    assert.equal(stored.json.spec.idleTimeout, '30m', 'the mutating webhook defaulted the session');
    assert.equal(stored.json.metadata.labels['stream.streamspace.io/user'], userLabelValue('admin'));

    const vwc = await kubeGet(dataDir, '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/streamspace-webhooks');
    assert.equal(vwc.json.webhooks[0].clientConfig.service.name, 'streamspace-webhooks');
    await eventually('the dead process leaves the webhook Endpoints', async () => {
      const ep = await kubeGet(dataDir, '/api/v1/namespaces/streamspace/endpoints/streamspace-webhooks');
      const ports = ep.json.subsets.flatMap((s: any) => s.ports.map((p: any) => p.port));
      return ports.length === 1 && ports[0] !== deadAddress[0];
    }, 20_000);
    assert.equal(await second.proc.kill('SIGTERM'), 0);
  });
});
