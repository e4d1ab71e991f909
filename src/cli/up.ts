/** `streamspace up` (npm start): the embedded control plane plus the platform's parts in one process. */
import { parseClusterFlags, startFromFlags, stopOnSignals } from './cluster.ts';

export async function runUp(argv: string[]): Promise<void> {
  const flags = parseClusterFlags(argv, { port: 6443 });
  const cp = await startFromFlags(flags);
  const lines = [
    'StreamSpace is up.',
    `  Kubernetes API (embedded): ${cp.url}`,
    `  Kubeconfig:                ${flags.kubeconfig}   (try: KUBECONFIG=${flags.kubeconfig} kubectl get nodes)`,
    `  Data folder:               ${flags.dataDir ?? '(in memory)'}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  stopOnSignals(() => cp.stop());
}
