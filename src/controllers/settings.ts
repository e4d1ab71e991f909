/**
 * Controller settings: everything an operator can tune, read once at the edge (the CLI) from
 * flags and environment variables and passed down as one plain object. Each setting is one row of
 * {@link SETTING_DEFINITIONS}: its flag, its variable, its help line and how it is parsed, so the
 * parser, the help text and the docs cannot disagree. A flag wins over its variable.
 */
import { parseDuration } from '../apimachinery/duration.ts';
import { isValidQuantity } from '../apimachinery/quantity.ts';
import type { HomeClaimSettings } from '../apis/stream/v1alpha1/home-claim.ts';

/** How sessions are exposed: an Ingress, an Istio VirtualService or a Gateway API HTTPRoute. */
export type RouteKindSetting = 'ingress' | 'istio' | 'gateway-api';

/** What happens when a session reaches its maxSessionDuration. */
export type MaxDurationAction = 'terminate' | 'hibernate';

/** The user's persistent home volume. */
export type HomeVolumeSettings = HomeClaimSettings;

/** A Gateway API parent reference. */
export interface GatewayRef {
  namespace?: string;
  name: string;
}

/** How the session URL is routed. */
export interface RouteSettings {
  kind: RouteKindSetting;
  /** Substituted for `{domain}` in the host pattern. */
  domain: string;
  /** Host of a session; placeholders `{session}`, `{namespace}` and `{domain}`. */
  hostPattern: string;
  /** Ingress class of session Ingresses; unset uses the cluster default. */
  ingressClassName?: string;
  /** TLS secret for the session host; when set the URL is https. */
  tlsSecretName?: string;
  /** Istio gateway (`[namespace/]name`) VirtualServices attach to. */
  istioGateway?: string;
  /** Gateway API Gateway HTTPRoutes attach to. */
  gateway?: GatewayRef;
}

/** Every controller setting. */
export interface ControllerSettings {
  /** Kubeconfig file; unset means $KUBECONFIG, ~/.kube/config or the in-cluster config. */
  kubeconfig?: string;
  /** Watch only this namespace; unset watches all namespaces. */
  namespace?: string;
  metrics: { host: string; port: number };
  leaderElection: { enabled: boolean; namespace: string; name: string };
  home: HomeVolumeSettings;
  route: RouteSettings;
  /** Added to a session's idleTimeout before it is hibernated, in milliseconds. */
  idleGraceMs: number;
  maxDurationAction: MaxDurationAction;
  maxConcurrentReconciles: number;
  /** The Git server (Gitea) whose credential sessions' clone containers may send; unset: none is sent. */
  gitServerUrl?: string;
}

/** The settings with nothing configured. */
export function defaultSettings(): ControllerSettings {
  return {
    metrics: { host: '0.0.0.0', port: 8081 },
    leaderElection: { enabled: true, namespace: 'streamspace', name: 'streamspace-controller' },
    home: { size: '10Gi', accessMode: 'ReadWriteOnce' },
    route: { kind: 'ingress', domain: 'streamspace.local', hostPattern: '{session}.{domain}' },
    idleGraceMs: 60_000,
    maxDurationAction: 'terminate',
    maxConcurrentReconciles: 4,
  };
}

/** One setting: where it is read from and how it changes the settings. */
export interface SettingDefinition {
  flag: string;
  /** The environment variable, when the setting has one. */
  env?: string;
  /** Boolean flags take no value (`--flag`, `--no-flag`, `--flag=false`). */
  boolean?: boolean;
  help: string;
  apply(settings: ControllerSettings, value: string): void;
}

const ACCESS_MODES = ['ReadWriteOnce', 'ReadWriteMany', 'ReadWriteOncePod', 'ReadOnlyMany'] as const;
const ROUTE_KINDS = ['ingress', 'istio', 'gateway-api'] as const;
const MAX_DURATION_ACTIONS = ['terminate', 'hibernate'] as const;

function oneOf<T extends string>(allowed: readonly T[], value: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function integer(value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new Error(`must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

function boolean(value: string): boolean {
  if (['true', '1', 'yes'].includes(value.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(value.toLowerCase())) return false;
  throw new Error(`must be true or false, got "${value}"`);
}

function durationMs(value: string): number {
  const ms = parseDuration(value);
  if (ms < 0) throw new Error('must not be negative');
  return ms;
}

function quantity(value: string): string {
  const problems = isValidQuantity(value);
  if (problems.length) throw new Error(problems[0]);
  return value;
}

function gatewayRef(value: string): GatewayRef {
  const [first, second] = value.split('/');
  if (!first || value.split('/').length > 2) throw new Error(`must be [namespace/]name, got "${value}"`);
  return second === undefined ? { name: first } : { namespace: first, name: second };
}

/** Every setting, in help order. */
export const SETTING_DEFINITIONS: readonly SettingDefinition[] = [
  // No variable of its own: the kubeconfig loader already reads $KUBECONFIG (a list of files) when the flag is absent.
  { flag: 'kubeconfig', help: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then the in-cluster config)', apply: (s, v) => { s.kubeconfig = v; } },
  { flag: 'namespace', env: 'STREAMSPACE_NAMESPACE', help: 'watch only this namespace (default: all namespaces)', apply: (s, v) => { s.namespace = v || undefined; } },
  { flag: 'metrics-port', env: 'STREAMSPACE_METRICS_PORT', help: 'port of /healthz, /readyz and /metrics; 0 picks a free one (default 8081)', apply: (s, v) => { s.metrics.port = integer(v, 0, 65535); } },
  { flag: 'metrics-bind-address', env: 'STREAMSPACE_METRICS_BIND_ADDRESS', help: 'address the probe/metrics endpoint binds (default 0.0.0.0)', apply: (s, v) => { s.metrics.host = v; } },
  { flag: 'leader-elect', env: 'STREAMSPACE_LEADER_ELECT', boolean: true, help: 'run only while holding the leader lease (default true)', apply: (s, v) => { s.leaderElection.enabled = boolean(v); } },
  { flag: 'leader-election-namespace', env: 'STREAMSPACE_LEADER_ELECTION_NAMESPACE', help: 'namespace of the leader lease (default: --namespace, $POD_NAMESPACE, else streamspace)', apply: (s, v) => { s.leaderElection.namespace = v; } },
  { flag: 'leader-election-id', env: 'STREAMSPACE_LEADER_ELECTION_ID', help: 'name of the leader lease (default streamspace-controller)', apply: (s, v) => { s.leaderElection.name = v; } },
  { flag: 'home-storage-class', env: 'STREAMSPACE_HOME_STORAGE_CLASS', help: 'StorageClass of home volumes (default: the cluster default)', apply: (s, v) => { s.home.storageClassName = v || undefined; } },
  { flag: 'git-server-url', env: 'GITEA_URL', help: 'the Git server (Gitea) base URL: clone credentials go to its protocol and host only (default: none sent)', apply: (s, v) => { s.gitServerUrl = v || undefined; } },
  { flag: 'home-size', env: 'STREAMSPACE_HOME_SIZE', help: 'size of a new home volume (default 10Gi)', apply: (s, v) => { s.home.size = quantity(v); } },
  { flag: 'home-access-mode', env: 'STREAMSPACE_HOME_ACCESS_MODE', help: `access mode of home volumes: ${ACCESS_MODES.join(', ')} (default ReadWriteOnce)`, apply: (s, v) => { s.home.accessMode = oneOf(ACCESS_MODES, v); } },
  { flag: 'route', env: 'STREAMSPACE_ROUTE', help: `how sessions are exposed: ${ROUTE_KINDS.join(', ')} (default ingress)`, apply: (s, v) => { s.route.kind = oneOf(ROUTE_KINDS, v); } },
  { flag: 'domain', env: 'STREAMSPACE_DOMAIN', help: 'domain of session hosts (default streamspace.local)', apply: (s, v) => { s.route.domain = v; } },
  { flag: 'host-pattern', env: 'STREAMSPACE_HOST_PATTERN', help: 'session host; placeholders {session}, {namespace}, {domain} (default {session}.{domain})', apply: (s, v) => { s.route.hostPattern = v; } },
  { flag: 'ingress-class', env: 'STREAMSPACE_INGRESS_CLASS', help: 'ingressClassName of session Ingresses (default: the cluster default)', apply: (s, v) => { s.route.ingressClassName = v || undefined; } },
  { flag: 'tls-secret', env: 'STREAMSPACE_TLS_SECRET', help: 'TLS secret for session hosts; makes session URLs https', apply: (s, v) => { s.route.tlsSecretName = v || undefined; } },
  { flag: 'istio-gateway', env: 'STREAMSPACE_ISTIO_GATEWAY', help: 'Istio gateway ([namespace/]name) for --route=istio', apply: (s, v) => { s.route.istioGateway = v || undefined; } },
  { flag: 'gateway', env: 'STREAMSPACE_GATEWAY', help: 'Gateway API Gateway ([namespace/]name) for --route=gateway-api', apply: (s, v) => { s.route.gateway = gatewayRef(v); } },
  { flag: 'idle-grace', env: 'STREAMSPACE_IDLE_GRACE', help: 'grace added to a session\'s idleTimeout before hibernating it, a duration (default 1m)', apply: (s, v) => { s.idleGraceMs = durationMs(v); } },
  { flag: 'max-duration-action', env: 'STREAMSPACE_MAX_DURATION_ACTION', help: 'what maxSessionDuration does: terminate or hibernate (default terminate)', apply: (s, v) => { s.maxDurationAction = oneOf(MAX_DURATION_ACTIONS, v); } },
  { flag: 'max-concurrent-reconciles', env: 'STREAMSPACE_MAX_CONCURRENT_RECONCILES', help: 'sessions reconciled in parallel (default 4)', apply: (s, v) => { s.maxConcurrentReconciles = integer(v, 1, 256); } },
];

/** The help text of every setting, one line each. */
export function settingsHelp(): string {
  return SETTING_DEFINITIONS.map((d) => `  --${d.flag.padEnd(28)} ${d.help}${d.env ? ` [$${d.env}]` : ''}`).join('\n');
}

interface FlagValue {
  definition: SettingDefinition;
  value: string;
}

/** Splits argv into flag values; throws on an unknown flag or a missing value. */
function parseFlags(argv: string[]): FlagValue[] {
  const byFlag = new Map(SETTING_DEFINITIONS.map((d) => [d.flag, d]));
  const out: FlagValue[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const [rawName, inline] = splitOnce(arg.slice(2), '=');
    const negated = rawName.startsWith('no-') && byFlag.get(rawName.slice(3))?.boolean === true;
    const definition = byFlag.get(negated ? rawName.slice(3) : rawName);
    if (!definition) throw new Error(`unknown flag --${rawName}`);
    if (definition.boolean) {
      out.push({ definition, value: negated ? 'false' : (inline ?? 'true') });
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${rawName} needs a value`);
    out.push({ definition, value });
  }
  return out;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function applyOne(settings: ControllerSettings, definition: SettingDefinition, value: string, source: string): void {
  try {
    definition.apply(settings, value);
  } catch (err) {
    throw new Error(`${source}: ${(err as Error).message}`, { cause: err });
  }
}

/** Cross-setting rules a single row cannot check. */
function checkConsistency(s: ControllerSettings): void {
  if (!s.route.hostPattern.includes('{session}')) throw new Error('--host-pattern: must contain {session}');
  if (s.route.kind === 'istio' && !s.route.istioGateway) throw new Error('--route=istio needs --istio-gateway');
  if (s.route.kind === 'gateway-api' && !s.route.gateway) throw new Error('--route=gateway-api needs --gateway');
}

/**
 * The settings from `argv` (flags only) and `env`: defaults, then variables, then flags. Throws
 * with the offending flag or variable named.
 */
export function readControllerSettings(argv: string[], env: Record<string, string | undefined>): ControllerSettings {
  const settings = defaultSettings();
  let leaseNamespaceSet = false;
  for (const d of SETTING_DEFINITIONS) {
    const value = d.env ? env[d.env] : undefined;
    if (value === undefined || value === '') continue;
    applyOne(settings, d, value, `$${d.env}`);
    leaseNamespaceSet ||= d.flag === 'leader-election-namespace';
  }
  for (const { definition, value } of parseFlags(argv)) {
    applyOne(settings, definition, value, `--${definition.flag}`);
    leaseNamespaceSet ||= definition.flag === 'leader-election-namespace';
  }
  if (!leaseNamespaceSet) settings.leaderElection.namespace = settings.namespace ?? env.POD_NAMESPACE ?? settings.leaderElection.namespace;
  checkConsistency(settings);
  return settings;
}
