/**
 * Which revision of its Template a session's children are built from. A session keeps the
 * template it started with until it next starts: editing a Template must not restart every open
 * desktop of it at once, and deleting one must not strand its running sessions.
 *
 * The session's Deployment records the workload part of the template it was built from (image,
 * command, ports, env, resources, mounts, vnc/webapp; not the catalog's display fields) and that
 * template's generation, in two annotations. While a pod runs from that record (the Deployment
 * has replicas and the session is Running, or Pending because that pod was lost), or while the
 * session is hibernating or hibernated, children are built from the record; the Template as it
 * is now is used when the session next starts: its first start, a wake, or a recovery from
 * Failed. A newer template waiting is reported as the condition TemplateUpdateAvailable. A missing or invalid template stops only a start:
 * a session running on its record keeps running, and hibernates, terminates and is deleted
 * without it.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import { deepEqual } from '../../apimachinery/object.ts';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { Template, TemplateSpec } from '../../apis/stream/v1alpha1/template.ts';
import type { Prerequisites } from './prerequisites.ts';
import type { TemplateFact } from './status.ts';

/** Deployment annotations recording the template revision its pods run. */
export const TEMPLATE_REVISION_ANNOTATIONS = {
  /** JSON of the workload fields of the template's spec. */
  spec: 'stream.streamspace.io/template-spec',
  /** The template's metadata.generation then. */
  generation: 'stream.streamspace.io/template-generation',
} as const;

/** The TemplateSpec fields a session's children are built from; the rest is catalog display. */
const WORKLOAD_FIELDS = [
  'baseImage', 'command', 'args', 'defaultResources', 'ports', 'env', 'volumeMounts', 'homeMountPath', 'vnc', 'webapp', 'runtimeClassName',
] as const satisfies readonly (keyof TemplateSpec)[];

/** The workload fields of `spec`, in a fixed order (so the recorded JSON is stable). */
export function workloadSpec(spec: TemplateSpec): TemplateSpec {
  const out: Record<string, unknown> = {};
  for (const field of WORKLOAD_FIELDS) if (spec[field] !== undefined) out[field] = spec[field];
  return out as TemplateSpec;
}

/** The annotations a Deployment built from `template` carries. */
export function revisionAnnotations(template: Template): Record<string, string> {
  return {
    [TEMPLATE_REVISION_ANNOTATIONS.spec]: JSON.stringify(workloadSpec(template.spec)),
    [TEMPLATE_REVISION_ANNOTATIONS.generation]: String(template.metadata.generation ?? 0),
  };
}

/** The template revision recorded on `deployment`, as a Template; undefined when there is none (or it is unreadable). */
export function recordedTemplate(session: Session, deployment: KubeObject | undefined): Template | undefined {
  const annotations = deployment?.metadata.annotations ?? {};
  const json = annotations[TEMPLATE_REVISION_ANNOTATIONS.spec];
  if (!json) return undefined;
  try {
    const spec = JSON.parse(json) as TemplateSpec;
    if (typeof spec?.baseImage !== 'string') return undefined;
    const generation = Number(annotations[TEMPLATE_REVISION_ANNOTATIONS.generation]) || undefined;
    return {
      apiVersion: 'stream.streamspace.io/v1alpha1', kind: 'Template',
      metadata: { name: session.spec.template, namespace: session.metadata.namespace, generation }, spec,
    };
  } catch {
    return undefined;
  }
}

/** Whether a newer template revision waits for the session's next start. */
export type TemplateUpdateFact = 'unknown' | { available: false; reason: string } | { available: true; message: string };

/** The template to build the children from, and what the status says about templates. */
export type TemplateChoice =
  | { ok: true; template: Template; fact: TemplateFact; update: TemplateUpdateFact }
  | { ok: false; reason: string; message: string; templateProblem: boolean };

/** True when `deployment` has (or is to have) pods: a scale to zero is a hibernation. */
function hasReplicas(deployment: KubeObject | undefined): boolean {
  return deployment !== undefined && (deployment.spec?.replicas ?? 1) > 0;
}

/**
 * Running, or Pending after it ran (its pod was lost, evicted or went unready): the replacement
 * pod is the same session coming back, not a new start. A Failed session takes the template as
 * it is, so fixing the template fixes the session.
 */
function hasStarted(session: Session): boolean {
  const phase = session.status?.phase;
  return phase === 'Running' || phase === 'Pending';
}

/**
 * Chooses between the Template as it is (`live`) and the revision recorded on the session's
 * `deployment` (see the module comment). `hibernating` is spec.state hibernated.
 */
export function chooseTemplate(session: Session, live: Prerequisites, deployment: KubeObject | undefined, hibernating: boolean): TemplateChoice {
  const recorded = recordedTemplate(session, deployment);
  const keep = recorded !== undefined && (hibernating || (hasReplicas(deployment) && (hasStarted(session) || !live.ok)));
  if (!keep) return live.ok ? { ok: true, template: live.template, fact: 'valid', update: { available: false, reason: 'UpToDate' } } : live;
  if (!live.ok) {
    if (!live.templateProblem) return live;
    const message = `${live.message}; the session keeps what it started with, and cannot start again until this is fixed`;
    return { ok: true, template: recorded, fact: { reason: live.reason, message }, update: { available: false, reason: live.reason } };
  }
  return { ok: true, template: recorded, fact: 'valid', update: updateFact(recorded, live.template) };
}

function updateFact(recorded: Template, live: Template): TemplateUpdateFact {
  if (deepEqual(workloadSpec(live.spec), recorded.spec)) return { available: false, reason: 'UpToDate' };
  const from = recorded.metadata.generation ?? '?';
  const message = `Template "${live.metadata.name}" changed (generation ${from} → ${live.metadata.generation}) since this session started; `
    + 'the change applies when the session next starts (hibernate and wake it)';
  return { available: true, message };
}
