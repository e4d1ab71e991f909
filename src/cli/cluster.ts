/** `streamspace cluster`: runs the embedded control plane until SIGTERM/SIGINT. */
import fs from 'node:fs';
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
  /** Where to write the kubeconfig; undefined with --in-memory and no --kubeconfig: a private folder made at start. */
  kubeconfig: string | undefined;
}

/** The default data folder: $STREAMSPACE_DATA_DIR or ~/.local/share/streamspace. */
export function defaultDataDir(): string {
  return process.env.STREAMSPACE_DATA_DIR ?? path.join(os.homedir(), '.local', 'share', 'streamspace');
}

/** The usage of `streamspace cluster`; `up` adds its own lines. */
export const CLUSTER_USAGE = `Usage: streamspace cluster [options]

  --data-dir DIR      where state lives (default $STREAMSPACE_DATA_DIR or ~/.local/share/streamspace)
  --in-memory         keep nothing; the kubeconfig goes into a private temporary folder removed on stop
  --no-sync           skip fdatasync (throwaway clusters)
  --port N            the Kubernetes API's port (default 6443; 0 picks a free one)
  --kubeconfig FILE   where to write the kubeconfig (default DIR/kubeconfig)
  -h, --help          print this help
`;

/**
 * Parses the flags of `cluster` (and `up`, with `extra` flags and its own usage). `--help` prints
 * the usage and exits; an unknown flag is an error (never silently starting the platform).
 */
export function parseClusterFlags(argv: string[], defaults: { port: number }, usage = CLUSTER_USAGE, extra: Record<string, { type: 'string' }> = {}): ClusterFlags {
  const { values } = parseArgs({
    args: argv, allowPositionals: false, strict: true, allowNegative: true,
    options: {
      'data-dir': { type: 'string' }, 'in-memory': { type: 'boolean' }, sync: { type: 'boolean', default: true }, port: { type: 'string' },
      kubeconfig: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...extra,
    },
  });
  if (values.help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  const port = values.port === undefined ? defaults.port : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: must be an integer from 0 to 65535, got ${String(values.port)}`);
  const dataDir = values['in-memory'] ? undefined : String(values['data-dir'] ?? defaultDataDir());
  const kubeconfig = values.kubeconfig !== undefined ? String(values.kubeconfig) : dataDir ? path.join(dataDir, 'kubeconfig') : undefined;
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
/**
 * Starts the control plane from parsed flags. Without a data folder or --kubeconfig the kubeconfig
 * (it holds the admin token) goes into a fresh folder only this user can enter (mkdtemp, 0700):
 * a guessable name in the shared temp folder could be pre-created by another local user. The
 * folder is removed on stop.
 */
export async function startFromFlags(flags: ClusterFlags, extra: Partial<ControlPlaneOptions> = {}): Promise<ControlPlane> {
  const privateDir = flags.kubeconfig === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'streamspace-')) : undefined;
  const cp = await startControlPlane({
    dataDir: flags.dataDir, fsync: flags.sync, port: flags.port, kubeconfigPath: flags.kubeconfig ?? path.join(privateDir!, 'kubeconfig'),
    webhookToken: process.env.STREAMSPACE_WEBHOOK_CALLER_TOKEN || undefined, ...extra,
  }).catch((err: unknown) => {
    if (privateDir) fs.rmSync(privateDir, { recursive: true, force: true });
    throw err;
  });
  if (!privateDir) return cp;
  const stop = cp.stop.bind(cp);
  return { ...cp, stop: async () => { await stop(); fs.rmSync(privateDir, { recursive: true, force: true }); } };
}

export async function runCluster(argv: string[]): Promise<void> {
  const flags = parseClusterFlags(argv, { port: 6443 });
  const cp = await startFromFlags(flags);
  process.stdout.write(`Control plane serving at ${cp.url}\nKubeconfig written to ${cp.kubeconfigPath}\nData: ${flags.dataDir ?? '(in memory)'}\n`);
  stopOnSignals(() => cp.stop());
}
