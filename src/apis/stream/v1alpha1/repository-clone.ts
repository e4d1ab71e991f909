/**
 * The repository clone of a Session with `spec.repository`, as the Session controller builds it
 * (controllers/session/repository-clone/) and the code-server service reads it back: the init
 * containers' names, the per-session credential Secret's name and keys, the default Git image,
 * and the checkout step's report.
 */
import { createHash } from 'node:crypto';
import type { Session } from './session.ts';

/** Name of the init container that fetches with the credential. */
export const FETCH_CONTAINER = 'repository-fetch';

/** Name of the init container that clones or pulls into the home volume (its termination message is the clone report). */
export const CHECKOUT_CONTAINER = 'repository-checkout';

/** Keys of the credential Secret. */
export const CREDENTIAL_KEYS = { username: 'username', token: 'token' } as const;

/** The image of the repository init containers: alpine/git, pinned so every pod runs the same Git. */
export const DEFAULT_GIT_IMAGE = 'alpine/git:v2.54.0';

const MAX_NAME = 253;

/** Name of the session's credential Secret: `<session>-git-credential`, cut and hashed when too long. */
export function credentialSecretName(session: Session): string {
  const name = `${session.metadata.name ?? ''}-git-credential`;
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  return `${name.slice(0, MAX_NAME - 11).replace(/[-.]+$/, '')}-${hash}`;
}

/** What the checkout step reports in its termination message. */
export type CloneAction = 'cloned' | 'pulled' | 'up-to-date' | 'skipped' | 'failed';

/** The checkout step's report (the container's termination message), parsed. */
export interface CloneReport {
  action: CloneAction;
  /** The checked-out commit ('' for an empty repository). */
  commit: string;
  /** Size of the user's home volume in bytes, when measured. */
  usedBytes?: number;
  /** Why a pull did not happen. */
  message?: string;
}

const ACTIONS = new Set<string>(['cloned', 'pulled', 'up-to-date', 'skipped', 'failed']);

/** Parses a termination message; undefined when it is not the script's report. */
export function parseCloneReport(text: string | undefined): CloneReport | undefined {
  if (!text) return undefined;
  let value: any;
  try {
    value = JSON.parse(text.trim());
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || !ACTIONS.has(value.action)) return undefined;
  return {
    action: value.action as CloneAction,
    commit: typeof value.commit === 'string' ? value.commit : '',
    ...(typeof value.usedBytes === 'number' && value.usedBytes >= 0 ? { usedBytes: value.usedBytes } : {}),
    ...(typeof value.message === 'string' && value.message ? { message: value.message } : {}),
  };
}
