/**
 * Finds and reads a RestConfig the way kubectl and client-go do: an explicit kubeconfig, else
 * $KUBECONFIG (a merged list of files), else ~/.kube/config, else the pod's service account.
 *
 * Why we parse kubeconfig ourselves: client-node's KubeConfig does all this, but importing
 * client-node costs about 80 MiB of resident memory, more than half the controller's budget, and
 * the controller talks to the API server through the runtime's own transport. So this module only
 * ever `import type`s from client-node. The KubeConfig objects tests and the API hand around are
 * converted by {@link restConfigFromKubeConfig}.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import type { ExecCredentialPlugin, RestConfig, RestCredentials, RestTls } from './rest-config.ts';

/** The fields of client-node 2.x's `Cluster` this module reads (client-node leaves absent ones null). */
export interface KubeClusterLike {
  name: string;
  server: string;
  /** Base64 of the PEM bundle. */
  caData?: string | null;
  caFile?: string | null;
  skipTLSVerify?: boolean;
  tlsServerName?: string | null;
}

/** The fields of client-node 2.x's `User` this module reads. `certData`/`keyData` are base64. */
export interface KubeUserLike {
  name: string;
  certData?: string | null;
  certFile?: string | null;
  keyData?: string | null;
  keyFile?: string | null;
  token?: string | null;
  username?: string | null;
  password?: string | null;
  /** The kubeconfig's `exec` mapping, as parsed. */
  exec?: unknown;
  /** The kubeconfig's `auth-provider`; client-node's in-cluster config uses `{ name: 'tokenFile', config: { tokenFile } }`. */
  authProvider?: unknown;
}

/** The fields of client-node 2.x's `Context` this module reads. */
export interface KubeContextLike {
  name: string;
  cluster: string;
  user?: string | null;
  namespace?: string | null;
}

/** The data of a client-node 2.x `KubeConfig` (structural, so this module never loads client-node). */
export interface KubeConfigLike {
  currentContext: string;
  getCurrentCluster(): KubeClusterLike | null;
  getCurrentUser(): KubeUserLike | null;
  getContextObject(name: string): KubeContextLike | null;
}

export interface LoadRestConfigOptions {
  /** A kubeconfig file (kubectl's --kubeconfig); when set, nothing else is consulted. */
  kubeconfig?: string;
  /** The context to use instead of the kubeconfig's current-context (kubectl's --context). Not used in-cluster. */
  context?: string;
  /** Where KUBECONFIG, HOME and KUBERNETES_SERVICE_HOST/PORT are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Prefix of the service-account mount (default '/'); tests point it at a temp dir. */
  inClusterRoot?: string;
}

const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];
const SERVICE_ACCOUNT_DIR = 'var/run/secrets/kubernetes.io/serviceaccount';

type Fields = Record<string, unknown>;

/** One named cluster, user or context, with the file it came from (relative paths resolve against its folder). */
interface Entry {
  fields: Fields;
  baseDir: string;
  source: string;
}

/** A kubeconfig document, or several merged. */
interface Kubeconfig {
  source: string;
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  contexts: Map<string, Entry>;
  currentContext: string;
}

/**
 * The RestConfig kubectl would use: `opts.kubeconfig`; else the files in $KUBECONFIG, merged (the
 * first file to name a cluster, user or context wins, and the first non-empty current-context);
 * else ~/.kube/config; else the in-cluster service account. As in client-go, a set $KUBECONFIG
 * replaces ~/.kube/config even when none of its files exist.
 */
export function loadRestConfig(opts: LoadRestConfigOptions = {}): RestConfig {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig) return fromFiles([opts.kubeconfig], opts.context);
  const looked: string[] = [];
  const files = kubeconfigFiles(env, looked);
  if (files.length > 0) return fromFiles(files, opts.context);
  const inCluster = inClusterConfig(env, opts.inClusterRoot ?? '/', looked);
  if (inCluster) return inCluster;
  throw new Error(`no Kubernetes configuration found: looked for ${looked.join('; ')}`);
}

/** One kubeconfig document's RestConfig. `baseDir` is the folder relative file paths in it are relative to (kubectl: the file's folder). */
export function restConfigFromKubeconfigText(text: string, opts: { context?: string; baseDir: string }): RestConfig {
  return resolveKubeconfig(parseKubeconfig(text, opts.baseDir, 'kubeconfig'), opts.context);
}

/** The RestConfig of a client-node KubeConfig's current context. Relative file paths resolve against the working directory, as client-node's do. */
export function restConfigFromKubeConfig(kc: KubeConfigLike): RestConfig {
  const source = 'KubeConfig';
  const name = kc.currentContext;
  const context = name ? kc.getContextObject(name) : null;
  if (!context) return resolveKubeconfig(emptyKubeconfig(source, name), undefined);
  const cluster = kc.getCurrentCluster();
  const user = context.user ? kc.getCurrentUser() : null;
  const entry = (fields: Fields): Entry => ({ fields, baseDir: process.cwd(), source });
  const config = emptyKubeconfig(source, name);
  config.contexts.set(name, entry({ cluster: context.cluster, user: context.user, namespace: context.namespace }));
  if (cluster) config.clusters.set(context.cluster, entry(clusterFields(cluster)));
  if (user && context.user) config.users.set(context.user, entry(userFields(user)));
  return resolveKubeconfig(config, undefined);
}

/** Whether `x` is already a RestConfig (rather than a KubeConfig). */
export function isRestConfig(x: unknown): x is RestConfig {
  if (typeof x !== 'object' || x === null) return false;
  const { server, credentials } = x as Record<string, unknown>;
  return typeof server === 'string' && typeof credentials === 'object' && credentials !== null;
}

/** A RestConfig as is, or a KubeConfig converted. */
export function toRestConfig(source: RestConfig | KubeConfigLike): RestConfig {
  return isRestConfig(source) ? source : restConfigFromKubeConfig(source);
}

// --- the loading chain ---

/** $KUBECONFIG's existing files when it is set, else ~/.kube/config when it exists. */
function kubeconfigFiles(env: NodeJS.ProcessEnv, looked: string[]): string[] {
  const listed = [...new Set((env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean))];
  if (listed.length > 0) {
    const existing = listed.filter((file) => fs.existsSync(file));
    if (existing.length === 0) looked.push(`the files in $KUBECONFIG (${listed.join(', ')}; none exist)`);
    return existing;
  }
  const home = env.HOME || env.USERPROFILE;
  if (!home) {
    looked.push('~/.kube/config (HOME is not set)');
    return [];
  }
  const file = path.join(home, '.kube', 'config');
  looked.push(file);
  return fs.existsSync(file) ? [file] : [];
}

function fromFiles(files: string[], context: string | undefined): RestConfig {
  const configs = files.map((file) => {
    const abs = path.resolve(file);
    return parseKubeconfig(readKubeconfigFile(abs), path.dirname(abs), `kubeconfig ${abs}`);
  });
  return resolveKubeconfig(mergeKubeconfigs(configs), context);
}

function readKubeconfigFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** client-go's in-cluster config: the service's address from the environment and the mounted service-account token. */
function inClusterConfig(env: NodeJS.ProcessEnv, root: string, looked: string[]): RestConfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const dir = path.join(root, SERVICE_ACCOUNT_DIR);
  const tokenFile = path.join(dir, 'token');
  if (!host || !port) {
    looked.push('an in-cluster service account (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not both set)');
    return undefined;
  }
  if (!isFile(tokenFile)) {
    looked.push(`an in-cluster service account (no token at ${tokenFile})`);
    return undefined;
  }
  const config: RestConfig = {
    server: `https://${net.isIPv6(host) ? `[${host}]` : host}:${port}`,
    tls: {},
    credentials: { type: 'tokenFile', path: tokenFile },
  };
  const ca = readIfFile(path.join(dir, 'ca.crt'));
  if (ca) config.tls.ca = ca;
  const namespace = readIfFile(path.join(dir, 'namespace'))?.trim();
  if (namespace) config.namespace = namespace;
  return config;
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

function readIfFile(file: string): string | undefined {
  return isFile(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

// --- kubeconfig documents ---

function emptyKubeconfig(source: string, currentContext: string): Kubeconfig {
  return { source, clusters: new Map(), users: new Map(), contexts: new Map(), currentContext };
}

function parseKubeconfig(text: string, baseDir: string, source: string): Kubeconfig {
  const doc = parseYaml(text, source);
  const named = (listKey: string, bodyKey: string) => namedEntries(doc, { listKey, bodyKey, baseDir, source });
  const currentContext = optString(doc, 'current-context', source) ?? '';
  return { source, clusters: named('clusters', 'cluster'), users: named('users', 'user'), contexts: named('contexts', 'context'), currentContext };
}

function parseYaml(text: string, source: string): Fields {
  let docs: unknown[];
  try {
    docs = loadAll(text);
  } catch (err) {
    throw new Error(`${source} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (docs.length > 1) throw new Error(`${source} holds ${docs.length} YAML documents; a kubeconfig is one`);
  const doc = docs[0] ?? {};
  if (!isFields(doc)) throw new Error(`${source} is not a YAML mapping`);
  return doc;
}

/** `clusters`, `users` or `contexts`: a list of `{ name, <bodyKey>: {...} }`. The first entry of a name wins. */
function namedEntries(doc: Fields, where: { listKey: string; bodyKey: string; baseDir: string; source: string }): Map<string, Entry> {
  const { listKey, bodyKey, baseDir, source } = where;
  const list = doc[listKey] ?? [];
  if (!Array.isArray(list)) throw new Error(`${source}: ${listKey} is not a list`);
  const out = new Map<string, Entry>();
  list.forEach((item: unknown, i) => {
    const at = `${source}: ${listKey}[${i}]`;
    if (!isFields(item)) throw new Error(`${at} is not a mapping`);
    const name = optString(item, 'name', at);
    if (!name) throw new Error(`${at} has no name`);
    const fields = item[bodyKey] ?? {};
    if (!isFields(fields)) throw new Error(`${at}.${bodyKey} is not a mapping`);
    if (!out.has(name)) out.set(name, { fields, baseDir, source });
  });
  return out;
}

/** kubectl's merge of $KUBECONFIG files: the first file to define a name wins; the first non-empty current-context wins. */
function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const merged = emptyKubeconfig(configs.map((c) => c.source).join(', '), '');
  for (const config of configs) {
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      for (const [name, entry] of config[key]) if (!merged[key].has(name)) merged[key].set(name, entry);
    }
    merged.currentContext ||= config.currentContext;
  }
  return merged;
}

/** The RestConfig of one context: its cluster's address and TLS, its user's credentials. */
function resolveKubeconfig(config: Kubeconfig, contextOverride: string | undefined): RestConfig {
  const name = contextOverride || config.currentContext;
  if (!name) throw new Error(`${config.source}: no current-context is set and no context was given`);
  const context = config.contexts.get(name);
  if (!context) throw new Error(`${config.source}: context "${name}" not found${known(config.contexts)}`);
  const where = `${context.source}: context "${name}"`;
  const clusterName = optString(context.fields, 'cluster', where);
  if (!clusterName) throw new Error(`${where} names no cluster`);
  const cluster = config.clusters.get(clusterName);
  if (!cluster) throw new Error(`${where}: cluster "${clusterName}" not found${known(config.clusters)}`);
  const userName = optString(context.fields, 'user', where);
  const user = userName ? config.users.get(userName) : undefined;
  if (userName && !user) throw new Error(`${where}: user "${userName}" not found${known(config.users)}`);
  const { server, tls } = clusterSettings(clusterName, cluster);
  const auth: UserSettings = user && userName ? userSettings(userName, user) : { credentials: { type: 'none' } };
  if (auth.cert) Object.assign(tls, { cert: auth.cert, key: auth.key });
  const out: RestConfig = { server, tls, credentials: auth.credentials };
  const namespace = optString(context.fields, 'namespace', where);
  if (namespace) out.namespace = namespace;
  return out;
}

function known(entries: Map<string, Entry>): string {
  return entries.size > 0 ? ` (known: ${[...entries.keys()].join(', ')})` : '';
}

function clusterSettings(name: string, entry: Entry): { server: string; tls: RestTls } {
  const where = `${entry.source}: cluster "${name}"`;
  const { fields } = entry;
  const server = optString(fields, 'server', where);
  if (!server) throw new Error(`${where} has no server`);
  if (!/^https?:$/.test(URL.parse(server)?.protocol ?? '')) throw new Error(`${where}: server "${server}" is not an http(s) URL`);
  const tls: RestTls = {};
  const ca = pem(entry, 'certificate-authority', where);
  if (ca) tls.ca = ca;
  if (optBool(fields, 'insecure-skip-tls-verify', where)) tls.insecureSkipVerify = true;
  const serverName = optString(fields, 'tls-server-name', where);
  if (serverName) tls.serverName = serverName;
  return { server: server.replace(/\/+$/, ''), tls };
}

interface UserSettings {
  credentials: RestCredentials;
  cert?: string;
  key?: string;
}

function userSettings(name: string, entry: Entry): UserSettings {
  const where = `${entry.source}: user "${name}"`;
  const { fields } = entry;
  const provider = fields['auth-provider'];
  if (provider !== undefined && provider !== null) {
    const providerName = isFields(provider) && typeof provider.name === 'string' ? ` "${provider.name}"` : '';
    throw new Error(`${where} uses auth-provider${providerName}, which is not supported; use an exec credential plugin instead (users[].user.exec)`);
  }
  const cert = pem(entry, 'client-certificate', where);
  const key = pem(entry, 'client-key', where);
  if (Boolean(cert) !== Boolean(key)) throw new Error(`${where} has a client certificate or key without the other`);
  return { credentials: credentialsOf(entry, where), ...(cert && key ? { cert, key } : {}) };
}

/** client-go's precedence: a token, then a token file, then basic auth; an exec plugin only when none of those is set. */
function credentialsOf(entry: Entry, where: string): RestCredentials {
  const { fields, baseDir } = entry;
  const token = optString(fields, 'token', where);
  if (token) return { type: 'token', token };
  // kubectl spells it tokenFile; client-node's own kubeconfig reader, token-file.
  const tokenFile = optString(fields, 'tokenFile', where) || optString(fields, 'token-file', where);
  if (tokenFile) return { type: 'tokenFile', path: path.resolve(baseDir, tokenFile) };
  const username = optString(fields, 'username', where);
  if (username) return { type: 'basic', username, password: optString(fields, 'password', where) ?? '' };
  const exec = fields.exec;
  if (exec !== undefined && exec !== null) return { type: 'exec', plugin: execPlugin(exec, baseDir, `${where}: exec`) };
  return { type: 'none' };
}

function execPlugin(raw: unknown, baseDir: string, where: string): ExecCredentialPlugin {
  if (!isFields(raw)) throw new Error(`${where} is not a mapping`);
  const command = optString(raw, 'command', where);
  if (!command) throw new Error(`${where} has no command`);
  const apiVersion = optString(raw, 'apiVersion', where) ?? '';
  if (!EXEC_API_VERSIONS.includes(apiVersion)) throw new Error(`${where}: apiVersion "${apiVersion}" is not one of ${EXEC_API_VERSIONS.join(', ')}`);
  // The plugin runs without a terminal, so one that insists on prompting can never succeed.
  if (raw.interactiveMode === 'Always') throw new Error(`${where}: interactiveMode Always needs a terminal, and credential plugins here run without one`);
  return {
    // As client-go: a relative command with a path separator is relative to the kubeconfig's folder; a bare name is looked up on PATH.
    command: command.includes('/') ? path.resolve(baseDir, command) : command,
    args: stringList(raw.args, `${where}.args`),
    env: envRecord(raw.env, `${where}.env`),
    apiVersion,
    provideClusterInfo: optBool(raw, 'provideClusterInfo', where) ?? false,
  };
}

function stringList(raw: unknown, where: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'string')) throw new Error(`${where} is not a list of strings`);
  return [...raw];
}

/** `[{ name, value }]` → a record. */
function envRecord(raw: unknown, where: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!Array.isArray(raw)) throw new Error(`${where} is not a list`);
  const out: Record<string, string> = {};
  raw.forEach((item: unknown, i) => {
    if (!isFields(item) || typeof item.name !== 'string' || typeof item.value !== 'string') {
      throw new Error(`${where}[${i}] is not a { name, value } pair of strings`);
    }
    out[item.name] = item.value;
  });
  return out;
}

/** PEM text from `<key>-data` (base64, preferred as in client-go) or the file `<key>`. */
function pem(entry: Entry, key: string, where: string): string | undefined {
  const data = optString(entry.fields, `${key}-data`, where);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const file = optString(entry.fields, key, where);
  if (!file) return undefined;
  const abs = path.resolve(entry.baseDir, file);
  try {
    return fs.readFileSync(abs, 'utf8');
  } catch (err) {
    throw new Error(`${where}: cannot read ${key} ${abs} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

// --- client-node KubeConfig → kubeconfig fields ---

function clusterFields(c: KubeClusterLike): Fields {
  return {
    server: c.server,
    'certificate-authority-data': c.caData,
    'certificate-authority': c.caFile,
    'insecure-skip-tls-verify': c.skipTLSVerify,
    'tls-server-name': c.tlsServerName,
  };
}

function userFields(u: KubeUserLike): Fields {
  const fields: Fields = {
    'client-certificate-data': u.certData,
    'client-certificate': u.certFile,
    'client-key-data': u.keyData,
    'client-key': u.keyFile,
    token: u.token,
    username: u.username,
    password: u.password,
    exec: u.exec,
  };
  const provider = u.authProvider;
  // client-node's loadFromCluster() describes the service-account token as an auth-provider named tokenFile.
  if (isFields(provider) && provider.name === 'tokenFile' && isFields(provider.config) && typeof provider.config.tokenFile === 'string') {
    fields.tokenFile = provider.config.tokenFile;
  } else {
    fields['auth-provider'] = provider;
  }
  return fields;
}

// --- field access ---

function isFields(x: unknown): x is Fields {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function optString(fields: Fields, key: string, where: string): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${where}: ${key} is not a string`);
  return value;
}

function optBool(fields: Fields, key: string, where: string): boolean | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new Error(`${where}: ${key} is not true or false`);
  return value;
}
