/**
 * `streamspace controller`: runs the Session and Template controllers against $KUBECONFIG (or
 * --kubeconfig, ~/.kube/config, the in-cluster config) until SIGTERM/SIGINT, serving /healthz,
 * /readyz and /metrics. Settings come from flags and STREAMSPACE_* variables (see --help).
 */
import type { ControllerManager } from '../controllers/manager.ts';
import { createControllerProcess } from './controller-process.ts';
import { readControllerSettings, settingsHelp, type ControllerSettings } from '../controllers/settings.ts';
import { loadRestConfig } from '../runtime/rest-config-loader.ts';
import type { RestConfig } from '../runtime/rest-config.ts';
import { parseDuration } from '../apimachinery/duration.ts';
import { DEFAULT_SESSION_SETTINGS, type SessionDefaultSettings } from '../webhooks/session-defaults.ts';
import type { WebhookServiceReference } from '../webhooks/configurations.ts';
import { DEFAULT_WEBHOOK_SERVICE } from '../webhooks/install-objects.ts';
import type { WebhookServerSettings } from '../webhooks/server.ts';

/**
 * The admission webhook server's settings from the environment (off with STREAMSPACE_WEBHOOKS=false).
 *
 * The configurations always point at one Service, STREAMSPACE_WEBHOOK_SERVICE=namespace/name
 * (default streamspace/streamspace-webhooks), that every replica serves:
 * - in a pod (KUBERNETES_SERVICE_HOST set) the server listens on 0.0.0.0:9443 and the Service
 *   selects the controller pods (the chart installs it);
 * - elsewhere (the embedded control plane) it listens on 127.0.0.1 on a free port and registers
 *   that address in the Service's Endpoints (STREAMSPACE_WEBHOOK_ADVERTISE_ADDRESS, default
 *   127.0.0.1; empty turns registration off).
 * STREAMSPACE_WEBHOOK_LEASE_SECONDS is how long a registration outlives its process (default 15).
 * STREAMSPACE_WEBHOOK_PORT picks the port; STREAMSPACE_WEBHOOK_CERT_DIR serves a mounted
 * (cert-manager) certificate instead of one from the CA shared through the `<service>-ca` Secret.
 */
export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv): WebhookServerSettings | undefined {
  if (env.STREAMSPACE_WEBHOOKS === 'false') return undefined;
  const defaults = sessionDefaultsFromEnv(env);
  const inPod = Boolean(env.KUBERNETES_SERVICE_HOST);
  const port = env.STREAMSPACE_WEBHOOK_PORT ? Number(env.STREAMSPACE_WEBHOOK_PORT) : inPod ? 9443 : 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`STREAMSPACE_WEBHOOK_PORT: must be an integer from 0 to 65535`);
  const advertiseAddress = env.STREAMSPACE_WEBHOOK_ADVERTISE_ADDRESS ?? (inPod ? undefined : '127.0.0.1');
  const leaseSeconds = Number(env.STREAMSPACE_WEBHOOK_LEASE_SECONDS ?? 15);
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1) throw new Error('STREAMSPACE_WEBHOOK_LEASE_SECONDS: must be a whole number of seconds, at least 1');
  return {
    host: inPod ? '0.0.0.0' : '127.0.0.1', port, service: webhookServiceFromEnv(env.STREAMSPACE_WEBHOOK_SERVICE),
    advertiseAddress: advertiseAddress || undefined, registration: { leaseDurationMs: leaseSeconds * 1000 },
    tls: env.STREAMSPACE_WEBHOOK_CERT_DIR ? { mode: 'mounted', dir: env.STREAMSPACE_WEBHOOK_CERT_DIR } : { mode: 'shared' },
    ...(Object.keys(defaults).length ? { defaults } : {}),
    callerToken: env.STREAMSPACE_WEBHOOK_CALLER_TOKEN || undefined,
    // Who may state a session user's groups (the API's service account in a cluster); see src/webhooks/user-groups.ts.
    quota: { trustedUsers: listFromEnv(env.STREAMSPACE_GROUPS_TRUSTED_USERS), trustedGroups: listFromEnv(env.STREAMSPACE_GROUPS_TRUSTED_GROUPS) ?? ['system:masters'] },
  };
}

function listFromEnv(raw: string | undefined): string[] | undefined {
  const items = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

function webhookServiceFromEnv(raw: string | undefined): WebhookServiceReference {
  if (!raw) return { ...DEFAULT_WEBHOOK_SERVICE };
  const parts = raw.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`STREAMSPACE_WEBHOOK_SERVICE: must be namespace/name, got ${JSON.stringify(raw)}`);
  return { namespace: parts[0], name: parts[1], port: 443 };
}

/** The variables that change what the defaulting webhook fills into a Session that does not say, with their help. */
export const SESSION_DEFAULT_VARIABLES = {
  STREAMSPACE_DEFAULT_IDLE_TIMEOUT: `spec.idleTimeout of a new session that sets none: how long it may sit idle before it hibernates (default ${DEFAULT_SESSION_SETTINGS.idleTimeout}; empty: never)`,
  STREAMSPACE_DEFAULT_MAX_SESSION_DURATION: 'spec.maxSessionDuration of a new session that sets none (default: no limit)',
  STREAMSPACE_DEFAULT_PERSISTENT_HOME: `spec.persistentHome of a new session that sets none (default ${DEFAULT_SESSION_SETTINGS.persistentHome})`,
} as const;

function durationVariable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return value;
  try {
    parseDuration(value);
  } catch {
    throw new Error(`${name}: must be a duration such as 30m or 1h30m, got "${value}"`);
  }
  return value;
}

/** The session defaults the STREAMSPACE_DEFAULT_* variables set (only those given); throws naming the variable on a bad value. */
export function sessionDefaultsFromEnv(env: NodeJS.ProcessEnv): SessionDefaultSettings {
  const defaults: SessionDefaultSettings = {};
  const idleTimeout = durationVariable(env, 'STREAMSPACE_DEFAULT_IDLE_TIMEOUT');
  if (idleTimeout !== undefined) defaults.idleTimeout = idleTimeout;
  const maxSessionDuration = durationVariable(env, 'STREAMSPACE_DEFAULT_MAX_SESSION_DURATION');
  if (maxSessionDuration !== undefined) defaults.maxSessionDuration = maxSessionDuration;
  const home = env.STREAMSPACE_DEFAULT_PERSISTENT_HOME;
  if (home !== undefined && home !== '') {
    if (home !== 'true' && home !== 'false') throw new Error(`STREAMSPACE_DEFAULT_PERSISTENT_HOME: must be true or false, got "${home}"`);
    defaults.persistentHome = home === 'true';
  }
  return defaults;
}

/** Loads the kubeconfig the settings name, or the default chain ($KUBECONFIG, ~/.kube/config, in-cluster). */
export function loadKubeConfig(settings: ControllerSettings): RestConfig {
  return loadRestConfig({ kubeconfig: settings.kubeconfig || undefined });
}

/** Resolves with the endpoint URL once the manager serves it ('' when disabled); rejects if the manager fails first. */
export async function servingUrl(ctrl: ControllerManager, running: Promise<void>, enabled: boolean): Promise<string> {
  let failed: unknown;
  running.catch((err: unknown) => { failed = err ?? new Error('controller manager stopped'); });
  while (enabled && !ctrl.url()) {
    if (failed) throw failed;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return ctrl.url();
}

/** One line saying what the controllers watch and how they are elected. */
export function describeScope(settings: ControllerSettings): string {
  const scope = settings.namespace ? `namespace ${settings.namespace}` : 'all namespaces';
  const { leaderElection: le } = settings;
  const election = le.enabled ? `leader election on (lease ${le.namespace}/${le.name})` : 'leader election off';
  return `watching ${scope}, ${election}`;
}

export async function runController(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    const sessionDefaults = Object.entries(SESSION_DEFAULT_VARIABLES).map(([name, help]) => `  $${name.padEnd(40)} ${help}`).join('\n');
    process.stdout.write(`Usage: streamspace controller [options]\n\nOptions (flags win over variables):\n${settingsHelp()}\n\nSession defaults (admission webhook):\n${sessionDefaults}\n`);
    return;
  }
  const settings = readControllerSettings(argv, process.env);
  const ctrl = createControllerProcess({ kubeConfig: loadKubeConfig(settings), settings, processMetrics: true, webhooks: webhookSettingsFromEnv(process.env) });
  const stop = new AbortController();
  const running = ctrl.start(stop.signal);
  running.catch((err: unknown) => {
    process.stderr.write(`streamspace controller: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
  const url = await servingUrl(ctrl, running, true);
  process.stdout.write(`StreamSpace controller: /healthz, /readyz and /metrics at ${url}; ${describeScope(settings)}\n`);
  stopOnSignals(stop, running);
}

/**
 * Stops the manager on SIGTERM/SIGINT and exits once it has shut down. (Not cluster.ts's helper:
 * importing that module would load the whole embedded control plane into the controller process.)
 */
function stopOnSignals(stop: AbortController, running: Promise<void>): void {
  const handler = (signal: string): void => {
    if (stop.signal.aborted) return;
    process.stderr.write(`Received ${signal}, shutting down\n`);
    stop.abort();
    running.then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}
