/**
 * Session status: from what a reconcile observed to the status it writes, and from there to the
 * smallest merge patch, or none at all when nothing changed.
 *
 * Status is written when a step completes or fails, never to say that work is in progress: a new
 * session gets its first status when its pod is Ready (Running), a hibernating one keeps
 * Running until its last pod is gone (Hibernated), a waking one keeps Hibernated until its pod is
 * Ready. So each lifecycle step costs one status write. Pending is written when a session that
 * had a phase stops being ready (its pod was lost, or it recovers from Failed).
 *
 * The controller owns every status field except lastActivity and resourceUsage, which the API
 * writes: patches never mention those.
 */
import type { Condition } from '../../apis/metav1.ts';
import { SessionConditionTypes, type Session, type SessionPhase, type SessionStatus } from '../../apis/stream/v1alpha1/session.ts';
import { deepEqual } from '../../apimachinery/object.ts';
import { kubeTime } from '../status-format.ts';
import type { TemplateUpdateFact } from './template-revision.ts';

/** What a reconcile concluded about the phase: a phase to report, or leave the status as it is. */
export type PhaseVerdict = { phase: SessionPhase; reason?: string; message?: string } | 'unchanged';

/** What the reconcile learned about the template: valid, a problem, or not looked at. */
export type TemplateFact = 'valid' | 'unknown' | { reason: string; message: string };

/** What the reconcile learned about the home volume. */
export type HomeFact = 'bound' | 'pending' | 'not-requested' | 'unknown';

/** Everything status is computed from besides the verdict. */
export interface StatusFacts {
  url?: string;
  podName?: string;
  template: TemplateFact;
  /** Whether a changed Template waits for the next start; unknown (the default) keeps the condition as it was. */
  templateUpdate?: TemplateUpdateFact;
  home: HomeFact;
  /** Epoch ms. */
  now: number;
}

/** The status fields the controller owns. */
export const OWNED_STATUS_FIELDS = [
  'phase', 'podName', 'url', 'startedAt', 'hibernatedAt', 'conditions', 'observedGeneration', 'reason', 'message',
] as const;

type OwnedStatus = Pick<SessionStatus, (typeof OWNED_STATUS_FIELDS)[number]>;

/** `next` keeping the previous lastTransitionTime when the condition's status did not change. */
function condition(previous: Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>, now: number): Condition {
  const old = previous?.find((c) => c.type === next.type);
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : kubeTime(now);
  return { ...next, lastTransitionTime };
}

function readyCondition(phase: SessionPhase, reason: string | undefined, message: string | undefined, generation: number | undefined) {
  const running = phase === 'Running';
  return {
    type: SessionConditionTypes.Ready, status: running ? 'True' as const : 'False' as const,
    reason: running ? 'SessionRunning' : reason ?? phase, message: running ? '' : message ?? '', observedGeneration: generation,
  };
}

function templateCondition(fact: TemplateFact, generation: number | undefined) {
  if (fact === 'unknown') return undefined;
  if (fact === 'valid') return { type: SessionConditionTypes.TemplateValid, status: 'True' as const, reason: 'TemplateValid', message: '', observedGeneration: generation };
  return { type: SessionConditionTypes.TemplateValid, status: 'False' as const, reason: fact.reason, message: fact.message, observedGeneration: generation };
}

function templateUpdateCondition(fact: TemplateUpdateFact | undefined, generation: number | undefined) {
  if (fact === undefined || fact === 'unknown') return undefined;
  const type = SessionConditionTypes.TemplateUpdateAvailable;
  if (fact.available) return { type, status: 'True' as const, reason: 'TemplateChanged', message: fact.message, observedGeneration: generation };
  return { type, status: 'False' as const, reason: fact.reason, message: '', observedGeneration: generation };
}

function homeCondition(fact: HomeFact, generation: number | undefined) {
  const type = SessionConditionTypes.HomeVolumeBound;
  switch (fact) {
    case 'bound': return { type, status: 'True' as const, reason: 'Bound', message: '', observedGeneration: generation };
    case 'pending': return { type, status: 'False' as const, reason: 'Pending', message: 'The home volume claim is not bound yet', observedGeneration: generation };
    case 'not-requested': return { type, status: 'True' as const, reason: 'NotRequested', message: 'persistentHome is false', observedGeneration: generation };
    default: return undefined;
  }
}

function conditions(session: Session, verdict: Exclude<PhaseVerdict, 'unchanged'>, facts: StatusFacts): Condition[] {
  const previous = session.status?.conditions;
  const generation = session.metadata.generation;
  const wanted = [
    readyCondition(verdict.phase, verdict.reason, verdict.message, generation),
    templateCondition(facts.template, generation) ?? previous?.find((c) => c.type === SessionConditionTypes.TemplateValid),
    homeCondition(facts.home, generation) ?? previous?.find((c) => c.type === SessionConditionTypes.HomeVolumeBound),
    templateUpdateCondition(facts.templateUpdate, generation) ?? previous?.find((c) => c.type === SessionConditionTypes.TemplateUpdateAvailable),
  ];
  return wanted.filter((c) => c !== undefined).map((c) => ('lastTransitionTime' in c ? c : condition(previous, c, facts.now)));
}

/** The status the controller wants after `verdict`; undefined when the verdict leaves it alone. */
export function nextStatus(session: Session, verdict: PhaseVerdict, facts: StatusFacts): OwnedStatus | undefined {
  if (verdict === 'unchanged') return undefined;
  const current = session.status ?? {};
  const { phase } = verdict;
  const entering = (p: SessionPhase): boolean => phase === p && current.phase !== p;
  return {
    phase,
    podName: phase === 'Running' || phase === 'Failed' ? facts.podName : undefined,
    url: phase === 'Terminated' ? undefined : facts.url ?? current.url,
    startedAt: entering('Running') ? kubeTime(facts.now) : current.startedAt,
    hibernatedAt: entering('Hibernated') ? kubeTime(facts.now) : current.hibernatedAt,
    conditions: conditions(session, verdict, facts),
    observedGeneration: session.metadata.generation,
    reason: verdict.reason,
    message: verdict.message,
  };
}

/** The merge patch turning `current` into `next` for the owned fields (null clears one); undefined when equal. */
export function statusPatch(current: SessionStatus | undefined, next: OwnedStatus | undefined): Record<string, unknown> | undefined {
  if (!next) return undefined;
  const patch: Record<string, unknown> = {};
  for (const field of OWNED_STATUS_FIELDS) {
    const now = next[field];
    const before = current?.[field];
    if (now === undefined && before === undefined) continue;
    if (!deepEqual(now, before)) patch[field] = now ?? null;
  }
  return Object.keys(patch).length ? patch : undefined;
}
