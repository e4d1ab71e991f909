/**
 * Authentication of the embedded control plane: bearer tokens mapped to users (the kubeconfig's
 * admin token is a member of system:masters), plus impersonation headers for callers in
 * system:masters, so tests and the StreamSpace API can act as other users.
 */
import type { IncomingMessage } from 'node:http';
import { StatusError, unauthorized } from '../../apimachinery/errors.ts';
import type { UserInfo } from '../verbs/scope.ts';

/** Maps bearer tokens to users. */
export class TokenAuthenticator {
  private readonly tokens = new Map<string, UserInfo>();

  /** Registers `token` for `user`. */
  add(token: string, user: UserInfo): void {
    this.tokens.set(token, { ...user, groups: [...new Set([...user.groups, 'system:authenticated'])] });
  }

  /** The caller of `req`, or a 401 StatusError. */
  authenticate(req: IncomingMessage): UserInfo {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const user = match ? this.tokens.get(match[1].trim()) : undefined;
    if (!user) throw unauthorized();
    return impersonated(req, user);
  }
}

function impersonated(req: IncomingMessage, user: UserInfo): UserInfo {
  const as = req.headers['impersonate-user'];
  if (!as) return user;
  if (!user.groups.includes('system:masters')) {
    throw new StatusError(403, 'Forbidden', `users "${as}" is forbidden: User "${user.username}" cannot impersonate resource "users" in API group "" at the cluster scope`);
  }
  const groupsHeader = req.headers['impersonate-group'];
  const groups = (Array.isArray(groupsHeader) ? groupsHeader : groupsHeader ? String(groupsHeader).split(',') : []).map((g) => g.trim());
  const uid = req.headers['impersonate-uid'];
  return { username: String(as), uid: uid ? String(uid) : undefined, groups: [...new Set([...groups, 'system:authenticated'])] };
}
