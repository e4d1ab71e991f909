/**
 * Webhook certificates under rotation, with admissions running the whole time: the self-signed CA
 * and serving certificate (lifetimes of about a second, so several rotations happen in a few
 * seconds), and cert-manager style mounted files behind a Service reference. Observed only over
 * the network: the certificate the webhook port presents (TLS handshake) and the caBundle in the
 * configurations (API server); every admission must succeed.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { after, describe, it } from 'node:test';
import { createCertificateAuthority, issueServingCertificate } from '../../src/tls/certificates.ts';
import { eventually, webhookAdmission } from '../support/control-plane.ts';
import { createNamespaced, sample, scrape, session, startWebhookCluster, template, type WebhookCluster } from './webhook-cluster.ts';

const NS = 'rotation';

/** The SHA-256 fingerprint of the certificate presented on `port` (for `servername`, when given). */
function presentedFingerprint(port: number, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on('error', reject);
  });
}

/** The caBundle (decoded PEM) of both configurations, which must agree. */
async function publishedBundle(w: WebhookCluster): Promise<string> {
  const bundles = await Promise.all(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'].map(async (kind) => {
    const config = await w.c.objects.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name: 'streamspace-webhooks' } }) as any;
    return config.webhooks.map((h: any) => Buffer.from(h.clientConfig.caBundle, 'base64').toString('utf8'));
  }));
  const all = new Set(bundles.flat());
  assert.equal(all.size, 1, 'every webhook carries the same bundle');
  return [...all][0];
}

/** The PEM blocks of a bundle, trimmed. */
function certificatesIn(bundle: string): string[] {
  return bundle.split(/(?=-----BEGIN CERTIFICATE-----)/).map((pem) => pem.trim()).filter(Boolean);
}

/** Creates sessions (and dry-run templates) one after another until stopped; records every failure. */
function admissionLoop(w: WebhookCluster, id: string): { stop(): Promise<{ admitted: number; failures: unknown[] }> } {
  let running = true;
  let admitted = 0;
  const failures: unknown[] = [];
  const loop = (async () => {
    for (let i = 0; running; i++) {
      try {
        await createNamespaced(w, session(NS, `${id}-${i}`, `user-${id}`, 'firefox'));
        await createNamespaced(w, template(NS, `t-${id}-${i}`), { dryRun: true });
        admitted += 2;
      } catch (err) {
        failures.push((err as { body?: unknown }).body ?? err);
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { admitted, failures };
    },
  };
}

void describe('webhook certificate rotation', () => {
  const clusters: WebhookCluster[] = [];
  after(async () => {
    for (const w of clusters) await w.stop();
  });

  void it('rotates its own CA and serving certificate several times without a failed admission', async () => {
    const w = await startWebhookCluster({ tls: { caLifetimeMs: 3000, servingLifetimeMs: 1500 } }, [NS]);
    clusters.push(w);
    await createNamespaced(w, template(NS, 'firefox'));
    const loops = [admissionLoop(w, 'a'), admissionLoop(w, 'b')];
    const bundles = new Set<string>();
    const presented = new Set<string>();
    let overlapSeen = false;
    await eventually('two CA rotations and four serving certificates', async () => {
      const bundle = await publishedBundle(w);
      bundles.add(bundle);
      overlapSeen ||= certificatesIn(bundle).length === 2;
      presented.add(await presentedFingerprint(w.webhooks.port));
      return bundles.size >= 3 && presented.size >= 5;
    }, 20_000);
    const results = await Promise.all(loops.map((l) => l.stop()));
    assert.deepEqual(results.flatMap((r) => r.failures), []);
    assert.ok(results.every((r) => r.admitted >= 10), `admissions ran throughout: ${results.map((r) => r.admitted).join(', ')}`);
    assert.ok(overlapSeen, 'after a CA rotation the bundle holds the old and the new CA');
    const metrics = await scrape(w);
    assert.ok(metrics.get(sample('streamspace_webhook_certificate_rotations_total', { certificate: 'ca' }))! >= 2);
    assert.ok(metrics.get(sample('streamspace_webhook_certificate_rotations_total', { certificate: 'serving' }))! >= 4);
  });

  void it('serves a mounted cert-manager certificate behind a Service and follows its renewal', async () => {
    const service = { namespace: 'streamspace-system', name: 'streamspace-webhooks' };
    const dnsName = `${service.name}.${service.namespace}.svc`;
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'webhook-certs-'));
    const issue = async (n: number) => {
      const ca = await createCertificateAuthority(`cert-manager-ca-${n}`, 3600_000);
      const serving = await issueServingCertificate(ca, { hosts: [dnsName], validForMs: 3600_000 });
      mountSecret(dir, n, { 'tls.crt': serving.certPem, 'tls.key': serving.keyPem, 'ca.crt': ca.certPem });
      return { caPem: ca.certPem, fingerprint: new X509Certificate(serving.certPem).fingerprint256 };
    };
    const first = await issue(1);
    const target = { port: 0 };
    const w = await startWebhookCluster(
      { service, tls: { mode: 'mounted', dir, pollIntervalMs: 20, bundlePropagationMs: 0 } }, [NS],
      { admission: webhookAdmission({ serviceResolver: () => ({ host: '127.0.0.1', port: target.port }) }) },
    );
    clusters.push(w);
    target.port = w.webhooks.port;
    const mutating = await w.c.objects.read({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'streamspace-webhooks' } }) as any;
    assert.deepEqual({ ...mutating.webhooks[0].clientConfig.service }, { ...service, port: 443, path: '/mutate-session' });
    assert.deepEqual(certificatesIn(await publishedBundle(w)), [first.caPem.trim()]);
    assert.equal(await presentedFingerprint(w.webhooks.port, dnsName), first.fingerprint);

    await createNamespaced(w, template(NS, 'firefox'));
    const loop = admissionLoop(w, 'm');
    const second = await issue(2);
    await eventually('the renewed certificate is served', async () => (await presentedFingerprint(w.webhooks.port, dnsName)) === second.fingerprint);
    assert.deepEqual(certificatesIn(await publishedBundle(w)), [first.caPem.trim(), second.caPem.trim()], 'old and new CA during the overlap');
    const { admitted, failures } = await loop.stop();
    assert.deepEqual(failures, []);
    assert.ok(admitted > 0);
  });
});

/**
 * Writes a Secret volume the way the kubelet does: files in a fresh folder, `..data` switched to it
 * with one rename, and the visible names as links through `..data`, so a reader never sees half of
 * an update.
 */
function mountSecret(dir: string, generation: number, files: Record<string, string>): void {
  const version = `..v${generation}`;
  fs.mkdirSync(path.join(dir, version));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, version, name), content);
  fs.symlinkSync(version, path.join(dir, '..data_tmp'));
  fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  for (const name of Object.keys(files)) {
    if (!fs.existsSync(path.join(dir, name))) fs.symlinkSync(path.join('..data', name), path.join(dir, name));
  }
}
