/**
 * The session Deployment: one replica (zero while hibernated) of the template's image, hardened
 * (non-root, no privilege escalation, no capabilities, RuntimeDefault seccomp), probed on the
 * streaming port, with the user's home volume mounted at the template's homeMountPath.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { ResourceRequirements } from '../../apis/corev1.ts';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import { DEFAULT_HOME_MOUNT_PATH, type TemplateSpec } from '../../apis/stream/v1alpha1/template.ts';
import { childMetadata, sessionPorts, streamingEndpoint, usesHome, type ChildInputs } from './children.ts';
import { STREAM_PORT_NAME } from '../../apis/stream/v1alpha1/naming.ts';
import { ANNOTATIONS, selectorLabels, SESSION_CONTAINER, sessionHomeClaimName, sessionLabels } from '../../apis/stream/v1alpha1/naming.ts';
import { withRepositoryClone } from './repository-clone/init-container.ts';
import { revisionAnnotations } from './template-revision.ts';

export { SESSION_CONTAINER };

/** The name of the pod volume holding the user's home. */
export const HOME_VOLUME = 'user-home';

/** The uid/gid session containers run as (LinuxServer images' PUID/PGID default). */
export const SESSION_UID = 1000;

/**
 * The template's default resources with the session's overrides laid over them, per resource
 * name (a session asking for more memory keeps the template's CPU).
 */
export function mergedResources(template: ResourceRequirements | undefined, session: ResourceRequirements | undefined): ResourceRequirements {
  const requests = { ...template?.requests, ...session?.requests };
  const limits = { ...template?.limits, ...session?.limits };
  return {
    ...(Object.keys(requests).length ? { requests } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
  };
}

function readinessProbe(spec: TemplateSpec): Record<string, unknown> {
  const endpoint = streamingEndpoint(spec);
  const check = endpoint.healthCheckPath
    ? { httpGet: { path: endpoint.healthCheckPath, port: STREAM_PORT_NAME } }
    : { tcpSocket: { port: STREAM_PORT_NAME } };
  return { ...check, periodSeconds: 5, failureThreshold: 3 };
}

/** The home volume (when persistent) and an emptyDir for every other volume the template mounts. */
function volumes(session: Session, spec: TemplateSpec): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (usesHome(session)) out.push({ name: HOME_VOLUME, persistentVolumeClaim: { claimName: sessionHomeClaimName(session) } });
  const names = new Set(out.map((v) => v.name));
  for (const mount of spec.volumeMounts ?? []) {
    if (names.has(mount.name)) continue;
    names.add(mount.name);
    out.push({ name: mount.name, emptyDir: {} });
  }
  return out;
}

function volumeMounts(session: Session, spec: TemplateSpec): Record<string, unknown>[] {
  const mounts: Record<string, unknown>[] = [];
  if (usesHome(session)) mounts.push({ name: HOME_VOLUME, mountPath: spec.homeMountPath ?? DEFAULT_HOME_MOUNT_PATH });
  for (const m of spec.volumeMounts ?? []) {
    mounts.push({ name: m.name, mountPath: m.mountPath, ...(m.subPath ? { subPath: m.subPath } : {}), ...(m.readOnly ? { readOnly: true } : {}) });
  }
  return mounts;
}

/** `{ [key]: list }`, or nothing for an empty list (the API server drops empty lists). */
function nonEmpty(key: string, list: unknown[]): Record<string, unknown[]> {
  return list.length ? { [key]: list } : {};
}

function container(session: Session, spec: TemplateSpec): Record<string, unknown> {
  const resources = mergedResources(spec.defaultResources, session.spec.resources);
  const env = (spec.env ?? []).map((e) => (e.value === undefined ? { name: e.name } : { name: e.name, value: e.value }));
  return {
    name: SESSION_CONTAINER,
    image: spec.baseImage,
    ...(spec.command?.length ? { command: spec.command } : {}),
    ...(spec.args?.length ? { args: spec.args } : {}),
    ports: sessionPorts(spec).map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })),
    ...(env.length ? { env } : {}),
    ...(Object.keys(resources).length ? { resources } : {}),
    ...nonEmpty('volumeMounts', volumeMounts(session, spec)),
    readinessProbe: readinessProbe(spec),
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/** The pod label naming the home claim a pod mounts: what its user's other sessions' pods look for. */
export const HOME_CLAIM_LABEL = 'stream.streamspace.io/home-claim';

/**
 * Pods of one user share their ReadWriteOnce home, which attaches to one node at a time: a pod
 * mounting it must run on the node where the user's other session pods run (required pod
 * affinity; the first pod, matching its own term, goes anywhere).
 */
function homePlacement(session: Session): { labels: Record<string, string>; affinity?: Record<string, unknown> } {
  if (!usesHome(session)) return { labels: {} };
  const labels = { [HOME_CLAIM_LABEL]: sessionHomeClaimName(session) };
  const term = { labelSelector: { matchLabels: labels }, topologyKey: 'kubernetes.io/hostname' };
  return { labels, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } };
}

/**
 * The session Deployment with `replicas` pods (1 running, 0 hibernated), annotated with the
 * template revision it is built from (template-revision.ts).
 */
export function desiredDeployment({ session, template, settings }: ChildInputs, replicas: 0 | 1): KubeObject {
  const spec = template.spec;
  const metadata = childMetadata(session);
  const home = homePlacement(session);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...metadata, annotations: { ...metadata.annotations, ...revisionAnnotations(template) } },
    spec: {
      replicas,
      revisionHistoryLimit: 1,
      // Recreate: a ReadWriteOnce home volume cannot be mounted by an old and a new pod at once.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(session) },
      template: {
        metadata: {
          labels: { ...sessionLabels(session), ...home.labels },
          annotations: { [ANNOTATIONS.session]: session.metadata.name ?? '', [ANNOTATIONS.user]: session.spec.user },
        },
        // A session with spec.repository gets init containers that clone or pull it into the home volume.
        spec: withRepositoryClone({
          automountServiceAccountToken: false,
          ...(spec.runtimeClassName ? { runtimeClassName: spec.runtimeClassName } : {}),
          // Thousands of session Services in one namespace would otherwise become env vars in every pod.
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true, runAsUser: SESSION_UID, runAsGroup: SESSION_UID, fsGroup: SESSION_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(home.affinity ? { affinity: home.affinity } : {}),
          containers: [container(session, spec)],
          ...nonEmpty('volumes', volumes(session, spec)),
        }, session, {
          homeVolume: HOME_VOLUME, homeMountPath: spec.homeMountPath ?? DEFAULT_HOME_MOUNT_PATH, sessionContainer: SESSION_CONTAINER,
          gitServerUrl: settings.gitServerUrl,
        }),
      },
    },
  };
}
