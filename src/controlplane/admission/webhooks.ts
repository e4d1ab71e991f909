/**
 * Webhook admission: the AdmissionChain that sends writes to the admission webhooks registered as
 * admissionregistration.k8s.io/v1 MutatingWebhookConfiguration and ValidatingWebhookConfiguration
 * objects, as kube-apiserver's MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins do.
 *
 * Matching is in ./matching.ts, the AdmissionReview in ./review.ts, the HTTPS call in
 * ./webhook-client.ts, the error shapes in ./webhook-errors.ts and the two dispatch orders in
 * ./mutating-dispatcher.ts and ./validating-dispatcher.ts.
 *
 * Left out, compared with kube-apiserver:
 * - matchConditions (CEL) are not evaluated; a webhook that has them is called as if they held
 *   (reported once per webhook through `log`);
 * - conversion between versions for matchPolicy Equivalent only rewrites apiVersion (a CRD's
 *   conversion strategy None); there are no conversion webhooks;
 * - a patched built-in object is not decoded into its Go type between webhooks (unknown fields are
 *   dropped only by the normalisation admitWrite runs after all mutating webhooks), nor defaulted;
 * - reinvocation covers webhooks only: in-process admission plugins are not run a second time;
 * - no metrics, audit annotations or static (manifest) webhook configurations; no authentication
 *   to webhooks (kube-apiserver's --admission-control-config-file kubeconfigs);
 * - a `clientConfig.service` is reached through the Service's Endpoints (kube-apiserver's
 *   --enable-aggregator-routing), trying the next ready address when one refuses the connection
 *   (./endpoints-resolver.ts).
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { Registry } from '../registry/registry.ts';
import type { Store } from '../storage/store.ts';
import type { AdmissionAttributes, AdmissionChain } from './admission.ts';
import { isExemptFromWebhooks } from './matching.ts';
import { dispatchMutating } from './mutating-dispatcher.ts';
import { dispatchValidating } from './validating-dispatcher.ts';
import type { DispatchContext } from './webhook-call.ts';
import type { ServiceResolver } from './webhook-client.ts';
import { WebhookConfigurationCache } from './webhook-configuration.ts';
import { endpointsServiceResolver } from './endpoints-resolver.ts';

export type { ServiceAddress, ServiceResolver } from './webhook-client.ts';

/** How webhook admission is set up beyond the server's store and registry. */
export interface WebhookAdmissionSettings {
  /**
   * Maps a webhook's `clientConfig.service` to the addresses this process dials (for example
   * `() => ({ host: '127.0.0.1', port })` for a webhook server running in the test). Without it,
   * the Service's ready Endpoints in this server's store (./endpoints-resolver.ts).
   * The serving certificate must still be valid for `<name>.<namespace>.svc`.
   */
  serviceResolver?: ServiceResolver;
  /** Operational messages (webhooks failing open or closed, unsupported fields); dropped by default. */
  log?: (message: string) => void;
  /**
   * Bearer token sent with every AdmissionReview, as kube-apiserver sends the credentials of its
   * admission kubeconfig (`--admission-control-config-file`); webhooks check it to refuse forged reviews.
   */
  bearerToken?: string;
}

/** What webhook admission reads: configurations and namespaces from the store, resource types from the registry. */
export interface WebhookAdmissionParts {
  store: Store;
  registry: Registry;
}

/** The admission webhook dispatcher. */
export class WebhookAdmission implements AdmissionChain {
  private readonly configurations: WebhookConfigurationCache;
  private readonly ctx: DispatchContext;

  constructor(parts: WebhookAdmissionParts, settings: WebhookAdmissionSettings = {}) {
    this.configurations = new WebhookConfigurationCache(parts.store);
    this.ctx = {
      store: parts.store, registry: parts.registry, serviceResolver: settings.serviceResolver ?? endpointsServiceResolver(parts.store),
      log: settings.log ?? (() => undefined), reportedMatchConditions: new Set(), bearerToken: settings.bearerToken,
    };
  }

  /** Mutating webhooks in series (with reinvocation); returns the object they leave. */
  async mutate(attrs: AdmissionAttributes): Promise<KubeObject | null> {
    if (isExemptFromWebhooks(attrs)) return attrs.object;
    return dispatchMutating(this.ctx, this.configurations.mutating(), attrs);
  }

  /** Validating webhooks in parallel; throws the client's StatusError when one refuses. */
  async validate(attrs: AdmissionAttributes): Promise<void> {
    if (isExemptFromWebhooks(attrs)) return;
    await dispatchValidating(this.ctx, this.configurations.validating(), attrs);
  }

  /** Stops following configuration changes in the store. */
  close(): void {
    this.configurations.close();
  }
}

/**
 * A factory for `startControlPlane({ admission })`: webhook admission with `settings`, built once
 * the server's store and registry exist.
 */
export function webhookAdmission(settings: WebhookAdmissionSettings = {}): (parts: WebhookAdmissionParts) => WebhookAdmission {
  return (parts) => new WebhookAdmission(parts, settings);
}
