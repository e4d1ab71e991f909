/**
 * Reading code-server instances from the cluster: their Sessions (labelled by the service) and
 * the pods the Session controller runs for them, turned into the seed's CodeServerInstance.
 * Reads go to the API server, not a cache: a mutation followed by a query must see its own
 * write, and the service is not on any hot path.
 */
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { PodKind } from '../apimachinery/builtin-kinds.ts';
import { SessionKind } from '../apis/stream/v1alpha1/kinds.ts';
import { LABELS, MANAGED_BY, selectorLabels } from '../apis/stream/v1alpha1/naming.ts';
import { isNotFound, type KubeClient } from '../runtime/client.ts';
import { INSTANCE_SELECTOR, isInstance, latestCloneReport, toInstance, type CodeServerInstance } from './instance.ts';
import type { InstanceSnapshot } from './metrics.ts';
import { instanceStatus } from './status.ts';

function selector(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

/** See the module comment. */
export class InstanceStore {
  readonly client: KubeClient;
  readonly namespace: string;

  constructor(client: KubeClient, namespace: string) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The instance Session named `id`; undefined when there is none (or it is not a code-server instance). */
  async session(id: string): Promise<Session | undefined> {
    try {
      const session = await this.client.get<Session>(SessionKind, { namespace: this.namespace, name: id });
      return isInstance(session) ? session : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Every instance Session, optionally only `user`'s, oldest first. */
  async sessions(user?: string): Promise<Session[]> {
    const list = await this.client.list<Session>(SessionKind, { namespace: this.namespace, labelSelector: INSTANCE_SELECTOR });
    return list.items
      .filter((s) => isInstance(s) && (user === undefined || s.spec.user === user))
      .sort((a, b) => byCreation(a, b) || String(a.metadata.name).localeCompare(String(b.metadata.name)));
  }

  /** The pods of `session`. */
  async pods(session: Session): Promise<KubeObject[]> {
    return (await this.client.list(PodKind, { namespace: this.namespace, labelSelector: selector(selectorLabels(session)) })).items;
  }

  /** Every session pod in the namespace, by the session label's value. */
  async podsBySession(): Promise<Map<string, KubeObject[]>> {
    const pods = (await this.client.list(PodKind, { namespace: this.namespace, labelSelector: `${LABELS.managedBy}=${MANAGED_BY}` })).items;
    const bySession = new Map<string, KubeObject[]>();
    for (const pod of pods) {
      const key = pod.metadata.labels?.[LABELS.session];
      if (key === undefined) continue;
      bySession.set(key, [...(bySession.get(key) ?? []), pod]);
    }
    return bySession;
  }

  /** The seed's view of one session. */
  async view(session: Session): Promise<CodeServerInstance> {
    return toInstance(session, await this.pods(session));
  }

  /** The seed's view of several sessions (one pod listing for all). */
  async views(sessions: Session[]): Promise<CodeServerInstance[]> {
    if (sessions.length === 0) return [];
    const pods = await this.podsBySession();
    return sessions.map((s) => toInstance(s, podsOf(pods, s)));
  }

  /** Status, user and measured storage of every instance (metrics and stats). */
  async snapshot(): Promise<InstanceSnapshot[]> {
    const [sessions, pods] = await Promise.all([this.sessions(), this.podsBySession()]);
    return sessions.map((s) => {
      const own = podsOf(pods, s);
      const usedBytes = latestCloneReport(own)?.usedBytes;
      return { status: instanceStatus(s, own), user: s.spec.user, ...(usedBytes === undefined ? {} : { usedBytes }) };
    });
  }
}

function byCreation(a: Session, b: Session): number {
  return String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp));
}

function podsOf(bySession: Map<string, KubeObject[]>, session: Session): KubeObject[] {
  return bySession.get(selectorLabels(session)[LABELS.session]) ?? [];
}
