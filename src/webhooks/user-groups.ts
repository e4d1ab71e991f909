/**
 * Which groups a Session's user belongs to, for choosing their SessionQuota (group quotas).
 *
 * Kubernetes does not know the groups of an arbitrary user name, so they are recorded on the
 * Session, in the `stream.streamspace.io/user-groups` annotation (comma-separated), when it is
 * created, and trusted only as far as their source is:
 * 1. The creator is the session's own user (userInfo.username equals spec.user): the groups the
 *    API server authenticated them with (userInfo.groups), whatever the annotation said. This also
 *    covers a trusted caller that impersonates the user (Impersonate-User / Impersonate-Group).
 * 2. The creator is trusted to speak for users (by default members of system:masters, plus the
 *    configured users and groups, e.g. the StreamSpace API's service account): the annotation as
 *    written, which the StreamSpace API sets from the user's identity token.
 * 3. Anyone else: no groups (the annotation is removed), so only a quota naming the user or the
 *    default quota applies, and writing the annotation yourself cannot buy a more generous quota.
 * The defaulting webhook writes the result into the annotation; afterwards only a trusted requester
 * may change it, and updates (a controller waking the session, say) are judged with the groups
 * recorded there, whoever makes them.
 */
import { fieldForbidden, type StatusCause } from '../apimachinery/errors.ts';
import { parseGroupsAnnotation, recordedUserGroups, USER_GROUPS_ANNOTATION } from '../apis/stream/v1alpha1/user-groups.ts';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { AdmissionUserInfo } from './admission-review.ts';

export { parseGroupsAnnotation, recordedUserGroups, USER_GROUPS_ANNOTATION };

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

/** Whether `requester` may state other users' groups. */
export function isTrustedForGroups(requester: AdmissionUserInfo | undefined, trust: GroupTrust): boolean {
  if (requester?.username && trust.trustedUsers?.includes(requester.username)) return true;
  const groups = trust.trustedGroups ?? ['system:masters'];
  return (requester?.groups ?? []).some((g) => groups.includes(g));
}

/** The groups of a session being created by `requester`; see the module comment. */
export function resolveUserGroups(session: Session, requester: AdmissionUserInfo | undefined, trust: GroupTrust): ResolvedGroups {
  if (requester?.username && requester.username === session.spec?.user) return { groups: requester.groups ?? [], source: 'requester' };
  if (isTrustedForGroups(requester, trust)) return { groups: parseGroupsAnnotation(session.metadata.annotations?.[USER_GROUPS_ANNOTATION]), source: 'annotation' };
  return { groups: [], source: 'none' };
}

/** A cause when an untrusted requester changes the recorded groups of an existing session. */
export function groupsAnnotationChange(session: Session, old: Session, requester: AdmissionUserInfo | undefined, trust: GroupTrust): StatusCause[] {
  const now = session.metadata.annotations?.[USER_GROUPS_ANNOTATION];
  if (now === old.metadata.annotations?.[USER_GROUPS_ANNOTATION] || isTrustedForGroups(requester, trust)) return [];
  return [fieldForbidden(`metadata.annotations[${USER_GROUPS_ANNOTATION}]`, 'the user\'s groups may only be changed by a requester trusted to state them')];
}
