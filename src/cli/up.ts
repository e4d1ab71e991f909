/**
 * `streamspace up` (npm start): the embedded control plane plus the platform's parts in one
 * process. On start it installs the CRDs and (when missing) the built-in templates into the
 * `streamspace` namespace, then runs the controllers against the embedded API server.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { installBuiltinTemplates, installCrds, PLATFORM_NAMESPACE } from '../controllers/install.ts';
import { createControllerManager } from '../controllers/manager.ts';
import { readControllerSettings } from '../controllers/settings.ts';
import { streamspaceResources } from '../controllers/kinds.ts';
import { KubeClient } from '../runtime/client.ts';
import { parseClusterFlags, startFromFlags, stopOnSignals } from './cluster.ts';
import { describeScope, servingUrl } from './controller.ts';

export async function runUp(argv: string[]): Promise<void> {
  const flags = parseClusterFlags(argv, { port: 6443 });
  const cp = await startFromFlags(flags);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(cp.kubeconfig);
  const installer = new KubeClient({ kubeConfig, fieldManager: 'streamspace-installer', resources: streamspaceResources() });
  await installCrds(installer);
  const created = await installBuiltinTemplates(installer, PLATFORM_NAMESPACE);
  // One process, one controller: no lease to contend for; the endpoint stays on loopback. STREAMSPACE_* variables still win.
  const settings = readControllerSettings([], { STREAMSPACE_LEADER_ELECT: 'false', STREAMSPACE_METRICS_BIND_ADDRESS: '127.0.0.1', ...process.env });
  const ctrl = createControllerManager({ kubeConfig, settings, processMetrics: true });
  const stop = new AbortController();
  const running = ctrl.start(stop.signal);
  const url = await servingUrl(ctrl, running, true);
  const lines = [
    'StreamSpace is up.',
    `  Kubernetes API (embedded): ${cp.url}`,
    `  Kubeconfig:                ${flags.kubeconfig}   (try: KUBECONFIG=${flags.kubeconfig} kubectl get sessions -A)`,
    `  Data folder:               ${flags.dataDir ?? '(in memory)'}`,
    `  Controllers:               /healthz, /readyz, /metrics at ${url}; ${describeScope(settings)}`,
    `  Templates:                 namespace ${PLATFORM_NAMESPACE}${created.length ? ` (installed ${created.join(', ')})` : ''}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  running.catch(async (err: unknown) => {
    process.stderr.write(`streamspace up: controllers stopped: ${err instanceof Error ? err.message : String(err)}\n`);
    await cp.stop();
    process.exit(1);
  });
  stopOnSignals(async () => {
    stop.abort();
    await running.catch(() => undefined);
    await cp.stop();
  });
}
