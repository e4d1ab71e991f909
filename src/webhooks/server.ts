/**
 * The admission webhook server: HTTPS (node:https) serving the webhooks of ./configurations.ts,
 * keeping the install's admission objects reconciled (./configuration-reconciler.ts), and rotating
 * its certificates for as long as it runs.
 *
 * It is a Runnable that needs no leader election (every replica serves), so the controller
 * manager runs it next to the controllers and it shares their informer cache and metrics registry:
 *
 * ```ts
 * const webhooks = addWebhookServer(mgr, { service: DEFAULT_WEBHOOK_SERVICE, advertiseAddress: '127.0.0.1' });
 * await mgr.start(signal);
 * ```
 *
 * Start-up order: certificates, informers synced (decisions need the full picture), listen,
 * reconcile the configurations, register as an endpoint of the Service (when replicas register
 * themselves), and only then ready (/readyz of the manager). On stop the replica leaves the
 * Service's endpoints before it closes; the configurations stay (they are the install's).
 *
 * Modes:
 * - a Service (`service` set; what the CLI runs): the configurations point at the Service, which
 *   every replica serves. With `advertiseAddress` (the embedded control plane, where replicas are
 *   processes) the Service has no selector and each replica registers `advertiseAddress:port` in
 *   its Endpoints (./endpoint-registration.ts); without it (a cluster) the Service selects the
 *   controller pods. Certificates come from a CA shared through a Secret (./shared-certificates.ts,
 *   the default) or from a mounted cert-manager Secret.
 * - a URL (no `service`; a lone server in tests): `url: https://127.0.0.1:<port>/...`, self-signed
 *   certificates, and the configurations deleted on stop (nothing else could answer at that URL).
 */
import { timingSafeEqual } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { InformerCache, type Informer } from '../runtime/cache.ts';
import { ignoreNotFound, KubeClient, type ClusterConfig } from '../runtime/client.ts';
import { realClock, sleep } from '../runtime/clock.ts';
import type { Manager, Runnable } from '../runtime/manager.ts';
import { ResourceTable } from '../runtime/resources.ts';
import { admissionHandlers, type AdmissionHandler, type QuotaOptions } from './admission-handlers.ts';
import { ADMISSION_REVIEW_API_VERSION, type AdmissionDecision, type AdmissionRequest } from './admission-review.ts';
import {
  MountedCertificates, SelfSignedCertificates, type CertificateConsumer, type CertificateSource, type ServingCertificate,
} from './certificates.ts';
import { ConfigurationReconciler } from './configuration-reconciler.ts';
import { webhookConfigurations, type WebhookServiceReference } from './configurations.ts';
import { EndpointRegistration } from './endpoint-registration.ts';
import { webhookService } from './install-objects.ts';
import { SharedCertificates } from './shared-certificates.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { registerWebhookKinds } from './kinds.ts';
import { WebhookMetrics } from './metrics.ts';
import type { SessionDefaultSettings } from './session-defaults.ts';

/** Self-signed certificates (the default), with lifetimes short enough for tests to see rotation. */
export interface SelfSignedTlsSettings {
  mode?: 'self-signed';
  caLifetimeMs?: number;
  servingLifetimeMs?: number;
  bundlePropagationMs?: number;
}

/** Certificates from a mounted cert-manager Secret (tls.crt, tls.key, ca.crt in `dir`). */
export interface MountedTlsSettings {
  mode: 'mounted';
  dir: string;
  pollIntervalMs?: number;
  bundlePropagationMs?: number;
}

/** A CA shared by every replica through a Secret (the default with a Service). */
export interface SharedTlsSettings {
  mode: 'shared';
  /** The Secret holding the CA (default `<service name>-ca` in the Service's namespace). */
  secretName?: string;
  servingLifetimeMs?: number;
  pollIntervalMs?: number;
  bundlePropagationMs?: number;
}

/** How a replica registers itself as an endpoint of the Service (embedded control plane). */
export interface RegistrationSettings {
  leaseDurationMs?: number;
  renewIntervalMs?: number;
}

/** Everything about the server except what it shares with a manager. */
export interface WebhookServerSettings {
  /** Address to listen on (default 127.0.0.1; 0.0.0.0 in cluster installs). */
  host?: string;
  /** Port to listen on (default 0: a free one, fine in embedded mode; 9443 is customary in clusters). */
  port?: number;
  /** The Service the API server calls (every replica behind it); absent means `url: https://<host>:<port>/...`. */
  service?: WebhookServiceReference;
  /**
   * Register `<advertiseAddress>:<port>` in the Service's Endpoints (replicas that are not pods, on
   * the embedded control plane); the Service is then created without a selector if missing.
   */
  advertiseAddress?: string;
  registration?: RegistrationSettings;
  tls?: SelfSignedTlsSettings | MountedTlsSettings | SharedTlsSettings;
  /** Write the CA bundle into the configurations (default true; false when cert-manager's cainjector does). */
  injectCaBundle?: boolean;
  /** Create and update the configurations (default true; false when installed by manifests). */
  manageConfigurations?: boolean;
  /** Delete the configurations on stop (default: true in url mode, false with a service). */
  removeConfigurationsOnStop?: boolean;
  /** Longest time between two checks of the configurations for drift (default 30 s; changes are seen at once). */
  resyncMs?: number;
  /** Name of the two configuration objects (default `streamspace-webhooks`). */
  configurationName?: string;
  /** Seconds the API server waits for each call (default 5). */
  timeoutSeconds?: number;
  defaults?: SessionDefaultSettings;
  quota?: QuotaOptions;
  /**
   * The bearer token the API server presents (its admission kubeconfig's `user.token`; the embedded
   * control plane's `webhookToken`). When set, a review without it is refused with 401 before any
   * decision or quota reservation, so nobody who can reach the port can forge reviews. Unset: every
   * caller is believed (a warning is logged at start).
   */
  callerToken?: string;
  /** Told how long each admission decision took inside its handler (benchmarks). */
  onDecision?: (webhook: string, seconds: number) => void;
}

/** Options of {@link WebhookServer}: settings plus what it shares with the controllers. */
export interface WebhookServerOptions extends WebhookServerSettings {
  cache: InformerCache;
  client: KubeClient;
  registry: Registry;
  logger?: Logger;
}

/** Largest AdmissionReview accepted: two objects of kube's 3 MiB request limit, and some. */
const MAX_REVIEW_BYTES = 8 * 1024 * 1024;

/** A request the server cannot treat as an AdmissionReview. */
class BadReview extends Error {}
class UnauthenticatedReview extends Error {}

/** Whether `req` carries `Authorization: Bearer <token>` (compared in constant time). */
function presentsToken(req: IncomingMessage, token: string): boolean {
  const sent = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const wanted = Buffer.from(token);
  return sent.length === wanted.length && timingSafeEqual(sent, wanted);
}

function hostsFor(settings: WebhookServerSettings): string[] {
  const hosts = new Set(['localhost', '127.0.0.1']);
  const host = settings.host ?? '127.0.0.1';
  if (host !== '0.0.0.0' && host !== '::') hosts.add(host);
  if (settings.advertiseAddress) hosts.add(settings.advertiseAddress);
  const svc = settings.service;
  if (svc) for (const suffix of ['', '.svc', '.svc.cluster.local']) hosts.add(`${svc.name}.${svc.namespace}${suffix}`);
  return [...hosts];
}

function certificateSource(settings: WebhookServerSettings, client: KubeClient, logger: Logger): CertificateSource {
  const tls = settings.tls;
  if (tls?.mode === 'mounted') return new MountedCertificates({ ...tls, logger });
  const svc = settings.service;
  // With a Service the replicas share one CA unless self-signed settings were given explicitly.
  if (svc && (!tls || tls.mode === 'shared')) {
    const shared = tls?.mode === 'shared' ? tls : undefined;
    return new SharedCertificates({
      ...shared, client, namespace: svc.namespace, secretName: shared?.secretName ?? `${svc.name}-ca`, serviceName: svc.name, hosts: hostsFor(settings), logger,
    });
  }
  const selfSigned = tls?.mode === 'shared' ? undefined : tls;
  const propagation = selfSigned?.bundlePropagationMs ?? (svc ? 5000 : 0);
  return new SelfSignedCertificates({ ...selfSigned, bundlePropagationMs: propagation, hosts: hostsFor(settings), logger });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REVIEW_BYTES) req.destroy(new BadReview('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseReview(req: IncomingMessage, body: string): AdmissionRequest {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^application\/json\b/i.test(type)) throw new BadReview(`contentType=${type}, expected application/json`);
  let review: { apiVersion?: string; kind?: string; request?: AdmissionRequest };
  try {
    review = JSON.parse(body);
  } catch (err) {
    throw new BadReview(`unable to decode the request: ${(err as Error).message}`);
  }
  if (review?.kind !== 'AdmissionReview' || !review.request?.uid) throw new BadReview('expected an AdmissionReview with a request');
  return review.request;
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function listen(server: https.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** See the module comment. */
export class WebhookServer implements Runnable {
  readonly #o: WebhookServerOptions;
  readonly #logger: Logger;
  readonly #metrics: WebhookMetrics;
  readonly #routes = new Map<string, AdmissionHandler>();
  readonly #informers: Informer[];
  readonly #certs: CertificateSource;
  readonly #serving = Promise.withResolvers<void>();
  #server: https.Server | undefined;
  #port = 0;
  /** The caBundle the configurations should carry ('' leaves it out). */
  #bundle = '';
  #reconciler: ConfigurationReconciler | undefined;
  #registration: EndpointRegistration | undefined;
  #ready = false;

  constructor(opts: WebhookServerOptions) {
    this.#o = opts;
    this.#logger = opts.logger ?? pino({ name: 'webhooks' });
    let pending = (): number => 0;
    this.#metrics = new WebhookMetrics(opts.registry, () => pending());
    const built = admissionHandlers({ cache: opts.cache, client: opts.client, metrics: this.#metrics, defaults: opts.defaults, quota: opts.quota });
    pending = () => built.reservations.size();
    for (const h of built.handlers) this.#routes.set(h.path, h);
    this.#metrics.initPaths([...this.#routes.keys()]);
    this.#informers = built.informers;
    this.#certs = certificateSource(opts, opts.client, this.#logger);
    this.#serving.promise.catch(() => undefined);
    if (opts.manageConfigurations !== false) {
      this.#reconciler = new ConfigurationReconciler({
        client: opts.client, cache: opts.cache, desired: () => this.desiredObjects(), resyncMs: opts.resyncMs, logger: this.#logger,
      });
    }
  }

  /** True while this replica serves admission and (when it registers itself) is listed in the Service's Endpoints. */
  ready(): boolean {
    return this.#ready && (!this.#registration || this.#registration.listed());
  }

  /** The admission objects this server keeps reconciled: the configurations, and the Service when replicas register themselves. */
  desiredObjects(): KubeObject[] {
    const o = this.#o;
    const caBundlePem = o.injectCaBundle === false || !this.#bundle ? undefined : this.#bundle;
    const endpoint = o.service ? { service: o.service } : { url: this.url };
    const configurations = webhookConfigurations({ name: o.configurationName, timeoutSeconds: o.timeoutSeconds, endpoint, caBundlePem });
    return o.service && o.advertiseAddress ? [webhookService({ service: o.service }), ...configurations] : configurations;
  }

  /** Webhooks serve on every replica, leader or not. */
  needsLeaderElection(): boolean {
    return false;
  }

  /** The port the server listens on (0 until it does). */
  get port(): number {
    return this.#port;
  }

  /** `https://<host>:<port>`, the base of the webhook URLs in embedded mode. */
  get url(): string {
    return `https://${this.#advertisedHost()}:${this.#port}`;
  }

  /** Resolves once the server answers and its configurations are published; rejects if start-up failed. */
  serving(): Promise<void> {
    return this.#serving.promise;
  }

  async start(signal: AbortSignal): Promise<void> {
    try {
      await this.#startServing(signal);
      if (signal.aborted) return;
      this.#ready = true;
      this.#serving.resolve();
      await Promise.all([this.#certs.run(signal, this.#consumer()), this.#reconciler?.run(signal), this.#registration?.run(signal)]);
    } catch (err) {
      this.#serving.reject(err);
      throw err;
    } finally {
      this.#serving.reject(new Error('webhook server stopped before it served'));
      await this.#shutdown();
    }
  }

  async #startServing(signal: AbortSignal): Promise<void> {
    // The shared CA's Secret may not be writable yet (its namespace not created): keep trying, not ready meanwhile.
    await this.#untilDone('set up the webhook certificates', () => this.#certs.initialize(), signal);
    if (signal.aborted) return;
    const synced = await Promise.all(this.#informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) return;
    const cert = this.#certs.serving();
    this.#server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => void this.#serve(req, res));
    this.#port = await listen(this.#server, this.#o.port ?? 0, this.#o.host ?? '127.0.0.1');
    this.#metrics.certificateExpiry.set({ certificate: 'serving' }, cert.notAfter.getTime() / 1000);
    this.#logger.info({ url: this.url }, 'Webhook server listening');
    if (!this.#o.callerToken) this.#logger.warn('No webhook caller token configured (STREAMSPACE_WEBHOOK_CALLER_TOKEN): any client that reaches this port can submit AdmissionReviews');
    this.#bundle = this.#certs.caBundle();
    if (this.#reconciler) await this.#untilDone('reconcile the admission configurations', () => this.#reconciler!.reconcileOnce(), signal);
    const { service, advertiseAddress } = this.#o;
    if (service && advertiseAddress) {
      const registration = new EndpointRegistration({
        ...this.#o.registration, client: this.#o.client, service, ip: advertiseAddress, port: this.#port, logger: this.#logger,
      });
      this.#registration = registration;
      await this.#untilDone('register as an endpoint of the webhook Service', () => registration.register(), signal);
    }
  }

  #advertisedHost(): string {
    const host = this.#o.host ?? '127.0.0.1';
    return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  }

  /** A new caBundle: written into the configurations before the caller serves certificates it signs. */
  async #publish(bundlePem: string): Promise<void> {
    this.#bundle = bundlePem;
    await this.#reconciler?.reconcileOnce();
  }

  /** The API server may still be starting: retry `step` with backoff until it succeeds or we stop. */
  async #untilDone(what: string, step: () => Promise<unknown>, signal: AbortSignal): Promise<void> {
    for (let delay = 100; !signal.aborted; delay = Math.min(delay * 2, 5000)) {
      try {
        await step();
        return;
      } catch (err) {
        this.#logger.warn({ err }, `Failed to ${what}, retrying`);
        await sleep(realClock, delay, signal);
      }
    }
  }

  #consumer(): CertificateConsumer {
    return {
      publishCaBundle: (pem) => this.#publish(pem),
      useServingCertificate: (cert: ServingCertificate) => this.#server?.setSecureContext({ cert: cert.certPem, key: cert.keyPem }),
      rotated: (which, notAfter) => {
        this.#metrics.certificateRotations.inc({ certificate: which });
        this.#metrics.certificateExpiry.set({ certificate: which }, notAfter.getTime() / 1000);
        this.#logger.info({ certificate: which, notAfter }, 'Rotated webhook certificate');
      },
    };
  }

  async #shutdown(): Promise<void> {
    this.#ready = false;
    // Leave the Service's endpoints before closing, so the API server stops choosing this replica first.
    await this.#registration?.deregister().catch((err: unknown) => this.#logger.warn({ err }, 'Failed to leave the webhook Service\'s endpoints'));
    const remove = this.#o.removeConfigurationsOnStop ?? !this.#o.service;
    if (this.#server && remove && this.#o.manageConfigurations !== false) {
      const configurations = this.desiredObjects().filter((obj) => obj.kind.endsWith('WebhookConfiguration'));
      for (const obj of configurations) {
        await this.#o.client.delete(obj).catch(ignoreNotFound).catch((err: unknown) => this.#logger.warn({ err }, 'Failed to remove a webhook configuration'));
      }
    }
    const server = this.#server;
    if (!server?.listening) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
      const ok = path === '/healthz' || this.ready();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ok ? 'ok' : 'not serving admission');
      return;
    }
    const route = this.#routes.get(path);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    await this.#admit(route, req, res);
  }

  async #admit(route: AdmissionHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const webhook = route.path;
    const started = performance.now();
    this.#metrics.inFlight.inc({ webhook });
    let code = 200;
    try {
      if (this.#o.callerToken && !presentsToken(req, this.#o.callerToken)) throw new UnauthenticatedReview('unauthenticated: the caller did not present the API server\'s webhook token');
      if (req.method !== 'POST') throw new BadReview(`method ${req.method} not allowed, expected POST`);
      const request = parseReview(req, await readBody(req));
      const response = { uid: request.uid, ...(await this.#decide(route, request)) };
      writeJson(res, 200, { apiVersion: ADMISSION_REVIEW_API_VERSION, kind: 'AdmissionReview', response });
    } catch (err) {
      code = err instanceof UnauthenticatedReview ? 401 : err instanceof BadReview ? 400 : 500;
      if (!res.headersSent && !res.destroyed) res.writeHead(code, { 'Content-Type': 'text/plain' }).end((err as Error).message);
    } finally {
      this.#metrics.inFlight.dec({ webhook });
      this.#metrics.requests.inc({ webhook, code: String(code) });
      this.#metrics.latency.observe({ webhook }, (performance.now() - started) / 1000);
    }
  }

  /** The handler's decision; a handler that throws refuses with 500 (failing closed, with the reason). */
  async #decide(route: AdmissionHandler, request: AdmissionRequest): Promise<AdmissionDecision> {
    const started = performance.now();
    try {
      return await route.handle(request);
    } catch (err) {
      this.#logger.error({ err, webhook: route.path, uid: request.uid }, 'Admission handler failed');
      return { allowed: false, status: { status: 'Failure', code: 500, reason: 'InternalError', message: `webhook ${route.path} failed: ${(err as Error).message}` } };
    } finally {
      this.#o.onDecision?.(route.path, (performance.now() - started) / 1000);
    }
  }
}

/** Creates a webhook server sharing `mgr`'s cache, client, registry and logger, and adds it to `mgr`. */
export function addWebhookServer(mgr: Manager, settings: WebhookServerSettings = {}): WebhookServer {
  const server = new WebhookServer({
    ...settings, cache: mgr.getCache(), client: mgr.getClient(), registry: mgr.getRegistry(), logger: mgr.getLogger().child({ component: 'webhooks' }),
  });
  mgr.add(server);
  mgr.addReadinessCheck(() => server.ready());
  return server;
}

/** Options of {@link startWebhookServer}. */
export interface StandaloneWebhookServerOptions extends WebhookServerSettings {
  kubeConfig: ClusterConfig;
  registry?: Registry;
  logger?: Logger;
}

/** A webhook server running on its own (not inside a manager). */
export interface RunningWebhookServer {
  server: WebhookServer;
  registry: Registry;
  stop(): Promise<void>;
}

/**
 * Starts a webhook server with its own client, informer cache and registry, for processes that run
 * no controller manager; resolves once it serves. Inside a manager, use {@link addWebhookServer}.
 */
export async function startWebhookServer(opts: StandaloneWebhookServerOptions): Promise<RunningWebhookServer> {
  const logger = opts.logger ?? pino({ name: 'webhooks' });
  const resources = new ResourceTable();
  registerWebhookKinds(resources);
  const registry = opts.registry ?? new Registry();
  const client = new KubeClient({ kubeConfig: opts.kubeConfig, fieldManager: 'streamspace-webhooks', resources });
  const cache = new InformerCache({ client, clock: realClock, logger });
  const server = new WebhookServer({ ...opts, cache, client, registry, logger });
  const stopper = new AbortController();
  const caching = cache.start(stopper.signal);
  const running = server.start(stopper.signal);
  const stop = async (): Promise<void> => {
    stopper.abort();
    await running.catch(() => undefined);
    await caching;
  };
  try {
    await server.serving();
  } catch (err) {
    await stop();
    throw err;
  }
  return { server, registry, stop };
}
