/**
 * Who is calling the code-server service: the authenticated user (from the same authentication
 * as the REST API), their roles, and the bearer token they sent (forwarded to Gitea in
 * caller-token mode).
 */
import { unauthorized } from './errors.ts';

/** An authenticated caller. */
export interface CodeServerUser {
  username: string;
  /** Role names; `admin` may see and act on every instance. */
  roles: string[];
  /** The bearer token of the request, when there was one. */
  token?: string;
}

/** The role that may act on every instance and read instanceStats. */
export const ADMIN_ROLE = 'admin';

/** True when `user` is an admin. */
export function isAdmin(user: CodeServerUser): boolean {
  return user.roles.includes(ADMIN_ROLE);
}

/** The caller, or the seed's `unauthorized` error when there is none. */
export function requireUser(user: CodeServerUser | undefined): CodeServerUser {
  if (!user?.username) throw unauthorized();
  return user;
}
