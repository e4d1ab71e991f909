/**
 * The mutating webhook for Session create: fills in what the user left out, from the template and
 * the controller's settings, and labels the session with its user and template.
 *
 * Defaults (each only when unset): spec.state `running`; spec.resources from the template's
 * defaultResources (the whole block, only when the session sets no resources at all);
 * spec.idleTimeout, spec.maxSessionDuration and spec.persistentHome from the settings. The user and
 * template labels are always made to match spec (a label saying another user would mislead every
 * selector). The user's groups are recorded in the `stream.streamspace.io/user-groups` annotation as
 * ./user-groups.ts decides them (the creator's own groups, a trusted creator's annotation, or none).
 *
 * Idempotent: the patch is computed against the object as received, so calling the webhook again on
 * its own result (reinvocationPolicy IfNeeded, after a later webhook changed something) yields no
 * operations, and the answer carries no patch at all.
 */
import { deepCopy } from '../apimachinery/object.ts';
import type { Session, SessionState } from '../apis/stream/v1alpha1/session.ts';
import type { Template } from '../apis/stream/v1alpha1/template.ts';
import {
  allow, patch, pointerSegment, type AdmissionDecision, type AdmissionRequest, type AdmissionUserInfo, type JsonPatchOperation,
} from './admission-review.ts';
import { LEGACY_USER_LABEL } from '../apis/stream/v1alpha1/naming.ts';
import { sessionLabels } from './session-labels.ts';
import { resolveUserGroups, USER_GROUPS_ANNOTATION, type GroupTrust } from './user-groups.ts';
import type { TemplateLookup } from './template-lookup.ts';

/** Controller settings the defaults come from. */
export interface SessionDefaultSettings {
  /** spec.state of a session that does not say (default `running`). */
  state?: SessionState;
  /** spec.idleTimeout of a session that does not say (default `30m`; '' sets none). */
  idleTimeout?: string;
  /** spec.maxSessionDuration of a session that does not say (default: none). */
  maxSessionDuration?: string;
  /** spec.persistentHome of a session that does not say (default true). */
  persistentHome?: boolean;
}

/** The defaults applied when settings do not override them. */
export const DEFAULT_SESSION_SETTINGS = { state: 'running', idleTimeout: '30m', persistentHome: true } as const satisfies SessionDefaultSettings;

function specDefaults(session: Session, template: Template | undefined, settings: SessionDefaultSettings): JsonPatchOperation[] {
  const spec = session.spec;
  const merged = { ...DEFAULT_SESSION_SETTINGS, ...settings };
  const wanted: Record<string, unknown> = {
    state: merged.state,
    resources: template?.spec?.defaultResources ? deepCopy(template.spec.defaultResources) : undefined,
    idleTimeout: merged.idleTimeout || undefined,
    maxSessionDuration: merged.maxSessionDuration || undefined,
    persistentHome: merged.persistentHome,
  };
  const ops: JsonPatchOperation[] = [];
  for (const [field, value] of Object.entries(wanted)) {
    if (value === undefined || (spec as Record<string, unknown>)[field] !== undefined) continue;
    ops.push({ op: 'add', path: `/spec/${field}`, value });
  }
  return ops;
}

function labelOperations(session: Session): JsonPatchOperation[] {
  const wanted = sessionLabels(session.spec.user, session.spec.template);
  const labels = session.metadata.labels;
  if (!labels) return [{ op: 'add', path: '/metadata/labels', value: wanted }];
  const ops: JsonPatchOperation[] = [];
  for (const [key, value] of Object.entries(wanted)) {
    if (labels[key] === value) continue;
    ops.push({ op: key in labels ? 'replace' : 'add', path: `/metadata/labels/${pointerSegment(key)}`, value });
  }
  // Sessions written before there was one user label carry the old one too: migrated away here.
  if (LEGACY_USER_LABEL in labels) ops.push({ op: 'remove', path: `/metadata/labels/${pointerSegment(LEGACY_USER_LABEL)}` });
  return ops;
}

/** Records the groups ./user-groups.ts resolves; a trusted creator's annotation stays as written. */
function groupsOperations(session: Session, requester: AdmissionUserInfo | undefined, trust: GroupTrust): JsonPatchOperation[] {
  const resolved = resolveUserGroups(session, requester, trust);
  if (resolved.source === 'annotation') return [];
  const annotations = session.metadata.annotations;
  const current = annotations?.[USER_GROUPS_ANNOTATION];
  const wanted = resolved.groups.length ? resolved.groups.join(',') : undefined;
  if (current === wanted) return [];
  const path = `/metadata/annotations/${pointerSegment(USER_GROUPS_ANNOTATION)}`;
  if (wanted === undefined) return [{ op: 'remove', path }];
  if (!annotations) return [{ op: 'add', path: '/metadata/annotations', value: { [USER_GROUPS_ANNOTATION]: wanted } }];
  return [{ op: current === undefined ? 'add' : 'replace', path, value: wanted }];
}

/** What a defaulting decision looks at besides the session. */
export interface DefaultingContext {
  template?: Template;
  settings?: SessionDefaultSettings;
  requester?: AdmissionUserInfo;
  trust?: GroupTrust;
}

/** The JSON patch that defaults and labels `session` (empty when it already is). */
export function sessionDefaultsPatch(session: Session, ctx: DefaultingContext = {}): JsonPatchOperation[] {
  // A session without user or template is refused by schema and validation; there is nothing to label.
  // Mutating admission runs before schema validation: wrong types are left for it to refuse.
  if (typeof session.spec?.user !== 'string' || typeof session.spec.template !== 'string' || !session.spec.user || !session.spec.template) return [];
  return [
    ...specDefaults(session, ctx.template, ctx.settings ?? {}), ...labelOperations(session), ...groupsOperations(session, ctx.requester, ctx.trust ?? {}),
  ];
}

/** The mutating webhook's handler. */
export class SessionDefaulter {
  readonly #templates: TemplateLookup;
  readonly #settings: SessionDefaultSettings;
  readonly #trust: GroupTrust;

  constructor(templates: TemplateLookup, settings: SessionDefaultSettings = {}, trust: GroupTrust = {}) {
    this.#templates = templates;
    this.#settings = settings;
    this.#trust = trust;
  }

  async handle(request: AdmissionRequest): Promise<AdmissionDecision> {
    const session = request.object as Session | undefined;
    if (request.operation !== 'CREATE' || !session?.spec) return allow();
    const template = await this.#templates.find(request.namespace || session.metadata.namespace || '', session.spec.template ?? '');
    return patch(sessionDefaultsPatch(session, { template, settings: this.#settings, requester: request.userInfo, trust: this.#trust }));
  }
}
