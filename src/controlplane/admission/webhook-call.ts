/**
 * One webhook call, shared by the mutating and validating dispatchers: the dry-run check against
 * sideEffects, the AdmissionReview round trip, warnings for the client, and what failurePolicy makes
 * of a failed call (kube-apiserver's callHook / callAttrMutatingHook and their callers).
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { AdmissionAttributes } from './admission.ts';
import type { MatchContext, WebhookInvocation } from './matching.ts';
import { prepareReview, readAdmissionResponse, type AdmissionResult } from './review.ts';
import { postReview, resolveEndpoint, type ServiceResolver } from './webhook-client.ts';
import type { WebhookAccessor } from './webhook-configuration.ts';
import { dryRunUnsupported, WebhookCallError, webhookInternalError } from './webhook-errors.ts';

/** What the dispatchers need: the store and registry for matching, how to reach services, where to log. */
export interface DispatchContext extends MatchContext {
  serviceResolver?: ServiceResolver;
  /** Operational messages (webhooks failing open, unsupported fields). */
  log: (message: string) => void;
  /** Webhooks already reported for having matchConditions, so each is reported once. */
  reportedMatchConditions: Set<string>;
  /** Bearer token this server presents to every webhook, so webhooks can tell it from forged callers. */
  bearerToken?: string;
}

/** Side-effect classes a webhook may be called with on a dry-run request. */
const DRY_RUN_SAFE = new Set(['None', 'NoneOnDryRun']);

/** Refuses a dry-run request for a webhook that has side effects (checked only for webhooks that match). */
function checkDryRun(hook: WebhookAccessor, attrs: AdmissionAttributes): void {
  if (!attrs.dryRun) return;
  const sideEffects = hook.spec.sideEffects;
  if (!sideEffects) throw new WebhookCallError(hook.spec.name, 'Webhook SideEffects is nil');
  if (!DRY_RUN_SAFE.has(sideEffects)) throw dryRunUnsupported(hook.spec.name);
}

/** Adds a webhook's warnings to the request's, skipping empty and repeated ones (as the warning recorder does). */
function recordWarnings(attrs: AdmissionAttributes, warnings: string[]): void {
  const sink = attrs.warnings;
  if (!sink) return;
  for (const w of warnings) if (w.trim() && !sink.includes(w)) sink.push(w);
}

function noteMatchConditions(ctx: DispatchContext, hook: WebhookAccessor): void {
  if (!hook.spec.matchConditions?.length || ctx.reportedMatchConditions.has(hook.uid)) return;
  ctx.reportedMatchConditions.add(hook.uid);
  ctx.log(`admission webhook ${JSON.stringify(hook.spec.name)}: matchConditions are not evaluated by this server; the webhook is called as if they all held`);
}

/**
 * Calls the webhook of `invocation` with `object` (the object as admitted so far) and returns its
 * checked answer. Throws WebhookCallError when the call failed, a StatusError for a dry-run refusal.
 */
export async function callWebhook(
  ctx: DispatchContext, invocation: WebhookInvocation, attrs: AdmissionAttributes, object: KubeObject | null,
): Promise<AdmissionResult> {
  const hook = invocation.webhook;
  noteMatchConditions(ctx, hook);
  checkDryRun(hook, attrs);
  const review = prepareReview(invocation, attrs, object);
  const endpoint = resolveEndpoint(hook.spec.name, hook.spec.clientConfig, ctx.serviceResolver);
  const text = await postReview({
    name: hook.spec.name, endpoint, caBundle: hook.spec.clientConfig?.caBundle, body: review.body,
    timeoutSeconds: hook.spec.timeoutSeconds ?? 10, token: ctx.bearerToken,
  });
  const result = readAdmissionResponse(hook.spec.name, review, hook.type === 'mutating', text);
  recordWarnings(attrs, result.warnings);
  return result;
}

/**
 * failurePolicy applied to an error of one webhook: undefined when the request goes on (Ignore),
 * otherwise the error the client gets (a call failure becomes 500 InternalError).
 */
export function failureOutcome(ctx: DispatchContext, hook: WebhookAccessor, err: unknown): unknown {
  if (!(err instanceof WebhookCallError)) return err;
  if (hook.spec.failurePolicy === 'Ignore') {
    ctx.log(`Failed calling webhook, failing open ${hook.spec.name}: ${err.message}`);
    return undefined;
  }
  ctx.log(`Failed calling webhook, failing closed ${hook.spec.name}: ${err.message}`);
  return webhookInternalError(err.message);
}
