/**
 * A code-server instance is a Session launched from the code-server template with a repository.
 * This module names them (one per user and repository, so provisioning twice finds the first),
 * labels them so the service can list them, builds the Session to create, and turns a Session
 * and its pods into the seed's CodeServerInstance.
 */
import { createHash } from 'node:crypto';
import { apiVersion } from '../apis/stream/v1alpha1/groupversion.ts';
import type { Session, SessionSpec } from '../apis/stream/v1alpha1/session.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { parseCloneReport, type CloneReport } from '../apis/stream/v1alpha1/repository-clone.ts';
import { CODESERVER_MANAGER } from './credential-secret.ts';
import { CHECKOUT_CONTAINER } from '../apis/stream/v1alpha1/repository-clone.ts';
import type { CodeServerSettings } from './settings.ts';
import { instanceStatus, type InstanceStatus } from './status.ts';

/** Labels of code-server Sessions. */
export const INSTANCE_LABELS = {
  /** `true` on every Session the service created. */
  instance: 'codeserver.streamspace.io/instance',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** The label selector of every code-server Session. */
export const INSTANCE_SELECTOR = `${INSTANCE_LABELS.instance}=true`;

/** The seed's CodeServerInstance. */
export interface CodeServerInstance {
  id: string;
  userId: string;
  repoName: string;
  repoOwner: string;
  url: string;
  status: InstanceStatus;
  createdAt: string;
  lastAccessedAt: string | null;
  storageUsed: string | null;
}

function slug(value: string, max: number): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, max).replace(/-+$/, '');
}

/**
 * The instance id (Session name) of `user`'s code-server for owner/name:
 * `code-server-<user>-<repo>-<hash>`, a DNS label. The hash is of the exact user, owner and
 * name, so look-alikes after sanitizing (`John.Doe`, `john-doe`) never share an instance.
 */
export function instanceId(user: string, owner: string, name: string): string {
  const hash = createHash('sha256').update(`${user}\n${owner}\n${name}`).digest('hex').slice(0, 10);
  const readable = [slug(user, 20), slug(name, 18)].filter(Boolean).join('-');
  return `code-server-${readable ? `${readable}-` : ''}${hash}`;
}

/** The Session a provision creates for `user` and the repository. */
export function instanceSession(settings: CodeServerSettings, user: string, repo: { owner: string; name: string; cloneURL: string }): Session {
  const { requests, limits } = settings.resources;
  const spec: SessionSpec = {
    user,
    template: settings.template,
    state: 'running',
    persistentHome: true,
    resources: { requests: { ...requests }, limits: { ...limits } },
    repository: { owner: repo.owner, name: repo.name, cloneURL: repo.cloneURL },
    ...(settings.idleTimeout ? { idleTimeout: settings.idleTimeout } : {}),
  };
  return {
    apiVersion, kind: 'Session',
    metadata: {
      name: instanceId(user, repo.owner, repo.name),
      namespace: settings.namespace,
      labels: { [INSTANCE_LABELS.instance]: 'true', [INSTANCE_LABELS.managedBy]: CODESERVER_MANAGER },
    },
    spec,
  };
}

/** True when `session` is a code-server instance (created by the service, with a repository). */
export function isInstance(session: Session): boolean {
  return session.metadata.labels?.[INSTANCE_LABELS.instance] === 'true' && session.spec?.repository !== undefined;
}

/** The newest clone report among `pods` (from the checkout init container's termination message). */
export function latestCloneReport(pods: KubeObject[]): CloneReport | undefined {
  let best: { at: string; report: CloneReport } | undefined;
  for (const pod of pods) {
    for (const s of pod.status?.initContainerStatuses ?? []) {
      if (s.name !== CHECKOUT_CONTAINER) continue;
      const terminated = s.state?.terminated ?? s.lastState?.terminated;
      const report = parseCloneReport(terminated?.message);
      const at = String(terminated?.finishedAt ?? '');
      if (report && (!best || at > best.at)) best = { at, report };
    }
  }
  return best?.report;
}

/** Bytes as a short binary-unit string: `512 B`, `1.5 KiB`, `12.3 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The seed's view of `session` and its pods. */
export function toInstance(session: Session, pods: KubeObject[]): CodeServerInstance {
  const repo = session.spec.repository;
  const used = latestCloneReport(pods)?.usedBytes;
  return {
    id: session.metadata.name ?? '',
    userId: session.spec.user,
    repoName: repo?.name ?? '',
    repoOwner: repo?.owner ?? '',
    url: session.status?.url ?? '',
    status: instanceStatus(session, pods),
    createdAt: session.metadata.creationTimestamp ?? '',
    lastAccessedAt: session.status?.lastActivity ?? null,
    storageUsed: used === undefined ? null : formatBytes(used),
  };
}
