/**
 * Validating webhooks, as kube-apiserver runs them (apiserver pkg/admission/plugin/webhook/
 * validating/dispatcher.go): every matching webhook is called at once; the request is refused
 * with the first error to come back (a denial, or a call failure under failurePolicy Fail).
 */
import type { AdmissionAttributes } from './admission.ts';
import { shouldCallHook, type WebhookInvocation } from './matching.ts';
import { callWebhook, failureOutcome, type DispatchContext } from './webhook-call.ts';
import type { WebhookAccessor } from './webhook-configuration.ts';
import { webhookDenial } from './webhook-errors.ts';

async function validateWith(ctx: DispatchContext, invocation: WebhookInvocation, attrs: AdmissionAttributes): Promise<unknown> {
  try {
    const result = await callWebhook(ctx, invocation, attrs, attrs.object);
    return result.allowed ? undefined : webhookDenial(invocation.webhook.spec.name, result.status);
  } catch (err) {
    return failureOutcome(ctx, invocation.webhook, err);
  }
}

/** Runs the validating webhooks over a request; throws the StatusError the client gets when refused. */
export async function dispatchValidating(ctx: DispatchContext, hooks: WebhookAccessor[], attrs: AdmissionAttributes): Promise<void> {
  // Matching runs first and in order: a matching error refuses the request before any call.
  const invocations = hooks.map((hook) => shouldCallHook(ctx, hook, attrs)).filter((i): i is WebhookInvocation => i !== undefined);
  if (!invocations.length) return;
  const errors: unknown[] = [];
  await Promise.all(invocations.map(async (invocation) => {
    const error = await validateWith(ctx, invocation, attrs);
    if (error !== undefined) errors.push(error);
  }));
  if (errors.length) throw errors[0];
}
