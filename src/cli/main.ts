/**
 * The `streamspace` command: one binary, one subcommand per part of the platform.
 * Configuration is read here, at the edge, and passed down as options.
 */
import { parseArgs } from 'node:util';

/** A subcommand: its summary line and its entry point. */
interface Command {
  summary: string;
  run(argv: string[]): Promise<void>;
}

const commands: Record<string, Command> = {
  cluster: { summary: 'run the embedded Kubernetes control plane', run: async (a) => (await import('./cluster.ts')).runCluster(a) },
  up: { summary: 'run the whole platform on the embedded control plane (npm start)', run: async (a) => (await import('./up.ts')).runUp(a) },
  api: { summary: 'run the StreamSpace API server against KUBECONFIG', run: async (a) => (await import('./api.ts')).runApi(a) },
  gateway: { summary: 'run the session gateway (authenticated proxy to sessions, wake on connect, VNC in the browser)', run: async (a) => (await import('./gateway.ts')).runGateway(a) },
  controller: { summary: 'run the StreamSpace controllers against KUBECONFIG or in-cluster config', run: async (a) => (await import('./controller.ts')).runController(a) },
  crds: { summary: 'print the StreamSpace CustomResourceDefinitions as YAML', run: async (a) => runCrds(a) },
};

/** `crds` takes no options but --help; anything else is an error. */
async function runCrds(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  if (values.help) return void process.stdout.write('Usage: streamspace crds\n\nPrints the StreamSpace CustomResourceDefinitions as YAML.\n');
  process.stdout.write((await import('../apis/index.ts')).crdsYaml());
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return `Usage: streamspace <command> [options]\n\nCommands:\n${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const cmd = name ? commands[name] : undefined;
  if (!cmd) {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { help: { type: 'boolean', short: 'h' } }, strict: false });
    process.stderr.write(usage());
    process.exit(values.help ? 0 : 2);
  }
  await cmd.run(rest);
}

main().catch((err) => {
  process.stderr.write(`streamspace: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
