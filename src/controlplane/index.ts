/**
 * The embedded control plane: a Kubernetes-compatible API server over HTTPS with a simulated
 * cluster behind it. `startControlPlane()` is the library entry point (tests start one per suite
 * on a free port); `streamspace cluster` and `streamspace up` run it as a process.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { AdmissionChain } from './admission/admission.ts';
import { WebhookAdmission } from './admission/webhooks.ts';
import { startSimulatedCluster, type SimulationOptions } from './cluster/simulation.ts';
import { InternalClient, T } from './cluster/internal-client.ts';
import { debugRoutes } from './debug-routes.ts';
import { FaultInjector } from './faults.ts';
import { TokenAuthenticator } from './http/auth.ts';
import { openApiRoutes } from './http/openapi.ts';
import { createApiServer, type ExtraRoute } from './http/server.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import { Registry } from './registry/registry.ts';
import type { LogFiles } from './storage/files.ts';
import { Store } from './storage/store.ts';
import type { Services } from './verbs/scope.ts';
import { createCertificateAuthority, issueServingCertificate, loadCertificateAuthority, type CertificateAuthority } from '../tls/certificates.ts';

/** Options of the embedded control plane. */
export interface ControlPlaneOptions {
  /** Folder for durable state; absent keeps everything in memory. */
  dataDir?: string;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Also write the kubeconfig to this file once serving. */
  kubeconfigPath?: string;
  /**
   * fdatasync before a write is acknowledged, with group commit (default true: acknowledged writes
   * survive power loss); false keeps them safe from process death only (throwaway clusters).
   */
  fsync?: boolean;
  /** The file system under the durable log (tests observe or fault it; node:fs by default). */
  storageFiles?: LogFiles;
  /** Watch history length; smaller makes 410 Expired easy to provoke. */
  historySize?: number;
  bookmarkIntervalMs?: number;
  maxWatchSeconds?: number;
  simulation?: SimulationOptions;
  /**
   * Admission chain override (the webhook dispatcher by default), or a factory for one given the
   * server's store and registry (e.g. `webhookAdmission({ serviceResolver })` from ./admission/webhooks.ts).
   */
  admission?: AdmissionChain | ((parts: Pick<Services, 'store' | 'registry'>) => AdmissionChain);
  /** Bearer token the default webhook dispatcher presents to every admission webhook (see WebhookAdmissionSettings). */
  webhookToken?: string;
}

/** A running control plane. */
export interface ControlPlane {
  url: string;
  port: number;
  /** Kubeconfig YAML with the admin token. */
  kubeconfig: string;
  kubeconfigPath?: string;
  caPem: string;
  token: string;
  /** Adds a bearer token for another user (tests of identities and webhooks' userInfo). */
  addUser(token: string, username: string, groups?: string[]): void;
  stop(): Promise<void>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function loadOrCreateCa(dataDir: string | undefined): Promise<CertificateAuthority> {
  const tenYears = 10 * 365 * 24 * 3600 * 1000;
  if (!dataDir) return createCertificateAuthority('streamspace-control-plane-ca', tenYears);
  const pki = path.join(dataDir, 'pki');
  const certFile = path.join(pki, 'ca.crt');
  const keyFile = path.join(pki, 'ca.key');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) return loadCertificateAuthority(fs.readFileSync(certFile, 'utf8'), fs.readFileSync(keyFile, 'utf8'));
  const ca = await createCertificateAuthority('streamspace-control-plane-ca', tenYears);
  fs.mkdirSync(pki, { recursive: true, mode: 0o700 });
  fs.writeFileSync(certFile, ca.certPem, { mode: 0o644 });
  fs.writeFileSync(keyFile, ca.keyPem, { mode: 0o600 });
  return ca;
}

function loadOrCreateToken(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(24).toString('base64url');
  const file = path.join(dataDir, 'pki', 'admin.token');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, token, { mode: 0o600 });
  return token;
}

async function bootstrap(svc: Services): Promise<void> {
  const client = new InternalClient(svc, 'kube-apiserver');
  for (const name of SYSTEM_NAMESPACES) {
    if (!client.get(T.namespaces, undefined, name)) await client.create(T.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}

async function listen(server: import('node:https').Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Starts the control plane and resolves once it serves. */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const host = opts.host ?? '127.0.0.1';
  const store = new Store({ dataDir: opts.dataDir ? path.join(opts.dataDir, 'store') : undefined, fsync: opts.fsync, files: opts.storageFiles, historySize: opts.historySize });
  const registry = new Registry(store);
  const admission = typeof opts.admission === 'function' ? opts.admission({ store, registry }) : opts.admission ?? new WebhookAdmission({ store, registry }, { bearerToken: opts.webhookToken });
  const svc: Services = { store, registry, admission, now: () => new Date() };
  const [ca, token] = [await loadOrCreateCa(opts.dataDir), loadOrCreateToken(opts.dataDir)];
  const serving = await issueServingCertificate(ca, { hosts: ['localhost', '127.0.0.1', host, 'kubernetes.default.svc'], validForMs: 365 * 24 * 3600 * 1000 });
  const auth = new TokenAuthenticator();
  auth.add(token, { username: 'admin', groups: ['system:masters'] });
  await bootstrap(svc);
  const simulation = await startSimulatedCluster(svc, opts.simulation ?? {}, opts.dataDir);
  const faults = new FaultInjector();
  const routes: ExtraRoute[] = [openApiRoutes(registry), debugRoutes({ faults, store, simulation })];
  let address = '';
  const server = createApiServer({
    svc, auth, faults, routes, podLogs: simulation.podLogs, podLogFollow: simulation.podLogFollow, bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 10_000,
    maxWatchSeconds: opts.maxWatchSeconds ?? 1800, serverAddress: () => address,
    version: { major: '1', minor: '34', gitVersion: 'v1.34.0-streamspace', gitCommit: 'streamspace', gitTreeState: 'clean', buildDate: '2026-11-01T00:00:00Z', goVersion: 'go1.24', compiler: 'gc', platform: 'linux/amd64' },
  }, { cert: serving.certPem, key: serving.keyPem });
  const port = await listen(server, opts.port ?? 0, host);
  address = `${host}:${port}`;
  const url = `https://${host}:${port}`;
  const kubeconfig = renderKubeconfig({ server: url, caPem: ca.certPem, token });
  if (opts.kubeconfigPath) {
    fs.mkdirSync(path.dirname(opts.kubeconfigPath), { recursive: true });
    // Written aside and renamed into place: whoever waits for the file never reads half of it. The
    // aside file is created exclusively ('wx': never through a file or symlink someone placed there),
    // and a symlink at the destination is refused rather than followed.
    const partial = `${opts.kubeconfigPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    if (fs.lstatSync(opts.kubeconfigPath, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new Error(`refusing to write the kubeconfig through the symbolic link ${opts.kubeconfigPath}`);
    }
    fs.writeFileSync(partial, kubeconfig, { mode: 0o600, flag: 'wx' });
    fs.renameSync(partial, opts.kubeconfigPath);
  }
  return {
    url, port, kubeconfig, kubeconfigPath: opts.kubeconfigPath, caPem: ca.certPem, token,
    addUser: (t, username, groups = []) => auth.add(t, { username, groups }),
    async stop() {
      simulation.stop();
      faults.dropWatches();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}
