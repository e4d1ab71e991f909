/**
 * The Session reconciler: one pass of the session state machine.
 *
 *   being deleted ───────► finalize: remove Deployment, Service and route, phase Terminated, drop the finalizer
 *   otherwise, after ensuring the finalizer and applying the time limits:
 *   spec.state terminated ► terminate: remove Deployment, Service and route; Terminated (terminal)
 *   spec or template bad ► fail: Failed with the reason; recovers when the cause is fixed
 *   spec.state hibernated ► hibernate: scale to zero, keep Service, route and home; Hibernated once no pod remains
 *   spec.state running ──► run: home claim, Deployment, Service, route; Running once a pod is Ready
 *
 * A running session past its idle or max-duration deadline has its spec.state changed first
 * (hibernated or terminated) and takes that branch in the same pass. Nothing is written when the
 * world already matches: children are applied only when missing or drifted, status only when it
 * changes. The home claim is never deleted. A write the API server keeps refusing is retried with
 * back-off and reported on the session (./refusals.ts).
 */
import type { Logger } from 'pino';
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { EventRecorder } from '../../runtime/event-recorder.ts';
import { mergePatch } from '../../runtime/patch.ts';
import type { Reconciler, Request, Result } from '../../runtime/reconcile.ts';
import type { FreshClient } from '../fresh-client.ts';
import { DeploymentKind, PodKind, ServiceKind, SessionKind } from '../kinds.ts';
import type { ControllerSettings } from '../settings.ts';
import { ChildConflictError, ensureChild, ensureClaim, observedChild, removeChildren, type EnsuredChild } from './child-writer.ts';
import { desiredHomeClaim, desiredService, usesHome, type ChildInputs } from './children.ts';
import { desiredDeployment } from './deployment.ts';
import type { HibernationReason, SessionMetrics } from './metrics.ts';
import { SESSION_FINALIZER, selectorLabels, workloadName } from '../../apis/stream/v1alpha1/naming.ts';
import { objectKeyOf, type ObjectIndex } from '../object-index.ts';
import { checkPrerequisites } from './prerequisites.ts';
import { RefusalReporter, refusalMessage } from './refusals.ts';
import { desiredRoute, routeKindOf, sessionUrl } from './routes.ts';
import { nextStatus, statusPatch, type HomeFact, type PhaseVerdict, type StatusFacts } from './status.ts';
import { chooseTemplate } from './template-revision.ts';
import { limitDecision, type LimitReason } from './timing.ts';
import { TransitionReporter } from './transitions.ts';
import { observeWorkload, type WorkloadObservation } from './workload.ts';
import { desiredState } from '../../apis/stream/v1alpha1/desired-state.ts';

/** What the Session reconciler works with. */
export interface SessionReconcilerDeps {
  client: FreshClient;
  /** Pods by `namespace/session name`. */
  pods: ObjectIndex;
  clock: Clock;
  recorder: EventRecorder;
  metrics: SessionMetrics;
  settings: ControllerSettings;
  logger: Logger;
}

/** Why a session is being stopped by the controller itself, if it is. */
interface LimitStop {
  reason: LimitReason;
  message: string;
}

/** What the status says about the template: valid or not, and whether a newer one waits. */
type TemplateFacts = Pick<StatusFacts, 'template' | 'templateUpdate'>;

/** How long to wait before looking again at a child name held by another owner. */
const CONFLICT_RETRY_MS = 30_000;

/** See the module comment. */
export class SessionReconciler implements Reconciler {
  readonly #d: SessionReconcilerDeps;
  readonly #report: TransitionReporter;
  readonly #refusals: RefusalReporter;

  constructor(deps: SessionReconcilerDeps) {
    this.#d = deps;
    this.#report = new TransitionReporter(deps.recorder, deps.metrics, deps.clock);
    this.#refusals = new RefusalReporter(deps);
  }

  async reconcile(req: Request): Promise<Result | void> {
    let result: Result | void;
    try {
      result = await this.#reconcileOnce(req);
    } catch (err) {
      const refusal = refusalMessage(err);
      const session = refusal === undefined ? undefined : this.#d.client.get<Session>(SessionKind, req);
      if (session && refusal !== undefined) await this.#refusals.refused(session, refusal);
      throw err;
    }
    await this.#refusals.succeeded(this.#d.client.get<Session>(SessionKind, req));
    return result;
  }

  async #reconcileOnce(req: Request): Promise<Result | void> {
    const found = this.#d.client.get<Session>(SessionKind, req);
    if (!found) return;
    if (found.metadata.deletionTimestamp) return this.#finalize(found);
    const session = await this.#ensureFinalizer(found);
    if (session.status?.phase === 'Terminated') return;
    const { session: current, stop } = await this.#enforceLimits(session);
    const state = desiredState(current);
    if (state === 'terminated') return this.#terminate(current, stop);
    // The template revision the workload runs stays until the next start (template-revision.ts).
    const deployment = observedChild(this.#d.client, current, DeploymentKind, workloadName(current));
    const choice = chooseTemplate(current, checkPrerequisites(this.#d.client, current), deployment, state === 'hibernated');
    if (!choice.ok) return this.#fail(current, choice);
    const inputs: ChildInputs = { session: current, template: choice.template, settings: this.#d.settings };
    const facts: TemplateFacts = { template: choice.fact, templateUpdate: choice.update };
    return this.#converge(inputs, facts, state === 'hibernated' ? stop?.reason ?? 'user' : undefined);
  }

  /** Runs or hibernates (`hibernation` says why); a child name held by someone else fails the session. */
  async #converge(inputs: ChildInputs, facts: TemplateFacts, hibernation: HibernationReason | undefined): Promise<Result | void> {
    try {
      return hibernation ? await this.#hibernate(inputs, facts, hibernation) : await this.#run(inputs, facts);
    } catch (err) {
      if (!(err instanceof ChildConflictError)) throw err;
      await this.#fail(inputs.session, { reason: 'ResourceConflict', message: err.message, templateProblem: false });
      return { requeueAfterMs: CONFLICT_RETRY_MS };
    }
  }

  // ---- steps -------------------------------------------------------------------------------

  async #ensureFinalizer(session: Session): Promise<Session> {
    const finalizers = session.metadata.finalizers ?? [];
    if (finalizers.includes(SESSION_FINALIZER)) return session;
    const patch = { metadata: { finalizers: [...finalizers, SESSION_FINALIZER], resourceVersion: session.metadata.resourceVersion } };
    return this.#d.client.patch<Session>(session, mergePatch(patch));
  }

  /** Applies the idle and max-duration limits by changing spec.state, as a user would. */
  async #enforceLimits(session: Session): Promise<{ session: Session; stop?: LimitStop }> {
    const decision = limitDecision(session, this.#d.settings, this.#d.clock.now());
    if (decision.action === 'none') return { session };
    const state = decision.action === 'hibernate' ? 'hibernated' : 'terminated';
    // The resourceVersion makes this a precondition: a concurrent change by the user wins and we look again.
    const patch = { metadata: { resourceVersion: session.metadata.resourceVersion }, spec: { state } };
    const updated = await this.#d.client.patch<Session>(session, mergePatch(patch));
    this.#d.logger.info({ session: session.metadata.name, namespace: session.metadata.namespace, state, reason: decision.reason }, 'Stopped session at its time limit');
    return { session: updated, stop: { reason: decision.reason, message: decision.message } };
  }

  /** Deletion: the children go, the session says Terminated (watchers see why it ends), then the finalizer goes. */
  async #finalize(found: Session): Promise<void> {
    if (!(found.metadata.finalizers ?? []).includes(SESSION_FINALIZER)) return;
    await this.#removeWorkload(found);
    const verdict: PhaseVerdict = { phase: 'Terminated', reason: 'Deleted', message: 'the Session is being deleted' };
    const session = await this.#writeStatus(found, verdict, { template: 'unknown', home: 'unknown' });
    const finalizers = (session.metadata.finalizers ?? []).filter((f) => f !== SESSION_FINALIZER);
    await this.#d.client.patch(session, mergePatch({ metadata: { finalizers, resourceVersion: session.metadata.resourceVersion } }));
    this.#report.forget(session.metadata.uid);
  }

  async #terminate(session: Session, stop: LimitStop | undefined): Promise<void> {
    await this.#removeWorkload(session);
    const verdict: PhaseVerdict = stop
      ? { phase: 'Terminated', reason: 'MaxDurationExceeded', message: stop.message }
      : { phase: 'Terminated', reason: 'TerminationRequested', message: 'spec.state is terminated' };
    await this.#writeStatus(session, verdict, { template: 'unknown', home: 'unknown' });
  }

  async #fail(session: Session, problem: { reason: string; message: string; templateProblem: boolean }): Promise<void> {
    const template = problem.templateProblem ? { reason: problem.reason, message: problem.message } : 'unknown';
    await this.#writeStatus(session, { phase: 'Failed', reason: problem.reason, message: problem.message }, { template, home: 'unknown' });
  }

  async #hibernate(inputs: ChildInputs, facts: TemplateFacts, reason: HibernationReason): Promise<void> {
    const { session } = inputs;
    const home = await this.#ensureHome(session);
    const deployment = await this.#ensureWorkload(inputs, 0);
    if (deployment.before && (deployment.before.spec?.replicas ?? 1) > 0) this.#report.scaledDown(session, reason);
    const workload = this.#observe(session, deployment);
    const verdict: PhaseVerdict = workload.podsRemain ? 'unchanged' : { phase: 'Hibernated' };
    await this.#writeStatus(session, verdict, { url: sessionUrl(inputs), ...facts, home });
  }

  async #run(inputs: ChildInputs, facts: TemplateFacts): Promise<Result | void> {
    const { session } = inputs;
    const home = await this.#ensureHome(session);
    const deployment = await this.#ensureWorkload(inputs, 1);
    if (deployment.before?.spec?.replicas === 0 && session.status?.phase === 'Hibernated') this.#report.scaledUp(session);
    const workload = this.#observe(session, deployment);
    const podName = workload.readyPod ?? workload.failure?.pod;
    const updated = await this.#writeStatus(session, runVerdict(session, workload), { url: sessionUrl(inputs), podName, ...facts, home });
    return this.#requeueAtNextLimit(updated);
  }

  // ---- helpers of the steps ----------------------------------------------------------------

  /** Creates the user's home claim when missing; reports whether it is bound. */
  async #ensureHome(session: Session): Promise<HomeFact> {
    if (!usesHome(session)) return 'not-requested';
    const claim = await ensureClaim(this.#d.client, desiredHomeClaim(session, this.#d.settings.home));
    return claim?.status?.phase === 'Bound' ? 'bound' : 'pending';
  }

  /** Applies the Deployment (with `replicas`), the Service and the route where they drifted; returns the Deployment. */
  async #ensureWorkload(inputs: ChildInputs, replicas: 0 | 1): Promise<EnsuredChild> {
    const { client } = this.#d;
    // Independent objects: written in parallel, so a new session costs one round trip instead of three.
    const [deployment, service, route] = await Promise.all([
      ensureChild(client, inputs.session, desiredDeployment(inputs, replicas)),
      ensureChild(client, inputs.session, desiredService(inputs)),
      ensureChild(client, inputs.session, desiredRoute(inputs)),
    ]);
    this.#report.childrenWritten(inputs.session, [deployment, service, route]);
    return deployment;
  }

  async #removeWorkload(session: Session): Promise<void> {
    const kinds = [DeploymentKind, ServiceKind, routeKindOf(this.#d.settings.route)];
    await removeChildren(this.#d.client, session, kinds, workloadName(session));
  }

  #observe(session: Session, deployment: EnsuredChild): WorkloadObservation {
    const selector = Object.entries(selectorLabels(session));
    const pods = this.#d.pods.lookup(objectKeyOf(session))
      .map((key) => this.#d.client.get(PodKind, key))
      .filter((pod): pod is KubeObject => pod !== undefined && selector.every(([k, v]) => pod.metadata.labels?.[k] === v));
    return observeWorkload(deployment.now, pods);
  }

  /** Writes the status `verdict` calls for, if it differs; returns the session as it now is. */
  async #writeStatus(session: Session, verdict: PhaseVerdict, facts: Omit<StatusFacts, 'now'>): Promise<Session> {
    const patch = statusPatch(session.status, nextStatus(session, verdict, { ...facts, now: this.#d.clock.now() }));
    if (!patch) return session;
    const updated = await this.#d.client.patchStatus<Session>(session, mergePatch({ status: patch }));
    this.#report.phaseChanged(session, updated);
    return updated;
  }

  /** Asks to be called back exactly when the session's next time limit falls due. */
  #requeueAtNextLimit(session: Session): Result | void {
    const now = this.#d.clock.now();
    const decision = limitDecision(session, this.#d.settings, now);
    if (decision.action !== 'none') return { requeueAfterMs: 1 };
    if (decision.nextCheckAt !== undefined) return { requeueAfterMs: Math.max(1, decision.nextCheckAt - now) };
  }
}

/**
 * The phase a running session reports: Running once ready, Failed when its pod cannot start,
 * Pending when it was Running or Failed and is neither now; otherwise (new, or waking) nothing
 * changes until it is ready.
 */
export function runVerdict(session: Session, workload: WorkloadObservation): PhaseVerdict {
  if (workload.ready) return { phase: 'Running' };
  if (workload.failure) return { phase: 'Failed', reason: workload.failure.reason, message: workload.failure.message };
  const current = session.status?.phase;
  if (current === 'Running') return { phase: 'Pending', reason: 'PodNotReady', message: 'The session pod is not ready' };
  if (current === 'Failed') return { phase: 'Pending', reason: 'Recovering', message: 'The cause of the failure is gone; waiting for the pod to become ready' };
  return 'unchanged';
}
