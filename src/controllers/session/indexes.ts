/**
 * The lookups the Session controller needs without scanning caches: sessions by template and by
 * home claim (to map Template and claim events to sessions), and pods by session (to observe a
 * session's workload). Each is an {@link ObjectIndex} following the manager's informers.
 */
import type { Session } from '../../apis/stream/v1alpha1/session.ts';
import type { InformerCache } from '../../runtime/cache.ts';
import { PodKind, SessionKind } from '../kinds.ts';
import { ObjectIndex } from '../object-index.ts';
import { ANNOTATIONS, homeClaimName } from '../../apis/stream/v1alpha1/naming.ts';

/** See the module comment. Index keys are `namespace/name` of the template, claim or session. */
export interface SessionIndexes {
  sessionsByTemplate: ObjectIndex;
  sessionsByClaim: ObjectIndex;
  podsBySession: ObjectIndex;
}

/** Builds the indexes and has them follow `cache`'s informers. */
export function sessionIndexes(cache: InformerCache): SessionIndexes {
  const sessionsByTemplate = new ObjectIndex((s) => [`${s.metadata.namespace}/${(s as Session).spec.template}`]);
  const sessionsByClaim = new ObjectIndex((s) => [`${s.metadata.namespace}/${homeClaimName((s as Session).spec.user)}`]);
  const podsBySession = new ObjectIndex((pod) => {
    const session = pod.metadata.annotations?.[ANNOTATIONS.session];
    return session ? [`${pod.metadata.namespace}/${session}`] : [];
  });
  sessionsByTemplate.follow(cache.getInformer(SessionKind));
  sessionsByClaim.follow(cache.getInformer(SessionKind));
  podsBySession.follow(cache.getInformer(PodKind));
  return { sessionsByTemplate, sessionsByClaim, podsBySession };
}
