/**
 * The user's home volume claim, as both the Session controller and the code-server provisioner
 * create it (whichever comes first): same name, labels and spec, so neither makes a twin.
 */
import type { KubeObject } from '../../../apimachinery/object.ts';
import { ANNOTATIONS, homeClaimLabels, homeClaimName } from './naming.ts';
import type { Session } from './session.ts';

/** The claim's size, class and access mode. */
export interface HomeClaimSettings {
  /** StorageClass of new home claims; unset uses the cluster's default class. */
  storageClassName?: string;
  /** Requested size, a quantity. */
  size: string;
  accessMode: 'ReadWriteOnce' | 'ReadWriteMany' | 'ReadWriteOncePod' | 'ReadOnlyMany';
}

/**
 * The user's home claim. It has no owner: it belongs to the user, outlives every session and is
 * shared by all of them, so deleting a session never deletes it.
 */
export function desiredHomeClaim(session: Session, home: HomeClaimSettings): KubeObject {
  const user = session.spec.user;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: homeClaimName(user),
      namespace: session.metadata.namespace,
      labels: homeClaimLabels(user),
      annotations: { [ANNOTATIONS.user]: user },
    },
    spec: {
      accessModes: [home.accessMode],
      resources: { requests: { storage: home.size } },
      ...(home.storageClassName ? { storageClassName: home.storageClassName } : {}),
    },
  };
}
