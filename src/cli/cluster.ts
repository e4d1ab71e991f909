/** `streamspace cluster`: runs the embedded control plane until SIGTERM/SIGINT. */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../controlplane/index.ts';

/** The options shared by `cluster` and `up`. */
export interface ClusterFlags {
  dataDir: string | undefined;
  /** fdatasync each write before acknowledging it (default; `--no-sync` turns it off for throwaway clusters). */
  sync: boolean;
  port: number;
  kubeconfig: string;
}

/** The default data folder: $STREAMSPACE_DATA_DIR or ~/.local/share/streamspace. */
export function defaultDataDir(): string {
  return process.env.STREAMSPACE_DATA_DIR ?? path.join(os.homedir(), '.local', 'share', 'streamspace');
}

/** Parses --data-dir, --in-memory, --no-sync, --port and --kubeconfig (plus `extra` options of the caller). */
export function parseClusterFlags(argv: string[], defaults: { port: number }): ClusterFlags {
  const { values } = parseArgs({
    args: argv, allowPositionals: false, strict: false, allowNegative: true,
    options: { 'data-dir': { type: 'string' }, 'in-memory': { type: 'boolean' }, sync: { type: 'boolean', default: true }, port: { type: 'string' }, kubeconfig: { type: 'string' }, 'api-port': { type: 'string' } },
  });
  const port = values.port === undefined ? defaults.port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: must be an integer from 0 to 65535, got ${String(values.port)}`);
  const dataDir = values['in-memory'] ? undefined : String(values['data-dir'] ?? defaultDataDir());
  const kubeconfig = String(values.kubeconfig ?? path.join(dataDir ?? os.tmpdir(), dataDir ? 'kubeconfig' : `streamspace-${process.pid}.kubeconfig`));
  return { dataDir, sync: values.sync !== false, port, kubeconfig };
}

/** Stops `stoppables` in order on SIGTERM/SIGINT, then exits 0. */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`Received ${signal}, shutting down\n`);
    stop().then(() => process.exit(0), (err) => {
      process.stderr.write(`shutdown failed: ${String(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => handler('SIGTERM'));
  process.on('SIGINT', () => handler('SIGINT'));
}

/** Starts the control plane from parsed flags. */
export async function startFromFlags(flags: ClusterFlags, extra: Partial<ControlPlaneOptions> = {}): Promise<ControlPlane> {
  return startControlPlane({
    dataDir: flags.dataDir, fsync: flags.sync, port: flags.port, kubeconfigPath: flags.kubeconfig,
    webhookToken: process.env.STREAMSPACE_WEBHOOK_CALLER_TOKEN || undefined, ...extra,
  });
}

export async function runCluster(argv: string[]): Promise<void> {
  const flags = parseClusterFlags(argv, { port: 6443 });
  const cp = await startFromFlags(flags);
  process.stdout.write(`Control plane serving at ${cp.url}\nKubeconfig written to ${flags.kubeconfig}\nData: ${flags.dataDir ?? '(in memory)'}\n`);
  stopOnSignals(() => cp.stop());
}
