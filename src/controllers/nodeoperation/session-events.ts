/**
 * Telling a session's user that its pod was evicted by a drain: an Event on the Session (reason
 * NodeDrained, naming the node), which the API and `kubectl describe session` show. The session's
 * Deployment brings the pod back on another node; the Event says why the connection dropped.
 *
 * Session pods carry the session label; the exact session name is in the pod annotation (label
 * values may be shortened), falling back to the label value. The Session is read once so the
 * Event carries its uid (what `kubectl describe` selects on); when it cannot be read the Event
 * still names it.
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../apimachinery/object.ts';
import type { KubeClient } from '../../runtime/client.ts';
import type { EventRecorder } from '../../runtime/event-recorder.ts';
import { ANNOTATIONS, LABELS } from '../../apis/stream/v1alpha1/naming.ts';
import { SessionKind } from './kinds.ts';
import { podRef } from './drain-plan.ts';

/** The reason of the Event a drained session receives. */
export const NODE_DRAINED_REASON = 'NodeDrained';

/** The session `pod` belongs to, or undefined for other pods. */
export function sessionOfPod(pod: KubeObject): { namespace: string; name: string } | undefined {
  const label = pod.metadata.labels?.[LABELS.session];
  if (!label) return undefined;
  return { namespace: pod.metadata.namespace ?? '', name: pod.metadata.annotations?.[ANNOTATIONS.session] || label };
}

/** Records NodeDrained Events on the sessions of evicted pods. */
export class SessionDrainNotifier {
  readonly #client: KubeClient;
  readonly #recorder: EventRecorder;
  readonly #logger: Logger;

  constructor(client: KubeClient, recorder: EventRecorder, logger: Logger) {
    this.#client = client;
    this.#recorder = recorder;
    this.#logger = logger;
  }

  /** Tells the session of `pod` (if it has one) that the pod was evicted from `node` by `operation`. */
  async podEvicted(pod: KubeObject, node: string, operation: string): Promise<void> {
    const ref = sessionOfPod(pod);
    if (!ref) return;
    const session = await this.#session(ref);
    const message = `Node ${node} is being drained (NodeOperation ${operation}): pod ${podRef(pod)} was evicted and the session is restarting on another node`;
    this.#recorder.event(session, 'Warning', NODE_DRAINED_REASON, message);
  }

  async #session(ref: { namespace: string; name: string }): Promise<KubeObject> {
    try {
      return await this.#client.get(SessionKind, ref);
    } catch (err) {
      this.#logger.debug({ err, session: ref }, 'Could not read the session of an evicted pod; the event names it without its uid');
      return { ...SessionKind, metadata: { ...ref } };
    }
  }
}
