/**
 * What the Session controller does when the API server keeps refusing one of its writes (an
 * admission webhook denies it, validation rejects it): it still retries with back-off, as every
 * failed reconcile does, but it no longer does so silently. The refusal is put on the object, where
 * a user and `kubectl describe` see it: a Warning Event `WriteRefused` (aggregated by the recorder,
 * so repeats bump its count) and the condition `Reconciled=False` with the refusal as its message.
 * The condition goes with the next reconcile that succeeds.
 *
 * Transient failures (conflicts, throttling, server errors, timeouts) are not refusals: the next
 * attempt is expected to pass, and reporting them would only add noise and writes.
 */
import type { Logger } from 'pino';
import { SessionConditionTypes, type Session } from '../../apis/stream/v1alpha1/session.ts';
import { toApiError } from '../../runtime/api-error.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { EventRecorder } from '../../runtime/event-recorder.ts';
import { mergePatch } from '../../runtime/patch.ts';
import type { FreshClient } from '../fresh-client.ts';
import { kubeTime } from '../status-format.ts';

/** The Event reason and condition reason of a refused write. */
export const WRITE_REFUSED = 'WriteRefused';

/** HTTP codes that say "this write will not be accepted as it is", as opposed to "try again". */
const REFUSAL_CODES = new Set([400, 403, 422]);

/** The refusal's message when `err` is the API server refusing a write; undefined for anything else. */
export function refusalMessage(err: unknown): string | undefined {
  const api = toApiError(err);
  return api && REFUSAL_CODES.has(api.code) ? api.message : undefined;
}

/** What the reporter needs. */
export interface RefusalReporterDeps {
  client: FreshClient;
  recorder: EventRecorder;
  clock: Clock;
  logger: Logger;
}

/** See the module comment. */
export class RefusalReporter {
  readonly #d: RefusalReporterDeps;

  constructor(deps: RefusalReporterDeps) {
    this.#d = deps;
  }

  /** Puts a refusal on the session (Event and condition); never throws. */
  async refused(session: Session, message: string): Promise<void> {
    this.#d.recorder.event(session, 'Warning', WRITE_REFUSED, message);
    const current = reconciledCondition(session);
    if (current?.status === 'False' && current.message === message) return;
    const condition = {
      type: SessionConditionTypes.Reconciled, status: 'False', reason: WRITE_REFUSED, message,
      observedGeneration: session.metadata.generation, lastTransitionTime: kubeTime(this.#d.clock.now()),
    };
    const conditions = [...otherConditions(session), condition];
    await this.#writeConditions(session, conditions);
  }

  /** Removes the condition after a reconcile that succeeded (one write, only when it is there). */
  async succeeded(session: Session | undefined): Promise<void> {
    if (!session || !reconciledCondition(session)) return;
    await this.#writeConditions(session, otherConditions(session));
  }

  async #writeConditions(session: Session, conditions: unknown[]): Promise<void> {
    try {
      await this.#d.client.patchStatus<Session>(session, mergePatch({ status: { conditions } }));
    } catch (err) {
      this.#d.logger.warn({ err, session: session.metadata.name, namespace: session.metadata.namespace }, 'Could not record a refused write on the session');
    }
  }
}

function reconciledCondition(session: Session) {
  return session.status?.conditions?.find((c) => c.type === SessionConditionTypes.Reconciled);
}

function otherConditions(session: Session) {
  return (session.status?.conditions ?? []).filter((c) => c.type !== SessionConditionTypes.Reconciled);
}
