/**
 * `streamspace api`: runs the StreamSpace API server against KUBECONFIG (or --kubeconfig).
 * Flags and environment are read here and passed to startApiServer() as options.
 */
import { gatewayOnApiPort } from '../gateway/gateway.ts';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startApiServer, type ApiAuthOptions, type ApiServerOptions } from '../api/server.ts';
import { codeServerSettingsFromEnv, defaultCodeServerSettings } from '../codeserver/settings.ts';
import { AUTH_MODES, type AuthMode } from '../api/auth/authenticator.ts';
import { MIN_ADMIN_PASSWORD_LENGTH } from '../api/auth/local-accounts.ts';
import { stopOnSignals } from './cluster.ts';

const USAGE = `Usage: streamspace api [options]

  --kubeconfig PATH        cluster to use (default $KUBECONFIG, else ~/.kube/config, else the pod's service account)
  --namespace NAME         namespace of sessions and templates (default streamspace)
  --host ADDR --port N     where to listen (default 127.0.0.1:8080)
  --data-dir DIR           embedded database, signing key, admin password (default $STREAMSPACE_DATA_DIR/api)
  --in-memory              keep everything in memory
  --database-url URL       PostgreSQL instead of the embedded database ($STREAMSPACE_DATABASE_URL)
  --auth MODE              local (default), oidc or proxy
  --oidc-issuer URL --oidc-audience A[,B] --oidc-admin-roles R[,S] --oidc-role-claims C[,D]
  --oidc-no-audience       accept tokens issued for any application of the issuer (not recommended;
                           without it --oidc-audience is required)
  --trusted-proxies CIDR[,CIDR] --groups-header NAME
  --heartbeat-flush SECONDS  how often coalesced heartbeats are written (default 30)
  --gateway                also serve the session gateway on this port, under /s/{session}/
  --secure-cookie          mark the sign-in cookie Secure (behind TLS)
  --cookie-domain DOMAIN   the sign-in cookie's Domain, for a gateway in host mode ({session}.DOMAIN)
The first admin's password comes from $STREAMSPACE_ADMIN_PASSWORD, or is generated and printed once.
`;

function list(value: unknown): string[] | undefined {
  return typeof value === 'string' && value ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

/** $STREAMSPACE_ADMIN_PASSWORD, checked before anything starts (weak ones are refused). */
export function adminPasswordFromEnv(): string | undefined {
  const password = process.env.STREAMSPACE_ADMIN_PASSWORD || undefined;
  if (password !== undefined && password.length < MIN_ADMIN_PASSWORD_LENGTH) {
    throw new Error(`STREAMSPACE_ADMIN_PASSWORD: must be at least ${MIN_ADMIN_PASSWORD_LENGTH} characters (or unset it to have one generated)`);
  }
  return password;
}

/** The authentication options from the flags (shared with `streamspace gateway`). */
export function authOptions(v: Record<string, unknown>): ApiAuthOptions {
  const mode = String(v.auth ?? 'local') as AuthMode;
  if (!AUTH_MODES.includes(mode)) throw new Error(`--auth: must be one of ${AUTH_MODES.join(', ')}`);
  const auth: ApiAuthOptions = { mode, adminPassword: adminPasswordFromEnv() };
  if (mode === 'oidc') {
    if (typeof v['oidc-issuer'] !== 'string') throw new Error('--auth oidc needs --oidc-issuer');
    // Without an audience, a token the issuer minted for any other application would be accepted here.
    if (!list(v['oidc-audience']) && !v['oidc-no-audience']) {
      throw new Error('--auth oidc needs --oidc-audience (the client id tokens must be issued for), or --oidc-no-audience to accept any');
    }
    if (v['oidc-no-audience']) process.stderr.write('streamspace api: warning: --oidc-no-audience accepts tokens the issuer minted for any application\n');
    auth.oidc = { issuer: v['oidc-issuer'], audiences: list(v['oidc-audience']), adminRoles: list(v['oidc-admin-roles']), roleClaims: list(v['oidc-role-claims']) };
  }
  if (mode === 'proxy') {
    const trustedProxies = list(v['trusted-proxies']);
    if (!trustedProxies) throw new Error('--auth proxy needs --trusted-proxies');
    auth.proxy = { trustedProxies, groupsHeader: typeof v['groups-header'] === 'string' ? v['groups-header'] : undefined };
  }
  return auth;
}

/** The flags that need checking beyond their type: --port, --heartbeat-flush, --cookie-domain. */
function checkedValues(v: { port?: string; 'heartbeat-flush'?: string; 'cookie-domain'?: string }): { port: number; flush: number; cookieDomain?: string } {
  const port = Number(v.port ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: must be an integer from 0 to 65535, got ${String(v.port)}`);
  const cookieDomain = v['cookie-domain'];
  if (cookieDomain !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(cookieDomain)) throw new Error(`--cookie-domain: must be a DNS name, got ${cookieDomain}`);
  const flush = Number(v['heartbeat-flush'] ?? 30);
  if (!(flush > 0)) throw new Error('--heartbeat-flush: must be a positive number of seconds');
  return { port, flush, cookieDomain };
}

/** Parses the flags of `streamspace api`. */
export function parseApiFlags(argv: string[]): ApiServerOptions {
  const text = { type: 'string' } as const;
  const options = {
    kubeconfig: text, namespace: text, host: text, port: text, 'data-dir': text, 'database-url': text, auth: text, 'oidc-issuer': text,
    'oidc-audience': text, 'oidc-admin-roles': text, 'oidc-role-claims': text, 'trusted-proxies': text, 'groups-header': text,
    'heartbeat-flush': text, 'in-memory': { type: 'boolean' }, gateway: { type: 'boolean' }, 'secure-cookie': { type: 'boolean' }, 'cookie-domain': text,
    'oidc-no-audience': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  } as const;
  const { values: v } = parseArgs({ args: argv, options, allowPositionals: false });
  if (v.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const { port, flush, cookieDomain } = checkedValues(v);
  const defaultData = path.join(process.env.STREAMSPACE_DATA_DIR ?? path.join(os.homedir(), '.local', 'share', 'streamspace'), 'api');
  return {
    // '' = kubectl's chain ($KUBECONFIG, ~/.kube/config, then the pod's service account), so the API runs in a pod.
    kubeconfig: v.kubeconfig ?? '',
    namespace: String(v.namespace ?? 'streamspace'),
    host: String(v.host ?? '127.0.0.1'), port,
    dataDir: v['in-memory'] ? undefined : String(v['data-dir'] ?? defaultData),
    databaseUrl: v['database-url'] ?? (process.env.STREAMSPACE_DATABASE_URL || undefined),
    auth: authOptions(v),
    heartbeatFlushIntervalMs: flush * 1000,
    codeServer: codeServerOptions(String(v.namespace ?? 'streamspace')),
    gateway: v.gateway ? gatewayOnApiPort() : undefined,
    cookie: { secure: v['secure-cookie'] === true, domain: cookieDomain },
  };
}

/** Code-server provisioning is on when GITEA_URL is set (the seed's settings come from the environment). */
export function codeServerOptions(namespace: string): ApiServerOptions['codeServer'] {
  if (!process.env.GITEA_URL) return undefined;
  return codeServerSettingsFromEnv(process.env, { ...defaultCodeServerSettings(), namespace });
}

/** Runs the API until SIGTERM/SIGINT. */
export async function runApi(argv: string[]): Promise<void> {
  const api = await startApiServer(parseApiFlags(argv));
  const lines = [`StreamSpace API serving at ${api.url} (OpenAPI: ${api.url}/api/openapi.json)`];
  if (api.bootstrap.generatedPassword) {
    lines.push(`Created the first admin account: user "admin", password "${api.bootstrap.generatedPassword}"`);
    if (api.bootstrap.passwordFile) lines.push(`  (also stored in ${api.bootstrap.passwordFile}; this is the only time it is printed)`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  stopOnSignals(() => api.stop());
}
