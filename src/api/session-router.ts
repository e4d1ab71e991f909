/**
 * What the API needs of a session gateway served on its own port, so the API can serve one without
 * depending on it: the CLI (and tests) hand in a factory that builds the gateway from the API's
 * parts (its cluster view, authenticator, database, activity sink, metrics). The gateway lives in
 * src/gateway/ and imports the API's pieces; the API imports nothing of it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Authenticator } from './auth/authenticator.ts';
import type { Repository } from './db/repository.ts';
import type { ClusterView } from './kube/cluster-view.ts';
import type { HeartbeatCoalescer } from './sessions/heartbeat-coalescer.ts';

/** How session addresses look: `/s/{session}/` on the API's port, or `{session}.{domain}`. */
export type AddressMode = { kind: 'path' } | { kind: 'host'; domain: string };

/** The API's parts a gateway is built from. */
export interface SessionRouterParts {
  view: ClusterView;
  authenticator: Authenticator;
  repo: Repository;
  activity: HeartbeatCoalescer;
  logger: Logger;
  registry: Registry;
}

/** A gateway as the API's HTTP server sees it. */
export interface SessionRouter {
  /** Whether a request is for a session address (then the gateway answers it, not the API). */
  matches(req: IncomingMessage): boolean;
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  start(): void;
  /** Resolves once its caches are filled (true), or false if stopped first. */
  waitForSync(): Promise<boolean>;
  stop(): Promise<void>;
}

/** A gateway to serve on the API's port: how its addresses look and how to build it. */
export interface SessionRouterFactory {
  mode: AddressMode;
  create(parts: SessionRouterParts): SessionRouter;
}
