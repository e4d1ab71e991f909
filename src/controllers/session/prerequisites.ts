/**
 * What a session needs before it can run: a valid spec and an existing, valid Template in its
 * namespace. Problems come back as a reason and a message naming the problem, for the Failed
 * status; the session recovers by itself once they are fixed (Template events re-queue it).
 */
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import { validateSessionSpec } from '../../apis/stream/v1alpha1/session-validation.ts';
import type { Template } from '../../apis/stream/v1alpha1/template.ts';
import { validateTemplateSpec } from '../../apis/stream/v1alpha1/template-validation.ts';
import type { FreshClient } from '../fresh-client.ts';
import { TemplateKind } from '../kinds.ts';
import { describeCauses } from '../status-format.ts';

/** Reasons a session cannot run. */
export const PREREQUISITE_REASONS = {
  invalidSpec: 'InvalidSpec',
  templateNotFound: 'TemplateNotFound',
  templateInvalid: 'TemplateInvalid',
} as const;

/** The outcome: the template to run, or why there is none. */
export type Prerequisites =
  | { ok: true; template: Template }
  | { ok: false; reason: string; message: string; templateProblem: boolean };

/** Checks `session`'s spec and looks up its template (through the cache). */
export function checkPrerequisites(client: FreshClient, session: Session): Prerequisites {
  const specCauses = validateSessionSpec(session.spec);
  if (specCauses.length) {
    return { ok: false, reason: PREREQUISITE_REASONS.invalidSpec, message: `Invalid session spec: ${describeCauses(specCauses)}`, templateProblem: false };
  }
  const namespace = session.metadata.namespace ?? '';
  const name = session.spec.template;
  const template = client.get<Template>(TemplateKind, { namespace, name });
  if (!template) {
    const message = `Template "${name}" not found in namespace "${namespace}"`;
    return { ok: false, reason: PREREQUISITE_REASONS.templateNotFound, message, templateProblem: true };
  }
  const causes = validateTemplateSpec(template.spec);
  if (causes.length) {
    const message = `Template "${name}" is invalid: ${describeCauses(causes)}`;
    return { ok: false, reason: PREREQUISITE_REASONS.templateInvalid, message, templateProblem: true };
  }
  return { ok: true, template };
}
