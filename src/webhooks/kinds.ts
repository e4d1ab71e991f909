/**
 * The kinds the admission webhooks read through the informer cache, and their registration in
 * the runtime's resource table (the controllers register Session and Template; SessionQuota is
 * read only here, so the webhook server makes sure all three are known).
 */
import { sessionCrd } from '../apis/stream/v1alpha1/session.ts';
import { sessionQuotaCrd } from '../apis/stream/v1alpha1/sessionquota.ts';
import { templateCrd } from '../apis/stream/v1alpha1/template.ts';
import type { CrdDescription } from '../apis/crd.ts';
import type { ResourceTable } from '../runtime/resources.ts';

export { SessionKind, SessionQuotaKind, TemplateKind } from '../apis/stream/v1alpha1/kinds.ts';

const DESCRIPTIONS: readonly CrdDescription[] = [sessionCrd, templateCrd, sessionQuotaCrd];

/** Registers Session, Template and SessionQuota in `table` unless already there. */
export function registerWebhookKinds(table: ResourceTable): void {
  for (const crd of DESCRIPTIONS) {
    const kind = { apiVersion: `${crd.group}/${crd.version}`, kind: crd.names.kind };
    if (!table.has(kind)) table.register({ ...kind, plural: crd.names.plural, namespaced: crd.scope === 'Namespaced' });
  }
}
