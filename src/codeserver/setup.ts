/**
 * Wiring of the code-server service for a host process (the API server): the Kubernetes client,
 * the Gitea client, the metrics on the host's registry, the activity poller, and the GraphQL
 * plugin bound to the host's authentication. Everything else in this folder is wiring-free.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { crdRegistrations } from '../apis/index.ts';
import { KubeClient, type ClusterConfig } from '../runtime/client.ts';
import { ResourceTable } from '../runtime/resources.ts';
import { CODESERVER_MANAGER } from './credential-secret.ts';
import { GiteaClient } from './gitea/client.ts';
import { codeServerGraphQL, type AuthenticateRequest, type CodeServerGraphQLOptions } from './graphql/plugin.ts';
import { ActivityPoller, StatusActivityWriter, type ActivitySink } from './idle.ts';
import { CodeServerMetrics } from './metrics.ts';
import { InstanceStore } from './instance-store.ts';
import { KubePodLogReader } from './pod-logs.ts';
import { CodeServerService } from './service.ts';
import type { CodeServerSettings } from './settings.ts';

/** Options of {@link createCodeServer}. */
export interface CodeServerSetupOptions {
  kubeConfig: ClusterConfig;
  settings: CodeServerSettings;
  /** The host's metrics registry; no metrics when absent. */
  registry?: Registry;
  logger?: Logger;
  /** Where seen activity goes (default: written to status.lastActivity directly). */
  activitySink?: ActivitySink;
}

/** The wired service. */
export interface CodeServer {
  service: CodeServerService;
  metrics?: CodeServerMetrics;
  /** Polls code-server activity while started (undefined when the interval is 0). */
  poller?: ActivityPoller;
  /** The fastify plugin serving `/graphql`, authenticating with `authenticate`. */
  graphql(authenticate: AuthenticateRequest, audit?: CodeServerGraphQLOptions['audit']): ReturnType<typeof codeServerGraphQL>;
}

/** Builds the service from settings (nothing runs until the poller is started). */
export function createCodeServer(opts: CodeServerSetupOptions): CodeServer {
  const { settings, logger } = opts;
  const client = new KubeClient({ kubeConfig: opts.kubeConfig, fieldManager: CODESERVER_MANAGER, resources: new ResourceTable(crdRegistrations()) });
  const gitea = new GiteaClient({ baseUrl: settings.giteaServiceUrl || settings.giteaUrl, timeoutMs: settings.giteaTimeoutMs });
  const store = new InstanceStore(client, settings.namespace);
  const metrics = opts.registry ? new CodeServerMetrics(opts.registry, () => store.snapshot()) : undefined;
  const service = new CodeServerService({ client, gitea, settings, metrics, logger, podLogs: new KubePodLogReader(client) });
  const poller = settings.activityPollIntervalMs > 0
    ? new ActivityPoller({
      listSessions: () => store.sessions(), sink: opts.activitySink ?? new StatusActivityWriter(client, logger),
      port: settings.codeServerPort, intervalMs: settings.activityPollIntervalMs, logger,
    })
    : undefined;
  return { service, metrics, poller, graphql: (authenticate, audit) => codeServerGraphQL({ service, authenticate, logger, audit }) };
}
