// throwaway: proxy kubectl → control plane, record protobuf request bodies
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
const ex = promisify(execFile);
import { startControlPlane } from './src/controlplane/index.ts';
import { createCertificateAuthority, issueServingCertificate } from './src/tls/certificates.ts';
import { renderKubeconfig } from './src/controlplane/kubeconfig.ts';

const out = '/tmp/pb/cap';
const cp = await startControlPlane({});
const ca = await createCertificateAuthority('cap', 3600_000);
const cert = await issueServingCertificate(ca, { hosts: ['127.0.0.1', 'localhost'], validForMs: 3600_000 });
let n = 0;
const proxy = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const ct = String(req.headers['content-type'] ?? '');
    console.log(req.method, req.url, ct, body.length, req.headers.accept);
    if (ct.includes('protobuf')) fs.writeFileSync(path.join(out, `${n++}-${req.method}-${req.url!.split('?')[0].replace(/\//g, '_')}.pb`), body);
    const up = https.request(cp.url + req.url, { method: req.method, headers: req.headers, ca: cp.caPem }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.end(body);
  });
});
await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
const port = (proxy.address() as any).port;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cap-'));
const kc = path.join(home, 'kubeconfig');
fs.writeFileSync(kc, renderKubeconfig({ server: `https://127.0.0.1:${port}`, caPem: ca.certPem, token: cp.token }));
const run = async (args: string[]) => {
  try {
    console.log('$ kubectl', args.join(' '));
    console.log((await ex('kubectl', args, { env: { ...process.env, HOME: home, KUBECONFIG: kc, KUBECTL_KUBERC: 'false' }, encoding: 'utf8' })).stdout);
  } catch (e: any) { console.log('FAILED', e.stderr); }
};
const cmds = JSON.parse(process.argv[2]) as string[][];
for (const c of cmds) await run(c);
proxy.close(); await cp.stop(); process.exit(0);
