/**
 * `streamspace gateway`: the session gateway on its own port, for clusters (host mode,
 * `{session}.{domain}`, behind a wildcard DNS name and TLS terminator) or path mode. It reads
 * the same database and signing key as the API (`--database-url`, or the API's data folder) so
 * it accepts the same sign-ins, and writes the same audit log and session activity.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { startGatewayServer, type GatewayServerOptions } from '../gateway/server.ts';
import { authOptions } from './api.ts';
import { stopOnSignals } from './cluster.ts';

const USAGE = `Usage: streamspace gateway [options]

  --kubeconfig PATH        cluster to use (default $KUBECONFIG, else ~/.kube/config, else the pod's service account)
  --namespace NAME         namespace of sessions (default streamspace)
  --host ADDR --port N     where to listen (default 127.0.0.1:8081)
  --domain DOMAIN          host mode: sessions at {session}.DOMAIN (default: path mode, /s/{session}/)
  --data-dir DIR           the API's data folder (signing key, embedded database)
  --database-url URL       the API's PostgreSQL ($STREAMSPACE_DATABASE_URL)
  --auth MODE              local (default), oidc or proxy, with the API's --oidc-* / --trusted-proxies flags
  --hold SECONDS           how long a program's request to a waking session is held before 503 ($STREAMSPACE_GATEWAY_HOLD, default 60)
  --background-paths RE[,RE]  web-app paths that are background polling, not user activity
  --login-url URL          where the sign-in page is (default /)
`;

/** The hold time from STREAMSPACE_GATEWAY_HOLD (seconds), default 60 s. */
export function gatewayHoldMs(env: NodeJS.ProcessEnv, flag?: string): number {
  const raw = flag ?? env.STREAMSPACE_GATEWAY_HOLD ?? '60';
  const seconds = Number(raw);
  if (!(seconds >= 0)) throw new Error(`--hold (STREAMSPACE_GATEWAY_HOLD): must be a number of seconds, got ${raw}`);
  return seconds * 1000;
}

/** Parses the flags of `streamspace gateway`. */
export function parseGatewayFlags(argv: string[]): GatewayServerOptions {
  const text = { type: 'string' } as const;
  const options = {
    kubeconfig: text, namespace: text, host: text, port: text, domain: text, 'data-dir': text, 'database-url': text, auth: text,
    'oidc-issuer': text, 'oidc-audience': text, 'oidc-admin-roles': text, 'oidc-role-claims': text, 'trusted-proxies': text, 'groups-header': text,
    hold: text, 'background-paths': text, 'login-url': text, help: { type: 'boolean', short: 'h' },
  } as const;
  const { values: v } = parseArgs({ args: argv, options, allowPositionals: false });
  if (v.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const port = Number(v.port ?? 8081);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: must be an integer from 0 to 65535, got ${String(v.port)}`);
  if (v.domain !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v.domain)) throw new Error(`--domain: must be a DNS name, got ${v.domain}`);
  const backgroundPaths = (v['background-paths'] ?? '').split(',').filter(Boolean).map((re) => {
    try {
      return new RegExp(re);
    } catch {
      throw new Error(`--background-paths: ${re} is not a regular expression`);
    }
  });
  const defaultData = path.join(process.env.STREAMSPACE_DATA_DIR ?? path.join(os.homedir(), '.local', 'share', 'streamspace'), 'api');
  return {
    kubeconfig: v.kubeconfig ?? '',
    namespace: String(v.namespace ?? 'streamspace'),
    host: String(v.host ?? '127.0.0.1'), port,
    mode: v.domain ? { kind: 'host', domain: v.domain } : { kind: 'path' },
    dataDir: String(v['data-dir'] ?? defaultData),
    databaseUrl: v['database-url'] ?? (process.env.STREAMSPACE_DATABASE_URL || undefined),
    auth: authOptions(v),
    holdTimeoutMs: gatewayHoldMs(process.env, v.hold),
    backgroundPaths,
    loginUrl: v['login-url'],
    logger: pino({ name: 'streamspace-gateway' }),
  };
}

/** Runs the gateway until SIGTERM/SIGINT. */
export async function runGateway(argv: string[]): Promise<void> {
  const server = await startGatewayServer(parseGatewayFlags(argv));
  process.stdout.write(`StreamSpace gateway serving at ${server.url} (${server.gateway.mode.kind === 'host' ? `{session}.${server.gateway.mode.domain}` : '/s/{session}/'})\n`);
  stopOnSignals(() => server.stop());
}
