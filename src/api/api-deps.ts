/**
 * What the route groups share, built once by server.ts and handed to each group's plugin.
 */
import type { Logger } from 'pino';
import type { AccountChanges } from './auth/account-changes.ts';
import type { Authenticator } from './auth/authenticator.ts';
import type { LocalAccounts } from './auth/local-accounts.ts';
import type { TokenIssuer } from './auth/token-issuer.ts';
import type { Repository } from './db/repository.ts';
import type { ClusterView } from './kube/cluster-view.ts';
import type { ApiMetrics } from './metrics.ts';
import type { OpenApiBuilder } from './openapi.ts';
import type { HeartbeatCoalescer } from './sessions/heartbeat-coalescer.ts';
import type { AddressMode } from './session-router.ts';
import type { CookieSettings } from './auth/session-cookie.ts';

/** The shared parts of a running API. */
export interface ApiDeps {
  repo: Repository;
  view: ClusterView;
  metrics: ApiMetrics;
  issuer: TokenIssuer;
  accounts: LocalAccounts;
  authenticator: Authenticator;
  /** Account changes, for connections that must re-check their caller. */
  accountChanges: AccountChanges;
  heartbeats: HeartbeatCoalescer;
  openapi: OpenApiBuilder;
  logger: Logger;
  /** Settings routes need at request time. */
  settings: {
    heartbeatFlushIntervalMs: number;
    /** How long a create waits for the cache to show the new object (read-your-writes). */
    cacheWaitMs: number;
    /** How long a connection lives without a heartbeat. */
    connectionTtlMs: number;
    /** Longest time a WebSocket goes without re-checking its caller (account state, role, revocation). */
    socketRecheckMs: number;
    /** Attributes of the gateway's sign-in cookie set at login. */
    cookie: CookieSettings;
    /** How session addresses look when the gateway is served on this port (the web UI links them). */
    gateway?: AddressMode;
  };
}
