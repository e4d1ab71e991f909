/**
 * The checks of the Session validating webhook other than quota:
 * - the spec is valid (validateSessionSpec, the same rules the Session controller applies), on
 *   create and whenever an update changes the spec (an existing session is not refused for rules
 *   that changed after it was created, as long as its spec is left alone);
 * - spec.user and spec.template never change;
 * - a terminated session stays terminated: an update that changes spec.state of a terminated session
 *   is refused; an update that leaves spec.state alone (finalizers, labels, annotations) never is, nor
 *   is any update of a session being deleted (its finalizer must be able to go, whatever its phase);
 * - the user and template labels, when present, match spec;
 * - only a trusted requester changes the user's recorded groups (./user-groups.ts);
 * - on create, the template exists in the session's namespace and is valid.
 * Problems are reported together as one 422 Invalid with a cause per field, as the API server's own
 * validation does.
 */
import { fieldInvalid, formatValue, invalid, type StatusCause, type StatusError } from '../apimachinery/errors.ts';
import { deepEqual } from '../apimachinery/object.ts';
import { FIELD_IMMUTABLE_MESSAGE } from '../apimachinery/validation.ts';
import { group } from '../apis/stream/v1alpha1/groupversion.ts';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import { validateSessionSpec } from '../apis/stream/v1alpha1/session-validation.ts';
import type { Template } from '../apis/stream/v1alpha1/template.ts';
import { validateTemplateSpec } from '../apis/stream/v1alpha1/template-validation.ts';
import type { AdmissionRequest } from './admission-review.ts';
import { sessionLabels } from './session-labels.ts';
import { groupsAnnotationChange, type GroupTrust } from './user-groups.ts';

/** field.NotFound: `spec.template: Not found: "firefox"`. */
function fieldNotFound(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueNotFound', field, message: `Not found: ${formatValue(value)}` };
}

/** Whether a session is terminated for good. */
export function isTerminated(session: Session | null | undefined): boolean {
  return session?.spec?.state === 'terminated' || session?.status?.phase === 'Terminated';
}

function immutableFields(session: Session, old: Session): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['user', 'template'] as const) {
    if (session.spec?.[field] !== old.spec?.[field]) causes.push(fieldInvalid(`spec.${field}`, session.spec?.[field], FIELD_IMMUTABLE_MESSAGE));
  }
  return causes;
}

/** Whether the session is being deleted: state rules no longer apply to it. */
export function isBeingDeleted(session: Session | null | undefined): boolean {
  return Boolean(session?.metadata?.deletionTimestamp);
}

/**
 * A transition rule, so it compares old and new spec.state: the controller's own writes to a
 * terminated session (removing its finalizer) leave spec.state as it was and must pass.
 */
function terminatedStaysTerminated(session: Session, old: Session): StatusCause[] {
  if (isBeingDeleted(old) || session.spec?.state === old.spec?.state) return [];
  if (!isTerminated(old) || session.spec?.state === 'terminated') return [];
  return [fieldInvalid('spec.state', session.spec?.state, 'a terminated session cannot be started or hibernated again; create a new session')];
}

/** Labels that are set must agree with spec; on update, a label that was there may not be removed. */
function labelCauses(session: Session, old: Session | undefined): StatusCause[] {
  if (!session.spec?.user || !session.spec.template) return [];
  const causes: StatusCause[] = [];
  const labels = session.metadata.labels ?? {};
  for (const [key, want] of Object.entries(sessionLabels(session.spec.user, session.spec.template))) {
    const path = `metadata.labels[${key}]`;
    if (key in labels && labels[key] !== want) causes.push(fieldInvalid(path, labels[key], `must be ${JSON.stringify(want)}, derived from spec`));
    else if (!(key in labels) && old?.metadata.labels?.[key] !== undefined) causes.push(fieldInvalid(path, null, 'may not be removed'));
  }
  return causes;
}

/** Why `template` cannot launch sessions, or undefined when it can. */
function templateProblem(template: Template | undefined, name: string): StatusCause | undefined {
  if (!template) return fieldNotFound('spec.template', name);
  const causes = validateTemplateSpec(template.spec);
  if (causes.length) {
    const first = causes[0].field ? `${causes[0].field}: ${causes[0].message}` : causes[0].message;
    return fieldInvalid('spec.template', name, `Template ${JSON.stringify(name)} is invalid: ${first}`);
  }
  if (template.status?.valid === false) {
    return fieldInvalid('spec.template', name, `Template ${JSON.stringify(name)} is invalid: ${template.status.message ?? 'marked invalid by the Template controller'}`);
  }
  return undefined;
}

/**
 * The non-quota checks of a Session create or update; `template` is the session's template (looked
 * up by the caller: needed on create), `trust` says who may change recorded groups. Returns the 422
 * to answer with, or undefined.
 */
export function validateSessionAdmission(request: AdmissionRequest, template: Template | undefined, trust: GroupTrust = {}): StatusError | undefined {
  const session = request.object as Session;
  const old = request.operation === 'UPDATE' ? (request.oldObject as Session | undefined) : undefined;
  const causes: StatusCause[] = [];
  if (!old || !deepEqual(session.spec, old.spec)) causes.push(...validateSessionSpec(session.spec));
  if (old) {
    causes.push(...immutableFields(session, old), ...terminatedStaysTerminated(session, old));
    causes.push(...groupsAnnotationChange(session, old, request.userInfo, trust));
  }
  causes.push(...labelCauses(session, old));
  if (!old && session.spec?.template && !causes.length) {
    const problem = templateProblem(template, session.spec.template);
    if (problem) causes.push(problem);
  }
  if (!causes.length) return undefined;
  return invalid('Session', group, session.metadata.name ?? request.name ?? '', causes);
}
