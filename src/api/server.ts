/**
 * The StreamSpace API server: `startApiServer()` builds everything the routes share (database,
 * signing key, authenticator, cluster view, heartbeat coalescer), then a fastify app with:
 * - at the root: error handling, request metrics and the public probes/documents;
 * - under /api/v1: an encapsulated context whose hooks authenticate, rate-limit and audit, and
 *   in it one plugin per route group (src/api/routes/<group>.ts).
 */
import http from 'node:http';
import path from 'node:path';
import websocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { ApiDeps } from './api-deps.ts';
import { installAuthFailureLimit, type AuthFailureLimitSettings } from './plugins/auth-failure-limit.ts';
import { installInputHygiene, strictBodyValidators } from './plugins/input-hygiene.ts';
import { AccountChanges } from './auth/account-changes.ts';
import { Authenticator, type AuthMode } from './auth/authenticator.ts';
import { bootstrapAdmin, LocalAccounts, type BootstrapResult } from './auth/local-accounts.ts';
import { OidcVerifier, type OidcSettings } from './auth/oidc-verifier.ts';
import type { ScryptCost } from './auth/password-hash.ts';
import { loadSigningKey } from './auth/signing-key.ts';
import { TokenIssuer } from './auth/token-issuer.ts';
import { TrustedProxyAuthenticator, type TrustedProxySettings } from './auth/trusted-proxy.ts';
import type { Repository } from './db/repository.ts';
import { openRepository } from './db/sql-repository.ts';
import { errorBodySchema } from './errors.ts';
import { ClusterView } from './kube/cluster-view.ts';
import { ApiMetrics } from './metrics.ts';
import { OpenApiBuilder } from './openapi.ts';
import { installAudit } from './plugins/audit.ts';
import { installAuthentication } from './plugins/authentication.ts';
import { installErrorHandling } from './plugins/error-handler.ts';
import { installRateLimit, type RateLimitSettings } from './plugins/rate-limit.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { auditRoutes } from './routes/audit.ts';
import { authRoutes } from './routes/auth.ts';
import { connectionRoutes } from './routes/connections.ts';
import { healthRoutes } from './routes/health.ts';
import type { ClusterConfig } from '../runtime/client.ts';
import { loadRestConfig } from '../runtime/rest-config-loader.ts';
import { createCodeServer, type CodeServer } from '../codeserver/setup.ts';
import { authenticateWithApi } from './auth/codeserver-auth.ts';
import type { CodeServerSettings } from '../codeserver/settings.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { templateRoutes } from './routes/templates.ts';
import { userRoutes } from './routes/users.ts';
import { liveUpdateRoutes } from './routes/live-updates.ts';
import { nodeRoutes } from './routes/nodes.ts';
import { quotaRoutes } from './routes/quotas.ts';
import { DEFAULT_WEB_ROOT, webUiRoutes } from './routes/web-ui.ts';
import { HeartbeatCoalescer } from './sessions/heartbeat-coalescer.ts';
import type { CookieSettings } from './auth/session-cookie.ts';
import type { SessionRouter, SessionRouterFactory } from './session-router.ts';

/** Authentication settings. */
export interface ApiAuthOptions {
  /** `local` (built-in accounts, default), `oidc` or `proxy`. API keys work in every mode. */
  mode?: AuthMode;
  oidc?: OidcSettings;
  proxy?: TrustedProxySettings;
  /** Lifetime of our own access tokens (default 300 s). */
  accessTokenTtlSeconds?: number;
  /** Lifetime of refresh tokens (default 7 days). */
  refreshTokenTtlSeconds?: number;
  /** `iss` of our own tokens (default `streamspace`). */
  issuer?: string;
  /** Password of the first admin (STREAMSPACE_ADMIN_PASSWORD); generated when absent. */
  adminPassword?: string;
  scryptCost?: ScryptCost;
}

/** Options of {@link startApiServer}. */
export interface ApiServerOptions {
  /** Path of the kubeconfig of the cluster (or a loaded configuration); '' loads kubectl's chain, ending with the in-cluster config. */
  kubeconfig: string | ClusterConfig;
  /** Namespace of sessions and templates (default `streamspace`). */
  namespace?: string;
  /** Port (0 or absent picks a free one). */
  port?: number;
  host?: string;
  /** The API's data folder: embedded database, signing key, generated admin password. In memory when absent. */
  dataDir?: string;
  /** PostgreSQL URL; when set the database (and the signing key) live there, shared by replicas. */
  databaseUrl?: string;
  auth?: ApiAuthOptions;
  /** How often coalesced heartbeats are written (default 30 000 ms). */
  heartbeatFlushIntervalMs?: number;
  /** Per-caller rate limit (default 50 requests/s, burst 100). */
  rateLimit?: RateLimitSettings;
  /** Back-off after failed authentications, per address and per account (see plugins/auth-failure-limit.ts). */
  authFailureLimit?: AuthFailureLimitSettings;
  /** Largest request body (default 256 KiB). */
  bodyLimitBytes?: number;
  /** How long to wait at startup for the informers to list (default 10 s; the server starts regardless). */
  cacheSyncTimeoutMs?: number;
  /** Longest time a WebSocket goes without re-checking its caller (default 30 s; changes on this replica act at once). */
  socketRecheckMs?: number;
  /** How long a viewer connection lives without a heartbeat (default 60 s). */
  connectionTtlMs?: number;
  /** Logger (default: pino at info level to stderr). */
  logger?: Logger;
  /** Code-server provisioning (GraphQL at /graphql), served when set (GITEA_URL configured). */
  codeServer?: CodeServerSettings;
  /** Folder of the built web UI served at `/` (default web/dist of this checkout); `false` serves none. */
  webRoot?: string | false;
  /** The session gateway on the API's port (under /s/ in path mode); off when absent. See ./session-router.ts. */
  gateway?: SessionRouterFactory;
  /** Attributes of the sign-in cookie the login sets for the gateway. */
  cookie?: CookieSettings;
}

/** A running API server. */
export interface ApiServer {
  url: string;
  port: number;
  app: FastifyInstance;
  repo: Repository;
  view: ClusterView;
  heartbeats: HeartbeatCoalescer;
  authenticator: Authenticator;
  /** The session gateway, when served on this port. */
  gateway?: SessionRouter;
  /** What happened to the first admin account at this start. */
  bootstrap: BootstrapResult;
  stop(): Promise<void>;
}

const VERSION = '0.1.0';

/** The cluster configuration; every client built from the one object shares one connection pool. */
function loadKubeConfig(source: string | ClusterConfig): ClusterConfig {
  return typeof source === 'string' ? loadRestConfig({ kubeconfig: source || undefined }) : source;
}

/** The authentication parts of the API (also used by the standalone gateway, which shares them). */
export async function buildAuth(opts: ApiServerOptions, repo: Repository): Promise<Pick<ApiDeps, 'issuer' | 'accounts' | 'authenticator'>> {
  const a = opts.auth ?? {};
  const storage = opts.databaseUrl ? { settings: repo.settings } : { file: opts.dataDir ? path.join(opts.dataDir, 'signing-key.jwk') : undefined };
  const key = await loadSigningKey(storage);
  const issuer = new TokenIssuer({ key, issuer: a.issuer ?? 'streamspace', audience: 'streamspace-api', ttlSeconds: a.accessTokenTtlSeconds ?? 300 });
  const accounts = new LocalAccounts({ repo, issuer, refreshTtlSeconds: a.refreshTokenTtlSeconds ?? 7 * 24 * 3600, scryptCost: a.scryptCost });
  const authenticator = new Authenticator({
    mode: a.mode ?? 'local', repo, issuer,
    oidc: a.oidc ? new OidcVerifier(a.oidc) : undefined,
    proxy: a.proxy ? new TrustedProxyAuthenticator(a.proxy) : undefined,
  });
  return { issuer, accounts, authenticator };
}

/** Registers the code-server GraphQL endpoint at /graphql, with the API's authentication and rate limits. */
function registerCodeServer(app: FastifyInstance, deps: ApiDeps, opts: ApiServerOptions, codeServer: CodeServer): void {
  void app.register(async (scope) => {
    installRateLimit(scope, opts.rateLimit ?? { requestsPerSecond: 50, burst: 100 });
    // GraphQL mutations (deleteCodeServer can delete a home volume) go to the audit trail like REST changes.
    await scope.register(codeServer.graphql(authenticateWithApi(deps.authenticator), async (request, entry) => {
      await deps.repo.audit.append({ ...entry, sourceIp: request.ip }).catch((err: unknown) => {
        deps.metrics.auditFailures.inc();
        deps.logger.error({ err: String(err), entry }, 'Failed to write audit entry');
      });
    }));
  });
}

/**
 * With a gateway, requests for session addresses go to it before fastify sees them: the gateway
 * streams bodies through untouched, which fastify's body parsing would not allow.
 */
function serverFactory(gateway: SessionRouter | undefined) {
  if (!gateway) return undefined;
  return (handler: http.RequestListener) => http.createServer((req, res) => (gateway.matches(req) ? gateway.handleRequest(req, res) : handler(req, res)));
}

/** Routes WebSocket upgrades for session addresses to the gateway, the rest to the API's listeners. */
function routeUpgrades(app: FastifyInstance, gateway: SessionRouter): void {
  const server = app.server;
  const others = server.listeners('upgrade') as Array<(...args: unknown[]) => void>;
  server.removeAllListeners('upgrade');
  server.on('upgrade', (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => {
    if (gateway.matches(req)) gateway.handleUpgrade(req, socket, head);
    else for (const listener of others) listener.call(server, req, socket, head);
  });
}

function buildApp(deps: ApiDeps, opts: ApiServerOptions, codeServer?: CodeServer, gateway?: SessionRouter): FastifyInstance {
  const app = Fastify({
    serverFactory: serverFactory(gateway),
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimitBytes ?? 256 * 1024,
    // Unknown fields are errors, not silently dropped; schemas carry Kubernetes-style keywords.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false, strict: false } },
    routerOptions: { ignoreTrailingSlash: true },
    schemaController: { compilersFactory: { buildValidator: strictBodyValidators } },
  });
  // Responses are plain JSON.stringify: objects pass through whole (response schemas document them).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addSchema(errorBodySchema);
  // Only JSON bodies: fastify's built-in text/plain parser would turn a wrong content type into a confusing 400.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  installInputHygiene(app);
  installErrorHandling(app);
  deps.openapi.collect(app);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.requestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  void app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  void app.register(healthRoutes(deps, VERSION));
  if (opts.webRoot !== false) void app.register(webUiRoutes(opts.webRoot ?? DEFAULT_WEB_ROOT));
  if (codeServer) registerCodeServer(app, deps, opts, codeServer);
  void app.register(async (api) => {
    installAuthFailureLimit(api, opts.authFailureLimit);
    installAuthentication(api, deps.authenticator);
    installRateLimit(api, opts.rateLimit ?? { requestsPerSecond: 50, burst: 100 });
    installAudit(api, deps);
    await api.register(authRoutes(deps), { prefix: '/auth' });
    if (deps.authenticator.mode === 'local') await api.register(userRoutes(deps), { prefix: '/users' });
    await api.register(apiKeyRoutes(deps), { prefix: '/api-keys' });
    await api.register(auditRoutes(deps), { prefix: '/audit' });
    await api.register(sessionRoutes(deps), { prefix: '/sessions' });
    await api.register(connectionRoutes(deps));
    await api.register(templateRoutes(deps), { prefix: '/templates' });
    await api.register(liveUpdateRoutes(deps), { prefix: '/ws' });
    await api.register(quotaRoutes(deps), { prefix: '/quotas' });
    await api.register(nodeRoutes(deps));
  }, { prefix: '/api/v1' });
  return app;
}

/** Starts the API server; resolves once it listens. */
export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const logger = opts.logger ?? pino({ name: 'streamspace-api' });
  const repo = await openRepository({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  const metrics = new ApiMetrics();
  const kubeConfig = loadKubeConfig(opts.kubeconfig);
  const view = new ClusterView({ kubeConfig, namespace: opts.namespace ?? 'streamspace', logger });
  const heartbeatFlushIntervalMs = opts.heartbeatFlushIntervalMs ?? 30_000;
  const heartbeats = new HeartbeatCoalescer({ view, metrics, logger, flushIntervalMs: heartbeatFlushIntervalMs });
  const auth = await buildAuth(opts, repo);
  const bootstrap = await bootstrapAdmin(auth.accounts, repo, { password: opts.auth?.adminPassword, dataDir: opts.dataDir });
  const deps: ApiDeps = {
    repo, view, metrics, heartbeats, logger, openapi: new OpenApiBuilder(), ...auth, accountChanges: new AccountChanges(),
    settings: { heartbeatFlushIntervalMs, cacheWaitMs: 5000, connectionTtlMs: opts.connectionTtlMs ?? 60_000, cookie: opts.cookie ?? {},
      gateway: opts.gateway?.mode, socketRecheckMs: opts.socketRecheckMs ?? 30_000 },
  };
  const gateway = opts.gateway?.create({ view, authenticator: auth.authenticator, repo, activity: heartbeats, logger, registry: metrics.registry });
  view.start();
  gateway?.start();
  const synced = Promise.all([view.waitForSync(), gateway?.waitForSync()]);
  await Promise.race([synced, new Promise((resolve) => setTimeout(resolve, opts.cacheSyncTimeoutMs ?? 10_000).unref())]);
  heartbeats.start();
  const codeServer = opts.codeServer ? createCodeServer({
    kubeConfig, registry: metrics.registry, logger, settings: opts.codeServer,
    activitySink: { record: (session, at) => heartbeats.record(session.metadata!.name!, at) },
  }) : undefined;
  const app = buildApp(deps, opts, codeServer, gateway);
  if (gateway) {
    await app.ready();
    routeUpgrades(app, gateway);
  }
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 0, host });
  const port = (app.server.address() as import('node:net').AddressInfo).port;
  codeServer?.poller?.start();
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port, app, repo, view, heartbeats, gateway, bootstrap,
    authenticator: auth.authenticator,
    async stop() {
      await codeServer?.poller?.stop();
      await gateway?.stop();
      await app.close();
      await heartbeats.stop();
      await view.stop();
      await repo.close();
    },
  };
}
