/**
 * The Template validating webhook: refuses a template that could never launch a working session
 * (validateTemplateSpec: image reference grammar, ports, paths, a VNC desktop or web application),
 * up front and with a cause per field, instead of letting the Template controller mark it invalid
 * after the fact. Updates are checked only when they change the spec, so a template stored before
 * a rule existed can still be relabelled or deleted.
 */
import { invalid } from '../apimachinery/errors.ts';
import { deepEqual } from '../apimachinery/object.ts';
import { group } from '../apis/stream/v1alpha1/groupversion.ts';
import type { Template } from '../apis/stream/v1alpha1/template.ts';
import { validateTemplateSpec } from '../apis/stream/v1alpha1/template-validation.ts';
import { allow, deny, type AdmissionDecision, type AdmissionRequest } from './admission-review.ts';

/** The Template validating webhook's handler. */
export function validateTemplateAdmission(request: AdmissionRequest): AdmissionDecision {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow();
  const template = request.object as Template | undefined;
  if (!template) return allow();
  const old = request.operation === 'UPDATE' ? (request.oldObject as Template | undefined) : undefined;
  if (old && deepEqual(template.spec, old.spec)) return allow();
  const causes = validateTemplateSpec(template.spec);
  if (!causes.length) return allow();
  return deny(invalid('Template', group, template.metadata.name ?? request.name ?? '', causes));
}
