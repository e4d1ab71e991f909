/**
 * admissionregistration.k8s.io/v1 webhook configurations as the dispatcher uses them: the API
 * shapes, the v1 defaults (applied here because the store keeps objects as written), and a cache of
 * the Mutating- and ValidatingWebhookConfigurations in the store that follows store events, the
 * way kube-apiserver's webhook source follows its informers.
 */
import { StatusError } from '../../apimachinery/errors.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import { selectorFromLabelSelector, type LabelSelector, type MetaLabelSelector } from '../../apimachinery/labels.ts';
import type { ChangeEvent, Store } from '../storage/store.ts';
import { webhookInternalError } from './webhook-errors.ts';

/** v1.RuleWithOperations. */
export interface WebhookRule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

/** v1.ServiceReference of a webhook's clientConfig. */
export interface WebhookServiceReference {
  namespace: string;
  name: string;
  path?: string;
  port?: number;
}

/** v1.WebhookClientConfig. */
export interface WebhookClientConfig {
  url?: string;
  service?: WebhookServiceReference;
  /** Base64 of PEM certificates that sign the webhook's serving certificate. */
  caBundle?: string;
}

/** One webhook of a configuration (v1.MutatingWebhook and v1.ValidatingWebhook together). */
export interface WebhookSpec {
  name: string;
  clientConfig: WebhookClientConfig;
  rules?: WebhookRule[];
  failurePolicy?: string;
  matchPolicy?: string;
  namespaceSelector?: MetaLabelSelector;
  objectSelector?: MetaLabelSelector;
  sideEffects?: string;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  /** Mutating webhooks only. */
  reinvocationPolicy?: string;
  matchConditions?: { name: string; expression: string }[];
}

/** Whether a webhook may change the object (mutating) or only admit or deny it (validating). */
export type WebhookType = 'mutating' | 'validating';

/** A selector parsed once per configuration version; a parse error is kept to report at match time. */
export interface ParsedSelector {
  selector?: LabelSelector;
  error?: StatusError;
}

/** One webhook ready for dispatch: its spec with v1 defaults, its identity and parsed selectors. */
export interface WebhookAccessor {
  /** `<configuration>/<webhook>/<index>`: identifies the webhook across reinvocation rounds. */
  uid: string;
  configurationName: string;
  type: WebhookType;
  spec: WebhookSpec;
  namespaceSelector: ParsedSelector;
  objectSelector: ParsedSelector;
}

/** The store names of the two configuration kinds. */
export const MUTATING_CONFIGURATIONS = 'admissionregistration.k8s.io/mutatingwebhookconfigurations';
export const VALIDATING_CONFIGURATIONS = 'admissionregistration.k8s.io/validatingwebhookconfigurations';

/** The largest timeoutSeconds v1 validation accepts. */
const MAX_TIMEOUT_SECONDS = 30;

/** v1 SetDefaults_ValidatingWebhook / SetDefaults_MutatingWebhook / SetDefaults_Rule / SetDefaults_ServiceReference. */
export function withDefaults(spec: WebhookSpec, type: WebhookType): WebhookSpec {
  const out: WebhookSpec = {
    ...spec,
    failurePolicy: spec.failurePolicy ?? 'Fail',
    matchPolicy: spec.matchPolicy ?? 'Equivalent',
    namespaceSelector: spec.namespaceSelector ?? {},
    objectSelector: spec.objectSelector ?? {},
    timeoutSeconds: Math.min(Math.max(spec.timeoutSeconds ?? 10, 1), MAX_TIMEOUT_SECONDS),
    rules: (spec.rules ?? []).map((r) => ({ ...r, scope: r.scope ?? '*' })),
  };
  if (type === 'mutating') out.reinvocationPolicy = spec.reinvocationPolicy ?? 'Never';
  const service = spec.clientConfig?.service;
  if (service) out.clientConfig = { ...spec.clientConfig, service: { ...service, port: service.port ?? 443 } };
  return out;
}

function parseSelector(selector: MetaLabelSelector | undefined): ParsedSelector {
  try {
    return { selector: selectorFromLabelSelector(selector ?? {}) };
  } catch (err) {
    // kube-apiserver answers a selector it cannot parse with 500 InternalError.
    return { error: webhookInternalError(err instanceof Error ? err.message : String(err)) };
  }
}

/** The webhooks of one configuration object, in their listed order. */
export function accessorsOf(config: KubeObject, type: WebhookType): WebhookAccessor[] {
  const webhooks: WebhookSpec[] = Array.isArray(config.webhooks) ? config.webhooks : [];
  const configurationName = config.metadata.name ?? '';
  return webhooks.map((raw, index) => {
    const spec = withDefaults(raw, type);
    return {
      uid: `${configurationName}/${spec.name}/${index}`, configurationName, type, spec,
      namespaceSelector: parseSelector(spec.namespaceSelector), objectSelector: parseSelector(spec.objectSelector),
    };
  });
}

/**
 * The webhooks of every configuration in the store, configurations sorted by name and webhooks
 * in their listed order (kube-apiserver's order). Rebuilt lazily after a configuration changes.
 */
export class WebhookConfigurationCache {
  private readonly store: Store;
  private readonly lists = new Map<string, WebhookAccessor[]>();
  private readonly unsubscribe: () => void;

  constructor(store: Store) {
    this.store = store;
    this.unsubscribe = store.subscribe((event: ChangeEvent) => {
      if (event.resource === MUTATING_CONFIGURATIONS || event.resource === VALIDATING_CONFIGURATIONS) this.lists.delete(event.resource);
    });
  }

  /** Mutating webhooks in call order. */
  mutating(): WebhookAccessor[] {
    return this.webhooks(MUTATING_CONFIGURATIONS, 'mutating');
  }

  /** Validating webhooks (called in parallel; the order only decides which error is reported first). */
  validating(): WebhookAccessor[] {
    return this.webhooks(VALIDATING_CONFIGURATIONS, 'validating');
  }

  private webhooks(resource: string, type: WebhookType): WebhookAccessor[] {
    let list = this.lists.get(resource);
    if (!list) {
      const configs = [...this.store.list(resource)].sort((a, b) => compareNames(a.metadata.name, b.metadata.name));
      list = configs.flatMap((c) => accessorsOf(c, type));
      this.lists.set(resource, list);
    }
    return list;
  }

  /** Stops following the store. */
  close(): void {
    this.unsubscribe();
  }
}

function compareNames(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
