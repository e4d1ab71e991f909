/**
 * The mutating webhook for Session create: fills in what the user left out, from the template and
 * the controller's settings, and labels the session with its user and template.
 *
 * Defaults (each only when unset): spec.state `running`; spec.resources from the template's
 * defaultResources (the whole block, only when the session sets no resources at all);
 * spec.idleTimeout, spec.maxSessionDuration and spec.persistentHome from the settings. The user and
 * template labels are always made to match spec (a label saying another user would mislead every
 * selector).
 *
 * Idempotent: the patch is computed against the object as received, so calling the webhook again on
 * its own result (reinvocationPolicy IfNeeded, after a later webhook changed something) yields no
 * operations, and the answer carries no patch at all.
 */
import { deepCopy } from '../controlplane/api/object.ts';
import type { Session, SessionState } from '../apis/stream/v1alpha1/session.ts';
import type { Template } from '../apis/stream/v1alpha1/template.ts';
import { allow, patch, pointerSegment, type AdmissionDecision, type AdmissionRequest, type JsonPatchOperation } from './admission-review.ts';
import { sessionLabels } from './session-labels.ts';
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
  return ops;
}

/** The JSON patch that defaults and labels `session` (empty when it already is). */
export function sessionDefaultsPatch(session: Session, template: Template | undefined, settings: SessionDefaultSettings = {}): JsonPatchOperation[] {
  // A session without user or template is refused by schema and validation; there is nothing to label.
  if (!session.spec?.user || !session.spec.template) return [];
  return [...specDefaults(session, template, settings), ...labelOperations(session)];
}

/** The mutating webhook's handler. */
export class SessionDefaulter {
  readonly #templates: TemplateLookup;
  readonly #settings: SessionDefaultSettings;

  constructor(templates: TemplateLookup, settings: SessionDefaultSettings = {}) {
    this.#templates = templates;
    this.#settings = settings;
  }

  async handle(request: AdmissionRequest): Promise<AdmissionDecision> {
    const session = request.object as Session | undefined;
    if (request.operation !== 'CREATE' || !session?.spec) return allow();
    const template = await this.#templates.find(request.namespace || session.metadata.namespace || '', session.spec.template ?? '');
    return patch(sessionDefaultsPatch(session, template, this.#settings));
  }
}
