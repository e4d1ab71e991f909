/**
 * Evicting one pod through the pods/eviction subresource, so PodDisruptionBudgets are honoured by
 * the API server itself: 429 TooManyRequests means a budget forbids the disruption now, and the
 * drain retries later.
 *
 * Every eviction carries the pod's uid as a precondition: a pod recreated under the same name
 * (a StatefulSet's) is a new pod the drain has not looked at yet.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import { toApiError } from '../../runtime/api-error.ts';
import type { KubeClient } from '../../runtime/client.ts';

/** What became of one eviction request. */
export type EvictionResult =
  | { outcome: 'evicted' }
  /** The pod (that uid) no longer exists. */
  | { outcome: 'gone' }
  /** A disruption budget forbids it now (429); `reason` is the budget's explanation. */
  | { outcome: 'blocked'; reason: string }
  /** Any other refusal, retried like a blocked one. */
  | { outcome: 'error'; reason: string };

/** Evicts pods. */
export interface PodEvictor {
  evict(pod: KubeObject, gracePeriodSeconds: number): Promise<EvictionResult>;
}

/** A {@link PodEvictor} over the API server's eviction subresource. */
export class ApiPodEvictor implements PodEvictor {
  readonly #api: KubeClient;

  constructor(api: KubeClient) {
    this.#api = api;
  }

  async evict(pod: KubeObject, gracePeriodSeconds: number): Promise<EvictionResult> {
    const name = pod.metadata.name ?? '';
    const namespace = pod.metadata.namespace ?? '';
    const deleteOptions = { gracePeriodSeconds, preconditions: { uid: pod.metadata.uid } };
    try {
      const eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions };
      await this.#api.createSubresource({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace } }, 'eviction', eviction);
      return { outcome: 'evicted' };
    } catch (err) {
      return refusal(err);
    }
  }
}

function refusal(err: unknown): EvictionResult {
  const api = toApiError(err);
  if (!api) throw err;
  // 404: already deleted; 409: the uid precondition failed, so the pod we meant is gone.
  if (api.code === 404 || api.code === 409) return { outcome: 'gone' };
  const cause = api.details?.causes?.find((c) => c.reason === 'DisruptionBudget')?.message;
  if (api.code === 429) return { outcome: 'blocked', reason: cause ?? api.message };
  return { outcome: 'error', reason: `${api.code} ${api.reason}: ${api.message}` };
}
