/**
 * The Template reconciler: validates a template's spec (the same rules the webhook enforces) and
 * records the verdict in status: valid, a message naming every problem, a Valid condition and the
 * generation it judged. It creates nothing; the Session controller refuses invalid templates on
 * its own, so the two never have to agree on timing.
 */
import type { Condition } from '../../apis/metav1.ts';
import { TemplateConditionTypes, type Template, type TemplateStatus } from '../../apis/stream/v1alpha1/template.ts';
import { validateTemplateSpec } from '../../apis/stream/v1alpha1/template-validation.ts';
import { deepEqual } from '../../apimachinery/object.ts';
import type { Clock } from '../../runtime/clock.ts';
import { mergePatch } from '../../runtime/patch.ts';
import type { Reconciler, Request } from '../../runtime/reconcile.ts';
import type { FreshClient } from '../fresh-client.ts';
import { TemplateKind } from '../kinds.ts';
import { describeCauses, kubeTime } from '../status-format.ts';

/** What the Template reconciler works with. */
export interface TemplateReconcilerDeps {
  client: FreshClient;
  clock: Clock;
}

/** The status a template should have: the verdict of validation. */
export function templateStatus(template: Template, now: number): TemplateStatus {
  const causes = validateTemplateSpec(template.spec);
  const valid = causes.length === 0;
  const message = valid ? '' : describeCauses(causes);
  const previous = template.status?.conditions?.find((c) => c.type === TemplateConditionTypes.Valid);
  const status = valid ? 'True' as const : 'False' as const;
  const condition: Condition = {
    type: TemplateConditionTypes.Valid, status, reason: valid ? 'Validated' : 'InvalidSpec', message,
    observedGeneration: template.metadata.generation,
    lastTransitionTime: previous && previous.status === status ? previous.lastTransitionTime : kubeTime(now),
  };
  const others = (template.status?.conditions ?? []).filter((c) => c.type !== TemplateConditionTypes.Valid);
  return { valid, message, conditions: [...others, condition], observedGeneration: template.metadata.generation };
}

/** See the module comment. */
export class TemplateReconciler implements Reconciler {
  readonly #d: TemplateReconcilerDeps;

  constructor(deps: TemplateReconcilerDeps) {
    this.#d = deps;
  }

  async reconcile(req: Request): Promise<void> {
    const template = this.#d.client.get<Template>(TemplateKind, req);
    if (!template || template.metadata.deletionTimestamp) return;
    const status = templateStatus(template, this.#d.clock.now());
    const current = template.status ?? {};
    const changed = (Object.keys(status) as (keyof TemplateStatus)[]).some((k) => !deepEqual(status[k], current[k]));
    if (changed) await this.#d.client.patchStatus(template, mergePatch({ status }));
  }
}
