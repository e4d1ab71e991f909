/**
 * The code-server service: every query and mutation of the seed's schema, with who may do what.
 * An instance is visible to its owner and to admins; to anyone else it does not exist
 * (`instance not found`, so ids of other users' instances cannot be probed). stop hibernates
 * (the home volume stays), start wakes, delete removes the instance and, when the user has no
 * other session left on it, their home volume: the one operation that deletes user data.
 */
import type { Logger } from 'pino';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { ClaimKind } from '../apimachinery/builtin-kinds.ts';
import { SessionKind } from '../apis/stream/v1alpha1/kinds.ts';
import { homeClaimName, SESSION_CONTAINER } from '../apis/stream/v1alpha1/naming.ts';
import { ignoreNotFound, isNotFound, type KubeClient } from '../runtime/client.ts';
import { mergePatch } from '../runtime/patch.ts';
import { isAdmin, requireUser, type CodeServerUser } from './caller.ts';
import { repositoryCredentialSecret } from './credential-secret.ts';
import { CodeServerError, instanceNotFound, MESSAGES, withDetail } from './errors.ts';
import type { GiteaClient } from './gitea/client.ts';
import { CHECKOUT_CONTAINER, FETCH_CONTAINER } from '../apis/stream/v1alpha1/repository-clone.ts';
import { formatBytes, type CodeServerInstance } from './instance.ts';
import { InstanceStore } from './instance-store.ts';
import { usedBytesByUser, type CodeServerMetrics } from './metrics.ts';
import type { PodLogReader } from './pod-logs.ts';
import { Provisioner, waitForInstance, type ProvisionOutcome } from './provisioner.ts';
import { syncRepository } from './repository-sync.ts';
import type { CodeServerSettings } from './settings.ts';
import { isPodReady, type InstanceStatus } from './status.ts';
import { desiredState } from '../apis/stream/v1alpha1/desired-state.ts';

/** What the service works with. */
export interface CodeServerServiceOptions {
  /** Client for Sessions, Secrets, claims, Deployments and pods (field manager `streamspace-codeserver`). */
  client: KubeClient;
  podLogs: PodLogReader;
  gitea: GiteaClient;
  settings: CodeServerSettings;
  metrics?: CodeServerMetrics;
  logger?: Logger;
}

/** The seed's InstanceStats. */
export interface InstanceStats {
  totalInstances: number;
  runningInstances: number;
  stoppedInstances: number;
  totalStorageUsed: string;
}

/** Lines of log returned when the query does not say. */
export const DEFAULT_LOG_LINES = 100;

/** The most lines a query may ask for. */
export const MAX_LOG_LINES = 5000;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** See the module comment. */
export class CodeServerService {
  readonly store: InstanceStore;
  readonly #o: CodeServerServiceOptions;
  readonly #provisioner: Provisioner;

  constructor(opts: CodeServerServiceOptions) {
    this.#o = opts;
    this.store = new InstanceStore(opts.client, opts.settings.namespace);
    this.#provisioner = new Provisioner({ ...opts, store: this.store });
  }

  /** True when the Kubernetes API answers. */
  async health(): Promise<boolean> {
    try {
      await this.#o.client.list(SessionKind, { namespace: this.#o.settings.namespace, limit: 1 });
      return true;
    } catch {
      return false;
    }
  }

  async myCodeServers(caller: CodeServerUser | undefined): Promise<CodeServerInstance[]> {
    const user = requireUser(caller);
    return this.store.views(await this.store.sessions(user.username));
  }

  /** The instance, or null when the caller has none by that id. */
  async codeServer(caller: CodeServerUser | undefined, id: string): Promise<CodeServerInstance | null> {
    const user = requireUser(caller);
    const session = await this.store.session(id);
    return session && this.#mayAct(user, session) ? this.store.view(session) : null;
  }

  async codeServerStatus(caller: CodeServerUser | undefined, id: string): Promise<InstanceStatus> {
    return (await this.store.view(await this.#owned(caller, id))).status;
  }

  async codeServerLogs(caller: CodeServerUser | undefined, id: string, lines: number | undefined): Promise<string> {
    const session = await this.#owned(caller, id);
    const tailLines = Math.min(Math.max(Math.trunc(lines ?? DEFAULT_LOG_LINES), 1), MAX_LOG_LINES);
    const pods = (await this.store.pods(session)).filter((p) => !p.metadata.deletionTimestamp);
    const pod = pods.find(isPodReady) ?? newest(pods);
    if (!pod) throw new CodeServerError('UNAVAILABLE', withDetail(MESSAGES.podNotReady, 'the instance has no pod (is it stopped?)'));
    return this.#logsOf(pod, tailLines);
  }

  async instanceStats(caller: CodeServerUser | undefined): Promise<InstanceStats> {
    const user = requireUser(caller);
    if (!isAdmin(user)) throw new CodeServerError('FORBIDDEN', withDetail(MESSAGES.forbidden, 'instanceStats is for admins only'));
    const all = await this.store.snapshot();
    const used = [...usedBytesByUser(all).values()].reduce((sum, b) => sum + b, 0);
    return {
      totalInstances: all.length,
      runningInstances: all.filter((i) => i.status === 'RUNNING').length,
      stoppedInstances: all.filter((i) => i.status === 'STOPPED').length,
      totalStorageUsed: formatBytes(used),
    };
  }

  async provisionCodeServer(caller: CodeServerUser | undefined, repoOwner: string, repoName: string): Promise<ProvisionOutcome> {
    return this.#provisioner.provision(requireUser(caller), repoOwner, repoName);
  }

  /** Hibernates the instance: the pod goes, the home volume stays. */
  async stopCodeServer(caller: CodeServerUser | undefined, id: string): Promise<boolean> {
    const session = await this.#owned(caller, id);
    if (desiredState(session) !== 'hibernated') await this.#setState(session, 'hibernated');
    return true;
  }

  /** Wakes the instance and waits (up to the timeout) for it to run. */
  async startCodeServer(caller: CodeServerUser | undefined, id: string): Promise<CodeServerInstance> {
    const user = requireUser(caller);
    const session = await this.#owned(user, id);
    await this.#refreshCredential(user, session);
    if (desiredState(session) !== 'running') await this.#setState(session, 'running');
    return (await waitForInstance(this.store, id, this.#o.settings.timeoutMs)) ?? await this.store.view(session);
  }

  /** Deletes the instance, its credential, and the user's home volume unless another session of theirs still uses it. */
  async deleteCodeServer(caller: CodeServerUser | undefined, id: string): Promise<boolean> {
    const session = await this.#owned(caller, id);
    const { client } = this.#o;
    await client.delete(session, { propagationPolicy: 'Background' }).catch(ignoreNotFound);
    await client.delete(repositoryCredentialSecret(session, '')).catch(ignoreNotFound);
    await this.#deleteHomeIfUnused(session);
    this.#o.logger?.info({ instance: id, user: session.spec.user }, 'Deleted code-server');
    return true;
  }

  /** Restarts the pod so its init containers pull; true when the checkout is at the upstream head. */
  async syncRepository(caller: CodeServerUser | undefined, id: string): Promise<boolean> {
    const user = requireUser(caller);
    const session = await this.#owned(user, id);
    const current = await this.store.view(session);
    if (current.status !== 'RUNNING') throw new CodeServerError('UNAVAILABLE', withDetail(MESSAGES.podNotReady, `the instance is ${current.status}; start it first`));
    await this.#refreshCredential(user, session);
    const outcome = await syncRepository({ client: this.#o.client, store: this.store }, session, this.#o.settings.timeoutMs);
    this.#o.logger?.info({ instance: id, ...outcome }, 'Synced repository');
    return outcome.synced;
  }

  // ---- helpers ----------------------------------------------------------------------------

  #mayAct(user: CodeServerUser, session: Session): boolean {
    return isAdmin(user) || session.spec.user === user.username;
  }

  /** The instance `id` when the caller may act on it; `instance not found` otherwise. */
  async #owned(caller: CodeServerUser | undefined, id: string): Promise<Session> {
    const user = requireUser(caller);
    const session = await this.store.session(id);
    if (!session || !this.#mayAct(user, session)) throw instanceNotFound();
    return session;
  }

  async #setState(session: Session, state: 'running' | 'hibernated'): Promise<void> {
    try {
      await this.#o.client.patch(session, mergePatch({ spec: { state } }));
    } catch (err) {
      if (isNotFound(err)) throw instanceNotFound();
      throw err;
    }
  }

  /** The owner's current token goes into the credential (never an admin's token into someone else's pod). */
  async #refreshCredential(user: CodeServerUser, session: Session): Promise<void> {
    if (user.username !== session.spec.user) return;
    await this.#provisioner.upsertCredential(session, this.#provisioner.cloneToken(user));
  }

  async #deleteHomeIfUnused(session: Session): Promise<void> {
    const user = session.spec.user;
    const sessions = await this.#o.client.list<Session>(SessionKind, { namespace: session.metadata.namespace });
    const others = sessions.items.filter((s) => s.spec?.user === user && s.metadata.name !== session.metadata.name && !s.metadata.deletionTimestamp);
    if (others.length) {
      this.#o.logger?.info({ user, keptFor: others.map((s) => s.metadata.name) }, 'Kept the home volume: other sessions of the user use it');
      return;
    }
    const claim = { ...ClaimKind, metadata: { namespace: session.metadata.namespace, name: homeClaimName(user) } };
    await this.#o.client.delete(claim).catch(ignoreNotFound);
  }

  /** The session container's log; while it has not started, the repository init containers' logs. */
  async #logsOf(pod: KubeObject, tailLines: number): Promise<string> {
    const read = (container: string) => this.#o.podLogs.read({
      namespace: pod.metadata.namespace!, pod: pod.metadata.name!, container, tailLines, limitBytes: 1024 * 1024,
    });
    const started = (pod.status?.containerStatuses ?? []).some((s: any) => s.state?.running || s.state?.terminated || s.lastState?.terminated);
    try {
      if (started) return await read(SESSION_CONTAINER);
      const parts: string[] = [];
      for (const container of [FETCH_CONTAINER, CHECKOUT_CONTAINER]) {
        const text = await read(container).catch(() => undefined);
        if (text !== undefined) parts.push(`--- ${container} ---\n${text}`);
      }
      if (!parts.length) throw new Error('no container of the pod has started yet');
      return parts.join('');
    } catch (err) {
      throw new CodeServerError('UNAVAILABLE', withDetail(MESSAGES.podNotReady, errorText(err)));
    }
  }
}

function newest(pods: KubeObject[]): KubeObject | undefined {
  return [...pods].sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)))[0];
}
