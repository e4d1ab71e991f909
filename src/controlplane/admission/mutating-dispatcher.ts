/**
 * Mutating webhooks, as kube-apiserver runs them (apiserver pkg/admission/plugin/webhook/mutating/
 * dispatcher.go, reinvocationcontext.go, pkg/admission/reinvocation.go): in series, in order, each
 * seeing the object as the ones before it left it, their JSON patches applied in turn.
 *
 * Reinvocation: when a webhook changes the object, every webhook with reinvocationPolicy IfNeeded
 * called before it is due again. After the first round, if anything changed, a second and last
 * round calls only those webhooks (and only if they still match). A webhook that did not match in
 * the first round is never called in the second.
 */
import type { StatusError } from '../../apimachinery/errors.ts';
import { deepEqual, type KubeObject } from '../../apimachinery/object.ts';
import { applyJsonPatch } from '../patch/jsonpatch.ts';
import type { AdmissionAttributes } from './admission.ts';
import { requestKind, shouldCallHook, type WebhookInvocation } from './matching.ts';
import { atVersion, type AdmissionResult } from './review.ts';
import { callWebhook, failureOutcome, type DispatchContext } from './webhook-call.ts';
import type { WebhookAccessor } from './webhook-configuration.ts';
import { WebhookCallError, webhookDenial, webhookInternalError } from './webhook-errors.ts';

/** Which IfNeeded webhooks ran and which are due again (webhookReinvokeContext). */
class ReinvocationState {
  /** Set once any webhook changed the object: a second round follows. */
  shouldReinvoke = false;
  private previouslyInvoked = new Set<string>();
  private readonly due = new Set<string>();

  /** A webhook changed the object: every IfNeeded webhook called so far is due again. */
  objectChanged(): void {
    this.shouldReinvoke = true;
    for (const uid of this.previouslyInvoked) this.due.add(uid);
    this.previouslyInvoked = new Set();
  }

  invoked(hook: WebhookAccessor): void {
    if (hook.spec.reinvocationPolicy === 'IfNeeded') this.previouslyInvoked.add(hook.uid);
  }

  isDue(hook: WebhookAccessor): boolean {
    return this.due.has(hook.uid);
  }
}

function decodeOperations(name: string, patch: Buffer): unknown[] {
  let ops: unknown;
  try {
    ops = JSON.parse(patch.toString('utf8'));
  } catch (err) {
    throw new WebhookCallError(name, `received undecodable patch in webhook response: ${(err as Error).message}`);
  }
  if (!Array.isArray(ops)) {
    const kind = ops === null ? 'null' : typeof ops === 'object' ? 'object' : typeof ops;
    throw new WebhookCallError(name, `received undecodable patch in webhook response: json: cannot unmarshal ${kind} into Go value of type jsonpatch.Patch`);
  }
  return ops;
}

/** One line saying why a webhook's patch did not apply (the JSON patch library's report is multi-line). */
function patchFailure(err: unknown): string {
  const detail = String((err as Error).cause ?? (err as Error).message);
  const path = /"path": ("[^"]*")/.exec(detail)?.[1];
  const first = detail.split('\n')[0];
  return path ? `${first}: ${path}` : first;
}

function applyPatch(invocation: WebhookInvocation, ops: unknown[], object: KubeObject): KubeObject {
  try {
    return applyJsonPatch(atVersion(object, invocation.kind), ops) as KubeObject;
  } catch (err) {
    throw webhookInternalError(patchFailure(err));
  }
}

/** The object after a webhook's answer, and whether the answer changed it. */
function patched(
  invocation: WebhookInvocation, attrs: AdmissionAttributes, result: AdmissionResult, object: KubeObject | null,
): { object: KubeObject | null; changed: boolean } {
  const name = invocation.webhook.spec.name;
  if (!result.allowed) throw webhookDenial(name, result.status);
  if (!result.patch?.length) return { object, changed: false };
  const ops = decodeOperations(name, result.patch);
  if (!ops.length) return { object, changed: false };
  if (!object) {
    throw webhookInternalError(`admission webhook ${JSON.stringify(name)} attempted to modify the object, which is not supported for this operation`);
  }
  if (result.patchType !== 'JSONPatch') throw new WebhookCallError(name, `unsupported patch type ${JSON.stringify(result.patchType)}`);
  const next = atVersion(applyPatch(invocation, ops, object), requestKind(attrs.resource, attrs.subresource))!;
  return { object: next, changed: !deepEqual(object, next) };
}

interface Round {
  object: KubeObject | null;
  reinvoke: boolean;
}

async function runHook(
  ctx: DispatchContext, invocation: WebhookInvocation, attrs: AdmissionAttributes, round: Round, state: ReinvocationState,
): Promise<void> {
  let error: unknown;
  try {
    const result = await callWebhook(ctx, invocation, attrs, round.object);
    const outcome = patched(invocation, attrs, result, round.object);
    if (outcome.changed) {
      round.object = outcome.object;
      state.objectChanged();
    }
  } catch (err) {
    error = err;
  }
  state.invoked(invocation.webhook);
  if (error === undefined) return;
  const outcome = failureOutcome(ctx, invocation.webhook, error);
  if (outcome !== undefined) throw outcome as StatusError;
}

async function runRound(
  ctx: DispatchContext, hooks: WebhookAccessor[], attrs: AdmissionAttributes, round: Round, state: ReinvocationState,
): Promise<void> {
  for (const hook of hooks) {
    const invocation = shouldCallHook(ctx, hook, { ...attrs, object: round.object });
    if (!invocation) continue;
    if (round.reinvoke && !state.isDue(hook)) continue;
    await runHook(ctx, invocation, attrs, round, state);
  }
}

/**
 * Runs the mutating webhooks over a request and returns the object they leave (the same object
 * when none changed it). Throws the StatusError the client gets when one denies or fails closed.
 */
export async function dispatchMutating(
  ctx: DispatchContext, hooks: WebhookAccessor[], attrs: AdmissionAttributes,
): Promise<KubeObject | null> {
  const state = new ReinvocationState();
  const round: Round = { object: attrs.object, reinvoke: false };
  await runRound(ctx, hooks, attrs, round, state);
  if (state.shouldReinvoke) {
    round.reinvoke = true;
    await runRound(ctx, hooks, attrs, round, state);
  }
  return round.object;
}
