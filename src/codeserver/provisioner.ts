/**
 * provisionCodeServer, following the seed's flow:
 *   1 the caller             (unauthorized)
 *   2 access on Gitea        (repository access denied)
 *   3 the clone URL
 *   4 the user's home volume (failed to create storage)
 *   5 an existing instance   → returned (woken if stopped): "Using existing instance"
 *   6 credential Secret, then the Session (failed to create instance)
 *   7-8 Service and route    → the Session controller makes them
 *   9 wait for readiness up to CODESERVER_TIMEOUT; past it the instance is returned as it is
 * The Secret goes first so the pod never starts without it; it is owned by the Session once
 * the Session exists, and deleted again if the Session cannot be created.
 */
import type { Logger } from 'pino';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { ClaimKind } from '../apimachinery/builtin-kinds.ts';
import { desiredHomeClaim } from '../apis/stream/v1alpha1/home-claim.ts';
import { homeClaimName } from '../apis/stream/v1alpha1/naming.ts';
import { isAlreadyExists, isNotFound, type KubeClient } from '../runtime/client.ts';
import { mergePatch } from '../runtime/patch.ts';
import type { CodeServerUser } from './caller.ts';
import { credentialOwnerReferences, repositoryCredentialSecret } from './credential-secret.ts';
import { CodeServerError, MESSAGES, withDetail } from './errors.ts';
import { checkRepositoryAccess } from './gitea/access.ts';
import { GiteaError, type GiteaClient } from './gitea/client.ts';
import { instanceSession, type CodeServerInstance } from './instance.ts';
import type { InstanceStore } from './instance-store.ts';
import type { CodeServerMetrics, ProvisionResult } from './metrics.ts';
import { assertCloneUrl, assertRepositoryNames, InvalidRepositoryError } from './names.ts';
import { pollUntil } from './poll.ts';
import type { CodeServerSettings } from './settings.ts';
import { desiredState } from '../apis/stream/v1alpha1/desired-state.ts';

/** The seed's ProvisionResult. */
export interface ProvisionOutcome {
  instance: CodeServerInstance;
  message: string;
  isNew: boolean;
}

/** What the provisioner works with. */
export interface ProvisionerDeps {
  client: KubeClient;
  store: InstanceStore;
  gitea: GiteaClient;
  settings: CodeServerSettings;
  metrics?: CodeServerMetrics;
  logger?: Logger;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function accessError(err: unknown): CodeServerError {
  if (err instanceof GiteaError && err.kind === 'denied') return new CodeServerError('FORBIDDEN', MESSAGES.accessDenied);
  if (err instanceof GiteaError) return new CodeServerError('UNAVAILABLE', withDetail(MESSAGES.accessDenied, `could not check access: ${err.message}`));
  throw err;
}

function resultOf(err: unknown): ProvisionResult {
  return err instanceof CodeServerError && (err.code === 'FORBIDDEN' || err.code === 'BAD_USER_INPUT') ? 'denied' : 'error';
}

/** Waits until the instance is RUNNING or ERROR, or the timeout passes; returns it as it is then. */
export async function waitForInstance(store: InstanceStore, id: string, timeoutMs: number): Promise<CodeServerInstance | undefined> {
  const answer = await pollUntil(async () => {
    const session = await store.session(id);
    const instance = session && await store.view(session);
    return { done: !instance || instance.status === 'RUNNING' || instance.status === 'ERROR', value: instance };
  }, { timeoutMs });
  return answer.value;
}

/** See the module comment. */
export class Provisioner {
  readonly #d: ProvisionerDeps;

  constructor(deps: ProvisionerDeps) {
    this.#d = deps;
  }

  /** Provisions (or returns) `user`'s instance for owner/name. */
  async provision(user: CodeServerUser, owner: string, name: string): Promise<ProvisionOutcome> {
    const done = this.#d.metrics?.startProvision() ?? (() => undefined);
    try {
      const outcome = await this.#provision(user, owner, name);
      done(!outcome.isNew ? 'existing' : outcome.instance.status === 'RUNNING' ? 'success' : outcome.instance.status === 'ERROR' ? 'error' : 'timeout');
      return outcome;
    } catch (err) {
      done(resultOf(err));
      throw err;
    }
  }

  async #provision(user: CodeServerUser, owner: string, name: string): Promise<ProvisionOutcome> {
    try {
      assertRepositoryNames(owner, name);
    } catch (err) {
      if (err instanceof InvalidRepositoryError) throw new CodeServerError('BAD_USER_INPUT', err.message, err.field);
      throw err;
    }
    const repo = await checkRepositoryAccess(
      { gitea: this.#d.gitea, mode: this.#d.settings.accessCheck, serviceToken: this.#d.settings.giteaToken }, user, owner, name,
    ).catch((err: unknown) => { throw accessError(err); });
    let cloneURL: string;
    try {
      cloneURL = assertCloneUrl(repo.cloneUrl);
    } catch (err) {
      throw new CodeServerError('INTERNAL', withDetail(MESSAGES.instance, `Gitea's clone URL for ${owner}/${name} cannot be used: ${errorText(err)}`));
    }
    const desired = instanceSession(this.#d.settings, user.username, { owner, name, cloneURL });
    const existing = await this.#d.store.session(desired.metadata.name!);
    if (existing) return this.#reuse(existing, user);
    await this.#ensureHome(desired);
    return this.#create(desired, user);
  }

  /** The token the fetch container clones with. */
  cloneToken(user: CodeServerUser): string {
    return (this.#d.settings.cloneCredential === 'caller-token' ? user.token : this.#d.settings.giteaToken) ?? '';
  }

  /** Creates or refreshes the session's credential Secret (owned by the session when it has a uid). */
  async upsertCredential(session: Session, token: string): Promise<KubeObject> {
    const secret = repositoryCredentialSecret(session, token);
    try {
      return await this.#d.client.create(secret);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const ownerReferences = session.metadata.uid ? credentialOwnerReferences(session) : undefined;
    return this.#d.client.patch(secret, mergePatch({ metadata: { ...(ownerReferences ? { ownerReferences } : {}) }, data: secret.data }));
  }

  async #reuse(existing: Session, user: CodeServerUser): Promise<ProvisionOutcome> {
    if (existing.metadata.deletionTimestamp) {
      throw new CodeServerError('CONFLICT', withDetail(MESSAGES.instance, 'the instance is being deleted; try again when it is gone'));
    }
    await this.upsertCredential(existing, this.cloneToken(user));
    if (desiredState(existing) !== 'running') {
      await this.#d.client.patch(existing, mergePatch({ spec: { state: 'running' } }));
    }
    const instance = await waitForInstance(this.#d.store, existing.metadata.name!, this.#d.settings.timeoutMs);
    if (!instance) throw new CodeServerError('CONFLICT', withDetail(MESSAGES.instance, 'the instance was deleted meanwhile'));
    return { instance, message: 'Using existing instance', isNew: false };
  }

  /** Step 4: the user's home claim, created as the Session controller would if it is missing. */
  async #ensureHome(desired: Session): Promise<void> {
    const { home } = this.#d.settings;
    const name = homeClaimName(desired.spec.user);
    try {
      await this.#d.client.get(ClaimKind, { namespace: desired.metadata.namespace, name });
      return;
    } catch (err) {
      if (!isNotFound(err)) throw new CodeServerError('UNAVAILABLE', withDetail(MESSAGES.storage, errorText(err)));
    }
    const claim = desiredHomeClaim(desired, { size: home.size, storageClassName: home.storageClassName, accessMode: 'ReadWriteOnce' });
    await this.#d.client.create(claim).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw new CodeServerError('INTERNAL', withDetail(MESSAGES.storage, errorText(err)));
    });
  }

  async #create(desired: Session, user: CodeServerUser): Promise<ProvisionOutcome> {
    try {
      await this.upsertCredential(desired, this.cloneToken(user));
    } catch (err) {
      throw new CodeServerError('INTERNAL', withDetail(MESSAGES.instance, errorText(err)));
    }
    let session: Session;
    try {
      session = await this.#d.client.create(desired);
    } catch (err) {
      // Someone provisioned the same instance a moment ago: theirs is ours.
      const theirs = isAlreadyExists(err) ? await this.#d.store.session(desired.metadata.name!) : undefined;
      if (theirs) return this.#reuse(theirs, user);
      await this.#d.client.delete(repositoryCredentialSecret(desired, '')).catch(() => undefined);
      throw new CodeServerError('INTERNAL', withDetail(MESSAGES.instance, errorText(err)));
    }
    await this.#d.client.patch(repositoryCredentialSecret(session, ''), mergePatch({ metadata: { ownerReferences: credentialOwnerReferences(session) } }))
      .catch((err: unknown) => this.#d.logger?.warn({ err: errorText(err), session: session.metadata.name }, 'Could not make the session own its Git credential'));
    this.#d.logger?.info({ instance: session.metadata.name, user: user.username, repository: `${desired.spec.repository?.owner}/${desired.spec.repository?.name}` }, 'Provisioned code-server');
    const instance = (await waitForInstance(this.#d.store, session.metadata.name!, this.#d.settings.timeoutMs)) ?? await this.#d.store.view(session);
    return { instance, message: provisionMessage(instance, this.#d.settings.timeoutMs), isNew: true };
  }
}

/** The message of a new instance: the seed's on success, else what is still missing. */
function provisionMessage(instance: CodeServerInstance, timeoutMs: number): string {
  if (instance.status === 'RUNNING') return 'Instance created successfully';
  if (instance.status === 'ERROR') return 'Instance created but failed to start; see codeServerLogs';
  return `Instance created; ${MESSAGES.podNotReady} within ${Math.round(timeoutMs / 1000)}s, still ${instance.status}`;
}
