/**
 * `streamspace up` (npm start): the embedded control plane plus the platform's parts in one
 * process. On start it installs the CRDs, starts the controllers and the admission webhooks, and
 * once the webhooks serve installs (when missing) the built-in templates into the `streamspace`
 * namespace, then starts the API.
 *
 * Admission goes through the `streamspace/streamspace-webhooks` Service, whose Endpoints list
 * the live process. The order matters after a crash: the data folder still holds the
 * configurations (they belong to the install) and possibly the dead process's endpoint, so
 * nothing may go through admission (the template install does) before this process serves and has
 * registered itself. A SIGKILL therefore needs no manual step; a SIGTERM leaves the Endpoints.
 */
import { ensureNamespace, installBuiltinTemplates, installCrds, installDefaultQuota, PLATFORM_NAMESPACE } from '../controllers/install.ts';
import { createControllerProcess, type ControllerProcess } from './controller-process.ts';
import { readControllerSettings } from '../controllers/settings.ts';
import { streamspaceResources } from '../controllers/kinds.ts';
import { KubeClient } from '../runtime/client.ts';
import { restConfigFromKubeconfigText } from '../runtime/rest-config-loader.ts';
import { CLUSTER_USAGE, parseClusterFlags, startFromFlags, stopOnSignals } from './cluster.ts';
import { describeScope, servingUrl, webhookSettingsFromEnv } from './controller.ts';
import { startApiServer } from '../api/server.ts';
import { adminPasswordFromEnv, codeServerOptions } from './api.ts';
import { gatewayHoldMs } from './gateway.ts';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ensureWebUi } from './web-build.ts';
import { gatewayOnApiPort } from '../gateway/gateway.ts';
import type { WebhookServerSettings } from '../webhooks/server.ts';

const UP_USAGE = `${CLUSTER_USAGE.replace('streamspace cluster', 'streamspace up')}  --api-port N        the StreamSpace API's port (default $STREAMSPACE_API_PORT or 8080)
`;

/** The API's port: --api-port, STREAMSPACE_API_PORT, or 8080. */
function apiPort(argv: string[]): number {
  const i = argv.indexOf('--api-port');
  const raw = i >= 0 ? argv[i + 1] : process.env.STREAMSPACE_API_PORT ?? '8080';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--api-port: must be an integer from 0 to 65535, got ${raw}`);
  return port;
}

/** Resolves once the webhooks serve (and are listed in their Service); rejects if the manager stops first. */
async function admissionServing(ctrl: ControllerProcess, running: Promise<void>): Promise<void> {
  if (!ctrl.webhooks) return;
  await Promise.race([ctrl.webhooks.serving(), running.then(() => Promise.reject(new Error('controllers stopped before the webhooks served')))]);
}

/** Builds the web UI once on a fresh clone; without Vite (production installs) the API says how. */
function prepareWebUi(): string {
  try {
    ensureWebUi();
    return '';
  } catch (err) {
    return `   (not built: ${err instanceof Error ? err.message : String(err)})`;
  }
}

function withCallerToken(settings: WebhookServerSettings | undefined, callerToken: string): WebhookServerSettings | undefined {
  return settings && { ...settings, callerToken };
}

export async function runUp(argv: string[]): Promise<void> {
  const flags = parseClusterFlags(argv, { port: 6443 }, UP_USAGE, { 'api-port': { type: 'string' } });
  const adminPassword = adminPasswordFromEnv();
  const webProblem = prepareWebUi();
  // The control plane presents this token to the webhooks, which refuse reviews without it (forged ones).
  const webhookToken = process.env.STREAMSPACE_WEBHOOK_CALLER_TOKEN || randomBytes(32).toString('base64url');
  const cp = await startFromFlags(flags, { webhookToken });
  const kubeConfig = restConfigFromKubeconfigText(cp.kubeconfig, { baseDir: process.cwd() });
  const installer = new KubeClient({ kubeConfig, fieldManager: 'streamspace-installer', resources: streamspaceResources() });
  await installCrds(installer);
  await ensureNamespace(installer, PLATFORM_NAMESPACE);
  // One process, one controller: no lease to contend for; the endpoint stays on loopback. STREAMSPACE_* variables still win.
  const settings = readControllerSettings([], { STREAMSPACE_LEADER_ELECT: 'false', STREAMSPACE_METRICS_BIND_ADDRESS: '127.0.0.1', ...process.env });
  const webhooks = withCallerToken(webhookSettingsFromEnv(process.env), webhookToken);
  const ctrl = createControllerProcess({ kubeConfig, settings, processMetrics: true, webhooks });
  const stop = new AbortController();
  const running = ctrl.start(stop.signal);
  const url = await servingUrl(ctrl, running, true);
  await admissionServing(ctrl, running);
  // The seed's CODESERVER_IMAGE picks the image of the built-in code-server template.
  const created = await installBuiltinTemplates(installer, PLATFORM_NAMESPACE, { 'code-server': process.env.CODESERVER_IMAGE || undefined });
  const quotaCreated = process.env.STREAMSPACE_DEFAULT_QUOTA === 'false' ? false : await installDefaultQuota(installer);
  const api = await startApiServer({
    kubeconfig: kubeConfig, namespace: PLATFORM_NAMESPACE, port: apiPort(argv),
    dataDir: flags.dataDir && path.join(flags.dataDir, 'api'),
    auth: { adminPassword },
    codeServer: codeServerOptions(PLATFORM_NAMESPACE),
    // Sessions open through the gateway on the API's port (/s/{session}/), as the web UI links them.
    gateway: gatewayOnApiPort({ holdTimeoutMs: gatewayHoldMs(process.env) }),
  });
  const lines = [
    'StreamSpace is up.',
    `  Kubernetes API (embedded): ${cp.url}`,
    `  Kubeconfig:                ${cp.kubeconfigPath}   (try: KUBECONFIG=${cp.kubeconfigPath} kubectl get sessions -A)`,
    `  Data folder:               ${flags.dataDir ?? '(in memory)'}`,
    `  Controllers:               /healthz, /readyz, /metrics at ${url}; ${describeScope(settings)}`,
    `  Templates:                 namespace ${PLATFORM_NAMESPACE}${created.length ? ` (installed ${created.join(', ')})` : ''}`,
    `  StreamSpace API:           ${api.url}   (OpenAPI: ${api.url}/api/openapi.json)`,
    `  Web UI:                    ${api.url}/${webProblem}`,
    `  Sessions (gateway):        ${api.url}/s/{session}/`,
  ];
  if (quotaCreated) lines.push('  Default quota:             SessionQuota "default" installed (5 sessions, 3 running, 4 CPU / 8Gi each, no GPUs); change it with PUT /api/v1/quotas/default');
  if (api.bootstrap.generatedPassword) lines.push(`  Admin login:               admin / ${api.bootstrap.generatedPassword}   (shown once; stored in the data folder)`);
  process.stdout.write(lines.join('\n') + '\n');
  running.catch(async (err: unknown) => {
    process.stderr.write(`streamspace up: controllers stopped: ${err instanceof Error ? err.message : String(err)}\n`);
    await cp.stop();
    process.exit(1);
  });
  stopOnSignals(async () => {
    await api.stop();
    stop.abort();
    await running.catch(() => undefined);
    await cp.stop();
  });
}
