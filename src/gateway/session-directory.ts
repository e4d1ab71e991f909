/**
 * The gateway's view of sessions, kept from informers so that no proxied request costs a
 * Kubernetes request: per session its owner, template, desired state, phase and, from the
 * session Service's Endpoints, the address it answers on. Only Services the Session controller
 * made for a session count (name `ss-<session>`, its managed-by and session labels): nothing
 * else in the cluster is reachable through the gateway.
 *
 * Small records are kept instead of reading the cache, whose reads deep-copy whole objects.
 * Listeners hear about every change to a session, its Endpoints, its pods and its Events (the
 * progress page and waiting requests use this).
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../apimachinery/object.ts';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { Template } from '../apis/stream/v1alpha1/template.ts';
import { InformerCache, type InformerHandler } from '../runtime/cache.ts';
import { realClock } from '../runtime/clock.ts';
import type { KindRef } from '../runtime/resources.ts';
import type { ClusterView } from '../api/kube/cluster-view.ts';
import { EVENT, POD, SESSION, TEMPLATE } from '../api/kube/kinds.ts';
import { LABELS, MANAGED_BY, nameLabelValue, sessionHostLabel, STREAM_PORT_NAME, workloadName } from '../apis/stream/v1alpha1/naming.ts';

const SERVICE: KindRef = { apiVersion: 'v1', kind: 'Service' };
const ENDPOINTS: KindRef = { apiVersion: 'v1', kind: 'Endpoints' };

/** Where a session answers. */
export interface Backend {
  host: string;
  port: number;
}

/** What the gateway keeps about one session. */
export interface SessionRecord {
  name: string;
  uid: string;
  user: string | undefined;
  /** The owning account's immutable id (spec.userId; built-in accounts only). */
  userId: string | undefined;
  template: string;
  state: 'running' | 'hibernated' | 'terminated';
  phase: string | undefined;
}

function recordOf(s: Session): SessionRecord {
  return {
    name: s.metadata.name!, uid: s.metadata.uid ?? '', user: s.spec?.user, userId: s.spec?.userId, template: s.spec?.template ?? '',
    state: s.spec?.state ?? 'running', phase: s.status?.phase,
  };
}

/** What the gateway needs of a template: how its sessions are reached and what keeps them awake. */
export interface TemplateInfo {
  /** A raw RFB desktop: served through noVNC and the VNC bridge. */
  vncRfb: boolean;
  /** A web app (code-server and the like): proxied as HTTP, and given the caller's token. */
  webApp: boolean;
  idleSignal: 'input' | 'traffic';
}

function templateInfoOf(t: Template): TemplateInfo {
  const vnc = t.spec?.vnc?.enabled === true;
  return {
    vncRfb: vnc && (t.spec.vnc?.protocol ?? 'rfb') === 'rfb',
    webApp: !vnc && t.spec?.webapp?.enabled === true,
    idleSignal: t.spec?.idleSignal ?? 'input',
  };
}

/** The first ready address of the `stream` port in an Endpoints object. */
interface EndpointSubset {
  addresses?: Array<{ ip: string }>;
  ports?: Array<{ name?: string; port: number }>;
}

function backendOf(endpoints: KubeObject): Backend | undefined {
  for (const subset of (endpoints as { subsets?: EndpointSubset[] }).subsets ?? []) {
    const port = subset.ports?.find((p) => p.name === STREAM_PORT_NAME) ?? (subset.ports?.length === 1 ? subset.ports[0] : undefined);
    const address = subset.addresses?.[0];
    if (port && address?.ip) return { host: address.ip, port: port.port };
  }
  return undefined;
}

/** The session a Service belongs to, when the Session controller made it for one. */
function sessionOfService(svc: KubeObject): string | undefined {
  const labels = svc.metadata.labels ?? {};
  if (labels[LABELS.managedBy] !== MANAGED_BY || !labels[LABELS.session]) return undefined;
  return labels[LABELS.session];
}

function handler(put: (obj: KubeObject) => void, drop: (obj: KubeObject) => void): InformerHandler {
  return { onAdd: put, onUpdate: (_old, obj) => put(obj), onDelete: drop };
}

/** See the module comment. */
export class SessionDirectory {
  readonly view: ClusterView;
  readonly #cache: InformerCache;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #byHostLabel = new Map<string, string>();
  /** Service name → session label value, for Services made for a session. */
  readonly #services = new Map<string, string>();
  readonly #endpoints = new Map<string, Backend>();
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #templates = new Map<string, TemplateInfo>();
  /** Pod name → the session label of the pod, so Events about a pod reach its session's listeners. */
  readonly #podSessions = new Map<string, string>();

  constructor(view: ClusterView, logger: Logger) {
    this.view = view;
    this.#cache = new InformerCache({ client: view.client, clock: realClock, logger, namespace: view.namespace });
    const services = this.#services;
    const endpoints = this.#endpoints;
    this.#cache.getInformer(SERVICE).addHandler(handler((svc) => this.#put(services, svc, sessionOfService(svc)), (s) => this.#put(services, s, undefined)));
    this.#cache.getInformer(ENDPOINTS).addHandler(handler((ep) => this.#put(endpoints, ep, backendOf(ep)), (ep) => this.#put(endpoints, ep, undefined)));
    view.cache.getInformer(SESSION).addHandler(handler((obj) => this.#putSession(obj as Session), (obj) => this.#dropSession(obj as Session)));
    view.cache.getInformer(TEMPLATE).addHandler(handler(
      (t) => this.#templates.set(t.metadata.name!, templateInfoOf(t as Template)),
      (t) => this.#templates.delete(t.metadata.name!),
    ));
    view.clusterCache.getInformer(POD).addHandler(handler((pod) => this.#notifyPod(pod, true), (pod) => this.#notifyPod(pod, false)));
    view.cache.getInformer(EVENT).addHandler(handler((ev) => this.#notifyEvent(ev), () => undefined));
  }

  /** Keeps `value` for a Service or Endpoints object (drops it when undefined) and tells its session. */
  #put<V>(map: Map<string, V>, obj: KubeObject, value: V | undefined): void {
    const name = obj.metadata.name!;
    const session = this.#sessionOfWorkload(name);
    if (value === undefined) map.delete(name);
    else map.set(name, value);
    if (session) this.#notify(session);
  }

  #putSession(s: Session): void {
    const record = recordOf(s);
    this.#sessions.set(record.name, record);
    this.#byHostLabel.set(sessionHostLabel(s), record.name);
    this.#notify(record.name);
  }

  #dropSession(s: Session): void {
    this.#sessions.delete(s.metadata.name!);
    this.#byHostLabel.delete(sessionHostLabel(s));
    this.#notify(s.metadata.name!);
  }

  #notify(session: string): void {
    for (const listener of this.#listeners.get(session) ?? []) listener();
  }

  /** The session whose Service or Endpoints is called `name` (`ss-<session>`). */
  #sessionOfWorkload(name: string): string | undefined {
    return this.#services.get(name) ?? (name.startsWith('ss-') ? name.slice(3) : undefined);
  }

  #notifyPod(pod: KubeObject, present: boolean): void {
    if (pod.metadata.namespace !== this.view.namespace) return;
    const session = pod.metadata.labels?.[LABELS.session];
    if (!session) return;
    if (present) this.#podSessions.set(pod.metadata.name!, session);
    else this.#podSessions.delete(pod.metadata.name!);
    this.#notify(session);
  }

  #notifyEvent(ev: KubeObject): void {
    const involved = (ev as { involvedObject?: { kind?: string; name?: string } }).involvedObject;
    if (involved?.kind === 'Session' && involved.name) this.#notify(involved.name);
    const podSession = involved?.kind === 'Pod' && involved.name ? this.#podSessions.get(involved.name) : undefined;
    if (podSession) this.#notify(podSession);
  }

  /** Starts the Service and Endpoints informers (the view's own informers are started by its owner). */
  start(): void {
    this.#running ??= this.#cache.start(this.#abort.signal);
  }

  waitForSync(signal?: AbortSignal): Promise<boolean> {
    return this.#cache.waitForCacheSync(signal);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  /** The session called `name` (path mode). */
  byName(name: string): SessionRecord | undefined {
    return this.#sessions.get(name);
  }

  /** The session whose host label is `label` (host mode). */
  byHostLabel(label: string): SessionRecord | undefined {
    const name = this.#byHostLabel.get(label);
    return name === undefined ? undefined : this.#sessions.get(name);
  }

  /** Where the session answers: a ready address of its own Service's Endpoints, if any. */
  backend(record: SessionRecord): Backend | undefined {
    const service = workloadName({ metadata: { name: record.name } } as Session);
    if (this.#services.get(service) !== nameLabelValue(record.name)) return undefined;
    return this.#endpoints.get(service);
  }

  /** The whole cached Session (a copy), for the progress page. */
  session(name: string): Session | undefined {
    return this.view.get<Session>(SESSION, name);
  }

  /** What the gateway needs of the session's Template (undefined while it is missing). */
  templateInfo(record: SessionRecord): TemplateInfo | undefined {
    return this.#templates.get(record.template);
  }

  /** The session's pods (copies). */
  pods(name: string): KubeObject[] {
    const label = nameLabelValue(name);
    const ns = this.view.namespace;
    return this.view.listAllNamespaces<KubeObject>(POD).filter((p) => p.metadata.namespace === ns && p.metadata.labels?.[LABELS.session] === label);
  }

  /** Events about the session or its pods, oldest first. */
  events(name: string, podNames: string[]): KubeObject[] {
    const wanted = new Set([name, ...podNames]);
    const when = (e: KubeObject): string => String((e as { lastTimestamp?: string }).lastTimestamp ?? e.metadata.creationTimestamp ?? '');
    return this.view.list<KubeObject>(EVENT)
      .filter((e) => { const o = (e as { involvedObject?: { name?: string } }).involvedObject; return o?.name !== undefined && wanted.has(o.name); })
      .sort((a, b) => when(a).localeCompare(when(b)));
  }

  /** Calls `listener` on every change concerning session `name`; returns the unsubscribe function. */
  watch(name: string, listener: () => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(name) === set) this.#listeners.delete(name);
    };
  }

  /**
   * Resolves with the backend once session `name` has one, or undefined after `timeoutMs` or
   * when `signal` aborts (the client went away).
   */
  waitForBackend(name: string, timeoutMs: number, signal?: AbortSignal): Promise<Backend | undefined> {
    const now = (): Backend | undefined => {
      const r = this.#sessions.get(name);
      return r ? this.backend(r) : undefined;
    };
    const ready = now();
    if (ready || timeoutMs <= 0) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const finish = (b: Backend | undefined): void => {
        clearTimeout(timer);
        unwatch();
        signal?.removeEventListener('abort', onAbort);
        resolve(b);
      };
      const onAbort = (): void => finish(undefined);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const unwatch = this.watch(name, () => { const b = now(); if (b) finish(b); });
      signal?.addEventListener('abort', onAbort);
    });
  }
}
