/**
 * Which groups a Session's user belongs to, for choosing their SessionQuota (group quotas).
 *
 * Kubernetes does not know the groups of an arbitrary user name, so the quota webhook takes them
 * from one of two places, and trusts each only where it can:
 * 1. The requester is the session's own user (userInfo.username equals spec.user): the groups the
 *    API server authenticated them with (userInfo.groups). This also covers a trusted caller that
 *    impersonates the user (Impersonate-User / Impersonate-Group headers).
 * 2. The requester is trusted to speak for users (by default members of system:masters, plus the
 *    configured users and groups, e.g. the StreamSpace API's service account): the comma-separated
 *    groups in the Session's `stream.streamspace.io/user-groups` annotation, which the StreamSpace
 *    API sets from the user's identity token.
 * Anyone else gets no groups: only a quota naming the user, or the default quota, applies, so
 * writing the annotation yourself cannot move you to a more generous group quota.
 */
import { group } from '../apis/stream/v1alpha1/groupversion.ts';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { AdmissionUserInfo } from './admission-review.ts';

/** The annotation carrying the user's groups, set by the StreamSpace API: `students,physics`. */
export const USER_GROUPS_ANNOTATION = `${group}/user-groups`;

/** Who may state a user's groups through the annotation. */
export interface GroupTrust {
  /** Requesters (user names) whose annotation is believed. */
  trustedUsers?: string[];
  /** Members of these groups are believed (default `system:masters`). */
  trustedGroups?: string[];
}

/** Where a session's groups came from. */
export type GroupSource = 'requester' | 'annotation' | 'none';

/** A user's groups and where they came from. */
export interface ResolvedGroups {
  groups: string[];
  source: GroupSource;
}

/** Parses the annotation's comma-separated list. */
export function parseGroupsAnnotation(value: string | undefined): string[] {
  return (value ?? '').split(',').map((g) => g.trim()).filter(Boolean);
}

function isTrusted(requester: AdmissionUserInfo, trust: GroupTrust): boolean {
  if (requester.username && trust.trustedUsers?.includes(requester.username)) return true;
  const groups = trust.trustedGroups ?? ['system:masters'];
  return (requester.groups ?? []).some((g) => groups.includes(g));
}

/** See the module comment. */
export function resolveUserGroups(session: Session, requester: AdmissionUserInfo | undefined, trust: GroupTrust): ResolvedGroups {
  const who = requester ?? {};
  if (who.username && who.username === session.spec?.user) return { groups: who.groups ?? [], source: 'requester' };
  if (isTrusted(who, trust)) return { groups: parseGroupsAnnotation(session.metadata.annotations?.[USER_GROUPS_ANNOTATION]), source: 'annotation' };
  return { groups: [], source: 'none' };
}
