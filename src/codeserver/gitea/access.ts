/**
 * Repository access for provisioning: may this user clone owner/name, and from which URL. In
 * `caller-token` mode the caller's own token is forwarded and Gitea answers for its bearer; in
 * `service-token` mode the service token reads the repository and asks Gitea for the user's
 * permission on it. Either way the answer is the repository, or a {@link GiteaError}.
 */
import type { AccessCheckMode } from '../settings.ts';
import { GiteaError, permissionAllowsRead, type GiteaClient, type GiteaRepository } from './client.ts';

/** Who is asking, as far as Gitea is concerned. */
export interface AccessRequester {
  username: string;
  /** The caller's bearer token (forwarded in caller-token mode). */
  token?: string;
}

/** What an access check needs. */
export interface AccessCheckOptions {
  gitea: GiteaClient;
  mode: AccessCheckMode;
  /** The service token (service-token mode). */
  serviceToken?: string;
}

/** The repository `who` may read; `denied` GiteaError when they may not. */
export async function checkRepositoryAccess(opts: AccessCheckOptions, who: AccessRequester, owner: string, name: string): Promise<GiteaRepository> {
  if (opts.mode === 'caller-token') {
    if (!who.token) throw new GiteaError('denied', 'the request carried no token to forward to Gitea');
    const repo = await opts.gitea.getRepository(owner, name, who.token);
    if (!repo.permissions.pull) throw new GiteaError('denied', `Gitea says ${who.username} may not read ${owner}/${name}`);
    return repo;
  }
  if (!opts.serviceToken) throw new GiteaError('denied', 'no Gitea service token is configured');
  const repo = await opts.gitea.getRepository(owner, name, opts.serviceToken);
  const permission = await opts.gitea.collaboratorPermission(owner, name, who.username, opts.serviceToken);
  if (!permissionAllowsRead(permission)) throw new GiteaError('denied', `Gitea says ${who.username} has no access to ${owner}/${name}`);
  return repo;
}
