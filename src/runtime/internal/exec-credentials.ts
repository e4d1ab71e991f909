/**
 * Credentials from a kubeconfig exec plugin (client-go's `exec` authenticator: `aws eks get-token`,
 * `gke-gcloud-auth-plugin`, `kubelogin`, ...). We run plugins ourselves rather than through
 * client-node's ExecAuth because the controller process must never load client-node (importing it
 * costs about 80 MiB of resident memory).
 *
 * The plugin runs through execFile with the kubeconfig's argument vector, never a shell, so nothing
 * from the kubeconfig is ever parsed as a command line. Its output holds secrets: tokens never
 * reach error messages or logs; only the plugin's stderr (its own diagnostics) does.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import type { Clock } from '../clock.ts';
import type { ExecCredentialPlugin } from '../rest-config.ts';

/** The cluster a plugin is asked about (KUBERNETES_EXEC_INFO `spec.cluster`, when `provideClusterInfo`). */
export interface ExecClusterInfo {
  server: string;
  /** CA bundle, PEM text. */
  ca?: string;
  serverName?: string;
  insecureSkipVerify?: boolean;
}

/** What a plugin hands out: a bearer token, a client certificate and key (PEM), or both. */
export interface IssuedCredential {
  token?: string;
  cert?: string;
  key?: string;
}

export interface ExecCredentialSourceOptions {
  /** Time source for expiry (tests pass a TestClock). */
  clock?: Pick<Clock, 'now'>;
  /** A plugin still running after this long is killed; a hung plugin must not hang every request. */
  timeoutMs?: number;
}

/** Refresh this long before expiry, so a request does not leave with a token that expires in flight. */
const REFRESH_BEFORE_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_STDOUT_BYTES = 1 << 20;
const MAX_STDERR_CHARS = 500;

interface Cached {
  value: IssuedCredential;
  refreshAt: number;
}

/**
 * Runs an exec plugin when a credential is needed and keeps its result until shortly before it
 * expires (for good when it carries no expiry) or until {@link invalidate}. Concurrent callers share
 * one plugin run.
 */
export class ExecCredentialSource {
  readonly #plugin: ExecCredentialPlugin;
  readonly #cluster: ExecClusterInfo;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #timeoutMs: number;
  #cached: Cached | undefined;
  #running: Promise<IssuedCredential> | undefined;

  constructor(plugin: ExecCredentialPlugin, cluster: ExecClusterInfo, options: ExecCredentialSourceOptions = {}) {
    this.#plugin = plugin;
    this.#cluster = cluster;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** The current credential, running the plugin when none is cached or it is about to expire. */
  async get(): Promise<IssuedCredential> {
    const cached = this.#cached;
    if (cached && this.#clock.now() < cached.refreshAt) return cached.value;
    this.#running ??= this.#refresh().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /**
   * Forgets the cached credential (after a 401), so the next {@link get} runs the plugin again.
   * Pass the credential the failed request used: if a newer one has been fetched since, it is kept,
   * so a burst of 401s from requests sent with the old credential costs one plugin run, not many.
   */
  invalidate(used?: IssuedCredential): void {
    if (used && this.#cached && this.#cached.value !== used) return;
    this.#cached = undefined;
  }

  async #refresh(): Promise<IssuedCredential> {
    const stdout = await this.#run();
    const { value, expiresAt } = parseExecCredential(stdout, this.#plugin);
    this.#cached = { value, refreshAt: refreshTime(this.#clock.now(), expiresAt) };
    return value;
  }

  #run(): Promise<string> {
    const { command, args } = this.#plugin;
    const options = { env: this.#env(), timeout: this.#timeoutMs, maxBuffer: MAX_STDOUT_BYTES, encoding: 'utf8' as const, windowsHide: true };
    return new Promise((resolve, reject) => {
      const child = execFile(command, args, options, (err, stdout, stderr) => {
        if (err) reject(new Error(failureMessage(command, err, stderr, this.#timeoutMs)));
        else resolve(stdout);
      });
      // Non-interactive: the plugin gets end-of-file on stdin instead of waiting for input forever.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end();
    });
  }

  #env(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.#plugin.env, KUBERNETES_EXEC_INFO: JSON.stringify(execInfo(this.#plugin, this.#cluster)) };
  }
}

/** The ExecCredential handed to the plugin in KUBERNETES_EXEC_INFO, as client-go builds it. */
export function execInfo(plugin: ExecCredentialPlugin, cluster: ExecClusterInfo): object {
  const spec: Record<string, unknown> = { interactive: false };
  if (plugin.provideClusterInfo) {
    spec.cluster = {
      server: cluster.server,
      'tls-server-name': cluster.serverName || undefined,
      'insecure-skip-tls-verify': cluster.insecureSkipVerify || undefined,
      'certificate-authority-data': cluster.ca ? Buffer.from(cluster.ca).toString('base64') : undefined,
    };
  }
  return { apiVersion: plugin.apiVersion, kind: 'ExecCredential', spec };
}

/** Fresh until shortly before expiry; a credential that lives less than twice that margin is used for half its life. */
function refreshTime(now: number, expiresAt: number | undefined): number {
  if (expiresAt === undefined) return Infinity;
  return expiresAt - Math.min(REFRESH_BEFORE_MS, Math.max(0, (expiresAt - now) / 2));
}

function failureMessage(command: string, err: ExecFileException, stderr: string, timeoutMs: number): string {
  let reason: string;
  if (typeof err.code === 'string') reason = err.code;
  else if (err.killed && err.signal) reason = `timed out after ${timeoutMs} ms`;
  else if (err.signal) reason = `killed by ${err.signal}`;
  else reason = `exit code ${err.code ?? 'unknown'}`;
  const detail = clip(String(stderr ?? '').trim(), MAX_STDERR_CHARS);
  return `exec credential plugin "${command}" failed (${reason})${detail ? `: ${detail}` : ''}`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Parses and checks the plugin's stdout. Messages describe the output's shape, never its values (they may be secrets). */
function parseExecCredential(stdout: string, plugin: ExecCredentialPlugin): { value: IssuedCredential; expiresAt?: number } {
  const where = `exec credential plugin "${plugin.command}"`;
  const doc = parseJson(stdout, where);
  if (doc.kind !== 'ExecCredential') throw new Error(`${where} printed kind ${describe(doc.kind)}, expected "ExecCredential"`);
  if (doc.apiVersion !== plugin.apiVersion) throw new Error(`${where} printed apiVersion ${describe(doc.apiVersion)}, expected "${plugin.apiVersion}"`);
  const status = doc.status;
  if (!isObject(status)) throw new Error(`${where} printed an ExecCredential without status`);
  const token = statusString(status, 'token', where);
  const cert = statusString(status, 'clientCertificateData', where);
  const key = statusString(status, 'clientKeyData', where);
  if (!token && !(cert && key)) throw new Error(`${where} returned neither status.token nor both status.clientCertificateData and status.clientKeyData`);
  if (Boolean(cert) !== Boolean(key)) throw new Error(`${where} returned only one of status.clientCertificateData and status.clientKeyData`);
  const value: IssuedCredential = {};
  if (token) value.token = token;
  if (cert && key) Object.assign(value, { cert, key });
  return { value, expiresAt: expiry(status, where) };
}

function parseJson(stdout: string, where: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new Error(`${where} printed output that is not JSON`);
  }
  if (!isObject(doc)) throw new Error(`${where} printed JSON that is not an object`);
  return doc;
}

function expiry(status: Record<string, unknown>, where: string): number | undefined {
  const text = statusString(status, 'expirationTimestamp', where);
  if (!text) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new Error(`${where} printed an invalid status.expirationTimestamp ${describe(text)}`);
  return at;
}

function statusString(status: Record<string, unknown>, key: string, where: string): string | undefined {
  const value = status[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${where} printed a status.${key} that is not a string`);
  return value;
}

/** A short rendering of a non-secret field (kind, apiVersion, timestamp). */
function describe(value: unknown): string {
  return value === undefined ? 'none' : clip(JSON.stringify(value) ?? String(value), 80);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
