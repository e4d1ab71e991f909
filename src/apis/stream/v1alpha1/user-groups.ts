/**
 * The user's groups recorded on a Session (who may write them is the defaulting webhook's rule,
 * src/webhooks/user-groups.ts): read by quota admission and the quota-status controller alike.
 */
import { group } from './groupversion.ts';
import type { Session } from './session.ts';

/** The annotation carrying the user's groups: `students,physics`. */
export const USER_GROUPS_ANNOTATION = `${group}/user-groups`;

/** Parses the annotation's comma-separated list. */
export function parseGroupsAnnotation(value: string | undefined): string[] {
  return (value ?? '').split(',').map((g) => g.trim()).filter(Boolean);
}

/** The groups recorded on a stored session (what updates are judged with). */
export function recordedUserGroups(session: Session): string[] {
  return parseGroupsAnnotation(session.metadata.annotations?.[USER_GROUPS_ANNOTATION]);
}
