/**
 * The admission handlers, wired to the informer cache: session defaults (mutating), session rules
 * and quota (validating), template rules (validating), and NodeOperation rules (validating,
 * ./nodeoperation.ts). Building them registers the usage index and the reservations as handlers
 * of the Session informer.
 */
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { SessionQuota } from '../apis/stream/v1alpha1/sessionquota.ts';
import type { Template } from '../apis/stream/v1alpha1/template.ts';
import type { Informer, InformerCache } from '../runtime/cache.ts';
import type { KubeClient } from '../runtime/client.ts';
import { allow, deny, type AdmissionDecision, type AdmissionRequest } from './admission-review.ts';
import { WEBHOOKS } from './configurations.ts';
import { registerWebhookKinds, SessionKind, SessionQuotaKind, TemplateKind } from './kinds.ts';
import { nodeExistsVia, nodeOperationAdmissionHandler } from './nodeoperation.ts';
import type { WebhookMetrics } from './metrics.ts';
import { QuotaReservations } from './reservations.ts';
import { SessionDefaulter, type SessionDefaultSettings } from './session-defaults.ts';
import { SessionQuotaCheck, type SessionQuotaSettings } from './session-quota.ts';
import { isBeingDeleted, validateSessionAdmission } from './session-validation.ts';
import { TemplateLookup } from './template-lookup.ts';
import type { GroupTrust } from './user-groups.ts';
import { validateTemplateAdmission } from './template-validation.ts';
import { SessionUsageIndex } from '../apis/stream/v1alpha1/quota-usage.ts';

/** One webhook: the path it is served at and its decision. */
export interface AdmissionHandler {
  path: string;
  handle(request: AdmissionRequest): AdmissionDecision | Promise<AdmissionDecision>;
}

/** Quota settings plus how long a reservation waits for the informer. */
export interface QuotaOptions extends SessionQuotaSettings {
  /** Reservation timeout (default 30 s); see ./reservations.ts. */
  reservationTimeoutMs?: number;
}

/** What the handlers are built from. */
export interface AdmissionHandlerOptions {
  cache: InformerCache;
  client: KubeClient;
  metrics?: WebhookMetrics;
  defaults?: SessionDefaultSettings;
  quota?: QuotaOptions;
}

/** The handlers, the informers they read (to wait for) and the reservations (for metrics). */
export interface AdmissionHandlers {
  handlers: AdmissionHandler[];
  informers: Informer[];
  reservations: QuotaReservations;
  usage: SessionUsageIndex;
}

function sessionNamespace(request: AdmissionRequest, session: Session): string {
  return request.namespace || session.metadata.namespace || '';
}

/**
 * Validation first, quota second: a write refused for its content never holds a reservation. A
 * session being deleted is not judged by quota: it is leaving, and its finalizer must be able to go.
 */
function sessionValidation(templates: TemplateLookup, quota: SessionQuotaCheck, trust: GroupTrust): AdmissionHandler['handle'] {
  return async (request) => {
    const session = request.object as Session | undefined;
    if ((request.operation !== 'CREATE' && request.operation !== 'UPDATE') || !session) return allow();
    const namespace = sessionNamespace(request, session);
    const name = session.spec?.template ?? '';
    const template = request.operation === 'CREATE' ? await templates.find(namespace, name) : templates.cached(namespace, name);
    const problem = validateSessionAdmission(request, template, trust)
      ?? (isBeingDeleted(request.oldObject as Session | undefined) ? undefined : quota.admit(request, template));
    return problem ? deny(problem) : allow();
  };
}

/** Builds the handlers; see the module comment. */
export function admissionHandlers(opts: AdmissionHandlerOptions): AdmissionHandlers {
  const { cache, client, metrics } = opts;
  registerWebhookKinds(client.resources);
  const informers = [cache.getInformer(SessionKind), cache.getInformer(TemplateKind), cache.getInformer(SessionQuotaKind)];
  const usage = new SessionUsageIndex((namespace, name) => cache.get<Template>(TemplateKind, { namespace, name })?.spec?.defaultResources);
  const reservations = new QuotaReservations({ timeoutMs: opts.quota?.reservationTimeoutMs });
  // The index first: when an event releases a reservation, the session is already counted.
  informers[0].addHandler(usage);
  informers[0].addHandler(reservations);
  const templates = new TemplateLookup(cache, client);
  const quota = new SessionQuotaCheck({
    quotas: () => cache.list<SessionQuota>(SessionQuotaKind), usage, reservations,
    onViolation: (v) => metrics?.quotaDenials.inc({ limit: v.limit }),
  }, opts.quota);
  const defaulter = new SessionDefaulter(templates, opts.defaults, opts.quota);
  const handlers: AdmissionHandler[] = [
    { path: WEBHOOKS.sessionDefaults.path, handle: (r) => defaulter.handle(r) },
    { path: WEBHOOKS.sessionValidation.path, handle: sessionValidation(templates, quota, opts.quota ?? {}) },
    { path: WEBHOOKS.templateValidation.path, handle: validateTemplateAdmission },
    nodeOperationAdmissionHandler(nodeExistsVia(client)),
  ];
  return { handlers, informers, reservations, usage };
}
