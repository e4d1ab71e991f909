/**
 * The per-session Secret holding the Git credential the repository fetch container clones with.
 * It is owned by its Session (garbage-collected with it) and read by the pod only through
 * `secretKeyRef`, so the token is never a literal value in the pod spec.
 */
import type { KubeObject, OwnerReference } from '../apimachinery/object.ts';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import { CREDENTIAL_KEYS, credentialSecretName } from '../apis/stream/v1alpha1/repository-clone.ts';

export { CREDENTIAL_KEYS, credentialSecretName };


/** The user name sent with the token; Gitea ignores it when the password is a token. */
export const CREDENTIAL_USERNAME = 'oauth2';

/** The field manager / managed-by value of everything the service writes. */
export const CODESERVER_MANAGER = 'streamspace-codeserver';


function ownerReference(session: Session): OwnerReference {
  return { apiVersion: session.apiVersion, kind: session.kind, name: session.metadata.name ?? '', uid: session.metadata.uid ?? '', blockOwnerDeletion: false };
}

/**
 * The credential Secret of `session` with `token` (base64 in `data`). With a session uid it is
 * owned by the session; without one (the Secret is created before its Session so the pod never
 * starts without it) the owner reference is added once the session exists.
 */
export function repositoryCredentialSecret(session: Session, token: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: credentialSecretName(session),
      namespace: session.metadata.namespace,
      labels: { 'app.kubernetes.io/managed-by': CODESERVER_MANAGER, 'app.kubernetes.io/component': 'git-credential' },
      annotations: { 'stream.streamspace.io/session': session.metadata.name ?? '' },
      ...(session.metadata.uid ? { ownerReferences: [ownerReference(session)] } : {}),
    },
    type: 'Opaque',
    data: {
      [CREDENTIAL_KEYS.username]: Buffer.from(CREDENTIAL_USERNAME).toString('base64'),
      [CREDENTIAL_KEYS.token]: Buffer.from(token).toString('base64'),
    },
  };
}

/** The owner reference to put on an existing credential Secret once its Session exists. */
export function credentialOwnerReferences(session: Session): OwnerReference[] {
  return [ownerReference(session)];
}
