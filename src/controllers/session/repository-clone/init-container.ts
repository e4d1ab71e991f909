/**
 * The repository init containers of a session with `spec.repository`, for the Session
 * controller's Deployment builder. Two containers run clone-script.sh, one step each:
 *
 * - `repository-fetch` holds the Git credential (environment from the per-session Secret, never a
 *   literal value) and mounts only a scratch emptyDir: it bare-clones the repository there;
 * - `repository-checkout` holds no credential and mounts the user's home: it clones from the
 *   scratch copy on first start and fast-forwards on later starts.
 *
 * The split matters because the checkout in the home volume is the user's: its `.git/config`,
 * hooks and filters are theirs, and Git runs them. A container that runs them must not hold the
 * token (a hook could read it from /proc), so only the container that never touches user files
 * gets it. Owner, name, URL and ref reach the script as environment values only, never pasted
 * into a shell string; the script validates them again before Git runs.
 */
import type { Session } from '../../../apis/stream/v1alpha1/session.ts';
import { CLONE_SCRIPT, type CloneStep } from './clone-script.ts';
import { CHECKOUT_CONTAINER, CREDENTIAL_KEYS, credentialSecretName, DEFAULT_GIT_IMAGE, FETCH_CONTAINER } from '../../../apis/stream/v1alpha1/repository-clone.ts';

export { CHECKOUT_CONTAINER, FETCH_CONTAINER };


/** The scratch volume shared by the two init containers only. */
export const SCRATCH_VOLUME = 'repository-scratch';

/** Where the scratch volume is mounted in both init containers. */
export const SCRATCH_PATH = '/repository-scratch';

/** Folder under the home where repositories are checked out, as `<owner>/<name>`. */
export const WORKSPACE_FOLDER = 'workspace';

/** What the builder needs to know about the pod it joins. */
export interface RepositoryCloneSettings {
  /** Name of the pod volume holding the user's home (the controller's HOME_VOLUME). */
  homeVolume: string;
  /** Where the session container mounts the home (the template's homeMountPath). */
  homeMountPath: string;
  /** Image with sh and git (default {@link DEFAULT_GIT_IMAGE}). */
  image?: string;
  /** Base URL of the Git server, for repositories without a cloneURL. */
  gitServerUrl?: string;
}

/** The init containers, and what the pod needs for them. */
export interface RepositoryInitContainers {
  /** Fetch first, then checkout. */
  initContainers: Record<string, unknown>[];
  /** The scratch emptyDir, plus an emptyDir home when the session has no persistent home. */
  volumes: Record<string, unknown>[];
  /** Mounts the session container must add (the emptyDir home; empty when the home is persistent). */
  sessionVolumeMounts: Record<string, unknown>[];
  /** The Secret the fetch container reads the credential from. */
  secretName: string;
}

/** Where owner/name is checked out for a home mounted at `homeMountPath`. */
export function repositoryPath(homeMountPath: string, owner: string, name: string): string {
  return `${homeMountPath.replace(/\/+$/, '')}/${WORKSPACE_FOLDER}/${owner}/${name}`;
}

/** The clone URL of the session's repository: spec.repository.cloneURL, else `<gitServerUrl>/<owner>/<name>.git`. */
export function cloneUrlOf(session: Session, gitServerUrl: string | undefined): string {
  const repo = session.spec.repository;
  if (!repo) return '';
  if (repo.cloneURL) return repo.cloneURL;
  if (!gitServerUrl) return '';
  return `${gitServerUrl.replace(/\/+$/, '')}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}.git`;
}

function secretEnv(name: string, secretName: string, key: string): Record<string, unknown> {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

function repositoryEnv(session: Session, settings: RepositoryCloneSettings): Record<string, unknown>[] {
  const repo = session.spec.repository!;
  return [
    { name: 'REPO_OWNER', value: repo.owner },
    { name: 'REPO_NAME', value: repo.name },
    { name: 'CLONE_URL', value: cloneUrlOf(session, settings.gitServerUrl) },
    ...(repo.ref ? [{ name: 'GIT_REF', value: repo.ref }] : []),
    { name: 'SCRATCH_DIR', value: SCRATCH_PATH },
    // Git wants a HOME; the image's may not be writable by the session uid.
    { name: 'HOME', value: '/tmp' },
  ];
}

function initContainer(step: CloneStep, settings: RepositoryCloneSettings, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    name: step === 'fetch' ? FETCH_CONTAINER : CHECKOUT_CONTAINER,
    image: settings.image ?? DEFAULT_GIT_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    // The script is a constant; the step is its only argument. `clone-repository` is $0.
    command: ['/bin/sh', '-c', CLONE_SCRIPT, 'clone-repository'],
    args: [step],
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '512Mi' } },
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...fields,
  };
}

/**
 * The repository init containers of `session`; undefined when it has no spec.repository.
 * Pure: the same session and settings give the same objects (the controller's drift check
 * relies on it).
 */
export function repositoryInitContainer(session: Session, settings: RepositoryCloneSettings): RepositoryInitContainers | undefined {
  if (!session.spec.repository) return undefined;
  const secretName = credentialSecretName(session);
  const env = repositoryEnv(session, settings);
  const home = settings.homeMountPath.replace(/\/+$/, '') || '/';
  const fetch = initContainer('fetch', settings, {
    // The credential is sent only to the configured Git server (see the clone script's helper).
    env: [
      ...env, ...(settings.gitServerUrl ? [{ name: 'GIT_CREDENTIAL_URL', value: settings.gitServerUrl }] : []),
      secretEnv('GIT_USERNAME', secretName, CREDENTIAL_KEYS.username), secretEnv('GIT_TOKEN', secretName, CREDENTIAL_KEYS.token),
    ],
    volumeMounts: [{ name: SCRATCH_VOLUME, mountPath: SCRATCH_PATH }],
  });
  const checkout = initContainer('checkout', settings, {
    env: [...env, { name: 'WORKSPACE_ROOT', value: `${home.replace(/\/$/, '')}/${WORKSPACE_FOLDER}` }, { name: 'HOME_DIR', value: home }],
    volumeMounts: [{ name: settings.homeVolume, mountPath: home }, { name: SCRATCH_VOLUME, mountPath: SCRATCH_PATH, readOnly: true }],
    // The report goes to the termination message; on a failure without one, the log's tail does.
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'FallbackToLogsOnError',
  });
  const persistentHome = session.spec.persistentHome ?? true;
  return {
    initContainers: [fetch, checkout],
    volumes: [{ name: SCRATCH_VOLUME, emptyDir: {} }, ...(persistentHome ? [] : [{ name: settings.homeVolume, emptyDir: {} }])],
    sessionVolumeMounts: persistentHome ? [] : [{ name: settings.homeVolume, mountPath: home }],
    secretName,
  };
}

/** The pod spec shape {@link withRepositoryClone} edits. */
interface PodSpecLike {
  containers: Record<string, any>[];
  initContainers?: Record<string, unknown>[];
  volumes?: Record<string, unknown>[];
  [key: string]: unknown;
}

/**
 * `podSpec` with the repository init containers, volumes and mounts of `session` added (the
 * session container is the one named `sessionContainer`); `podSpec` itself when the session has
 * no repository. For the controller's Deployment builder: one call, pure.
 */
export function withRepositoryClone<T extends PodSpecLike>(
  podSpec: T, session: Session, settings: RepositoryCloneSettings & { sessionContainer: string },
): T & Pick<PodSpecLike, 'initContainers' | 'volumes'> {
  const clone = repositoryInitContainer(session, settings);
  if (!clone) return podSpec;
  const containers = podSpec.containers.map((c) => (c.name === settings.sessionContainer && clone.sessionVolumeMounts.length
    ? { ...c, volumeMounts: [...(c.volumeMounts ?? []), ...clone.sessionVolumeMounts] }
    : c));
  return {
    ...podSpec,
    containers,
    initContainers: [...(podSpec.initContainers ?? []), ...clone.initContainers],
    volumes: [...(podSpec.volumes ?? []), ...clone.volumes],
  };
}
