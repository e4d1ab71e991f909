/**
 * Settings of the code-server provisioning service, read once from environment variables with
 * the seed's names (GITEA_URL, GITEA_TOKEN, GITEA_SERVICE_URL, CODESERVER_TIMEOUT, CODESERVER_CPU,
 * CODESERVER_MEMORY, PVC_SIZE, PVC_STORAGE_CLASS, CODESERVER_NAMESPACE) plus the few this
 * implementation adds (how access is checked, the Git image, limits, idle polling).
 */
import { parseDuration } from '../apimachinery/duration.ts';
import { isValidQuantity } from '../apimachinery/quantity.ts';
import { cloneUrlProblem } from './names.ts';
import { DEFAULT_GIT_IMAGE } from '../apis/stream/v1alpha1/repository-clone.ts';

export { DEFAULT_GIT_IMAGE };

/**
 * How repository access is checked:
 * - `caller-token`: the caller's own token is forwarded to Gitea, which answers for them;
 * - `service-token`: GITEA_TOKEN asks Gitea for the caller's permission on the repository.
 *   Gitea does not accept Keycloak tokens on its API, so this is the mode for OIDC logins.
 */
export type AccessCheckMode = 'caller-token' | 'service-token';

/** Which token the init container clones with: the caller's, or GITEA_TOKEN. */
export type CloneCredentialMode = 'caller-token' | 'service-token';

/** CPU and memory, as quantities. */
export interface CpuMemory {
  cpu?: string;
  memory?: string;
}

/** Every setting of the service. */
export interface CodeServerSettings {
  /** Namespace of the code-server Sessions (and of the code-server Template). */
  namespace: string;
  /** The Template sessions are launched from. */
  template: string;
  /** Gitea's base URL (clone URLs default to `<giteaUrl>/<owner>/<name>.git`). */
  giteaUrl: string;
  /** Base URL of the Gitea API used for access checks (GITEA_SERVICE_URL; default giteaUrl). */
  giteaServiceUrl: string;
  /** Gitea service token (GITEA_TOKEN): access checks in service-token mode, cloning in service-token mode. */
  giteaToken?: string;
  /** How long one Gitea request may take. */
  giteaTimeoutMs: number;
  accessCheck: AccessCheckMode;
  cloneCredential: CloneCredentialMode;
  /** Image of the repository init containers (needs sh and git). */
  gitImage: string;
  /** How long provisionCodeServer, startCodeServer and syncRepository wait for the pod (CODESERVER_TIMEOUT, seconds). */
  timeoutMs: number;
  /** Resources of the code-server container. */
  resources: { requests: CpuMemory; limits: CpuMemory };
  /** The user's home volume, when the service has to create it. */
  home: { size: string; storageClassName?: string };
  /** Session idleTimeout (a Go duration); unset never hibernates on idleness. */
  idleTimeout?: string;
  /** Port code-server listens on inside the pod (its /healthz is polled there). */
  codeServerPort: number;
  /** How often /healthz of running instances is polled for activity; 0 disables the poller. */
  activityPollIntervalMs: number;
}


/** The settings before any variable is read (GITEA_URL is required, so it starts empty). */
export function defaultCodeServerSettings(): CodeServerSettings {
  return {
    namespace: 'streamspace',
    template: 'code-server',
    giteaUrl: '',
    giteaServiceUrl: '',
    giteaTimeoutMs: 10_000,
    accessCheck: 'service-token',
    cloneCredential: 'service-token',
    gitImage: DEFAULT_GIT_IMAGE,
    timeoutMs: 300_000,
    resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '4Gi' } },
    home: { size: '10Gi' },
    codeServerPort: 8080,
    activityPollIntervalMs: 60_000,
  };
}

type Env = Record<string, string | undefined>;

/** One environment variable: its name and how it changes the settings. */
interface SettingVariable {
  name: string;
  apply(settings: CodeServerSettings, value: string): void;
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n <= 0) throw new Error(`must be a positive number of seconds, got "${value}"`);
  return n * 1000;
}

function quantity(value: string): string {
  const problem = isValidQuantity(value)[0];
  if (problem) throw new Error(problem);
  return value;
}

function baseUrl(value: string): string {
  const problem = cloneUrlProblem(value);
  if (problem) throw new Error(`must be an http(s) URL: it ${problem}`);
  return value.replace(/\/+$/, '');
}

function mode<T extends string>(allowed: readonly T[], value: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

const MODES = ['caller-token', 'service-token'] as const;

/** Every variable, with the seed's names first. */
export const SETTING_VARIABLES: readonly SettingVariable[] = [
  { name: 'CODESERVER_NAMESPACE', apply: (s, v) => { s.namespace = v; } },
  { name: 'GITEA_URL', apply: (s, v) => { s.giteaUrl = baseUrl(v); } },
  { name: 'GITEA_SERVICE_URL', apply: (s, v) => { s.giteaServiceUrl = baseUrl(v); } },
  { name: 'GITEA_TOKEN', apply: (s, v) => { s.giteaToken = v; } },
  { name: 'CODESERVER_TIMEOUT', apply: (s, v) => { s.timeoutMs = positiveSeconds(v); } },
  { name: 'CODESERVER_CPU', apply: (s, v) => { s.resources.requests.cpu = quantity(v); } },
  { name: 'CODESERVER_MEMORY', apply: (s, v) => { s.resources.requests.memory = quantity(v); } },
  { name: 'CODESERVER_CPU_LIMIT', apply: (s, v) => { s.resources.limits.cpu = quantity(v); } },
  { name: 'CODESERVER_MEMORY_LIMIT', apply: (s, v) => { s.resources.limits.memory = quantity(v); } },
  { name: 'PVC_SIZE', apply: (s, v) => { s.home.size = quantity(v); } },
  { name: 'PVC_STORAGE_CLASS', apply: (s, v) => { s.home.storageClassName = v; } },
  { name: 'CODESERVER_TEMPLATE', apply: (s, v) => { s.template = v; } },
  { name: 'CODESERVER_GIT_IMAGE', apply: (s, v) => { s.gitImage = v; } },
  { name: 'CODESERVER_ACCESS_CHECK', apply: (s, v) => { s.accessCheck = mode(MODES, v); } },
  { name: 'CODESERVER_CLONE_CREDENTIAL', apply: (s, v) => { s.cloneCredential = mode(MODES, v); } },
  { name: 'GITEA_TIMEOUT', apply: (s, v) => { s.giteaTimeoutMs = positiveSeconds(v); } },
  { name: 'CODESERVER_IDLE_TIMEOUT', apply: (s, v) => { parseDuration(v); s.idleTimeout = v; } },
  { name: 'CODESERVER_PORT', apply: (s, v) => { s.codeServerPort = Number(v); if (!Number.isInteger(s.codeServerPort) || s.codeServerPort < 1 || s.codeServerPort > 65535) throw new Error(`must be a port, got "${v}"`); } },
  { name: 'CODESERVER_ACTIVITY_POLL_INTERVAL', apply: (s, v) => { s.activityPollIntervalMs = parseDuration(v); } },
];

/** Problems a complete set of settings still has (GITEA_URL missing, a token the modes need). */
function missing(s: CodeServerSettings): string[] {
  const problems: string[] = [];
  if (!s.giteaUrl) problems.push('GITEA_URL is required');
  const needsToken = s.accessCheck === 'service-token' || s.cloneCredential === 'service-token';
  if (needsToken && !s.giteaToken) problems.push('GITEA_TOKEN is required when CODESERVER_ACCESS_CHECK or CODESERVER_CLONE_CREDENTIAL is service-token');
  return problems;
}

/**
 * The settings from `env` over the defaults. Throws one error listing every bad or missing
 * variable, so an operator fixes them all in one go.
 */
export function codeServerSettingsFromEnv(env: Env, base: CodeServerSettings = defaultCodeServerSettings()): CodeServerSettings {
  const settings = structuredClone(base);
  const problems: string[] = [];
  for (const variable of SETTING_VARIABLES) {
    const value = env[variable.name];
    if (value === undefined || value === '') continue;
    try {
      variable.apply(settings, value);
    } catch (err) {
      problems.push(`${variable.name} ${(err as Error).message}`);
    }
  }
  settings.giteaServiceUrl ||= settings.giteaUrl;
  problems.push(...missing(settings));
  if (problems.length) throw new Error(`invalid code-server settings: ${problems.join('; ')}`);
  return settings;
}
