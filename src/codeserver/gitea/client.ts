/**
 * A small client of Gitea's REST API (`/api/v1`), for what provisioning needs: may this user
 * read this repository, and where is it cloned from. Two ways to ask (see AccessCheckMode):
 * with the caller's own token (Gitea answers for its bearer: `permissions.pull`), or with a
 * service token asking for the caller's permission (`collaborators/{user}/permission`).
 *
 * Every request has a timeout, and every failure is a {@link GiteaError} whose kind says what a
 * caller should conclude: `denied` (no access, or no such repository: Gitea does not tell them
 * apart), `unavailable` (unreachable, timed out, 5xx), `bad-response` (not Gitea's JSON).
 */

/** What went wrong talking to Gitea. */
export type GiteaErrorKind = 'denied' | 'unavailable' | 'bad-response';

/** A failed Gitea request. */
export class GiteaError extends Error {
  readonly kind: GiteaErrorKind;
  /** HTTP status, when Gitea answered. */
  readonly status?: number;

  constructor(kind: GiteaErrorKind, message: string, status?: number) {
    super(message);
    this.name = 'GiteaError';
    this.kind = kind;
    this.status = status;
  }
}

/** A repository as Gitea describes it (the fields used here). */
export interface GiteaRepository {
  owner: string;
  name: string;
  fullName: string;
  private: boolean;
  cloneUrl: string;
  defaultBranch: string;
  /** What the identity that asked may do. */
  permissions: { admin: boolean; push: boolean; pull: boolean };
}

/** Gitea's permission levels of a user on a repository. */
export type GiteaPermission = 'none' | 'read' | 'write' | 'admin' | 'owner';

/** Options of {@link GiteaClient}. */
export interface GiteaClientOptions {
  /** Base URL of the Gitea server (or of a service speaking its API), without `/api/v1`. */
  baseUrl: string;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** fetch to use (tests, proxies); default the global one. */
  fetch?: typeof fetch;
}

const PERMISSIONS: readonly GiteaPermission[] = ['none', 'read', 'write', 'admin', 'owner'];

function segment(value: string): string {
  return encodeURIComponent(value);
}

function toRepository(body: any): GiteaRepository {
  if (typeof body !== 'object' || body === null || typeof body.clone_url !== 'string' || typeof body.name !== 'string') {
    throw new GiteaError('bad-response', 'Gitea answered with something that is not a repository');
  }
  const p = body.permissions ?? {};
  return {
    owner: String(body.owner?.login ?? body.owner?.username ?? ''),
    name: body.name,
    fullName: String(body.full_name ?? ''),
    private: Boolean(body.private),
    cloneUrl: body.clone_url,
    defaultBranch: String(body.default_branch ?? ''),
    permissions: { admin: p.admin === true, push: p.push === true, pull: p.pull === true },
  };
}

/** See the module comment. */
export class GiteaClient {
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(opts: GiteaClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
    this.#fetch = opts.fetch ?? fetch;
  }

  /** The repository as seen by the bearer of `token` (anonymous when undefined); `denied` on 401/403/404. */
  async getRepository(owner: string, name: string, token: string | undefined): Promise<GiteaRepository> {
    return toRepository(await this.#get(`/repos/${segment(owner)}/${segment(name)}`, token));
  }

  /** `user`'s permission on the repository, asked with a token allowed to see it (a service/admin token). */
  async collaboratorPermission(owner: string, name: string, user: string, token: string): Promise<GiteaPermission> {
    const body = await this.#get(`/repos/${segment(owner)}/${segment(name)}/collaborators/${segment(user)}/permission`, token);
    const permission = body?.permission;
    if (!PERMISSIONS.includes(permission)) throw new GiteaError('bad-response', `Gitea answered with an unknown permission ${JSON.stringify(permission)}`);
    return permission as GiteaPermission;
  }

  /** The repositories the bearer of `token` owns or may access (all pages). */
  async listUserRepositories(token: string): Promise<GiteaRepository[]> {
    const all: GiteaRepository[] = [];
    for (let page = 1; page <= 100; page++) {
      const body = await this.#get(`/user/repos?page=${page}&limit=50`, token);
      if (!Array.isArray(body)) throw new GiteaError('bad-response', 'Gitea answered /user/repos with something that is not a list');
      all.push(...body.map(toRepository));
      if (body.length < 50) break;
    }
    return all;
  }

  async #get(path: string, token: string | undefined): Promise<any> {
    const url = `${this.baseUrl}/api/v1${path}`;
    let res: Response;
    try {
      res = await this.#fetch(url, {
        headers: { accept: 'application/json', ...(token ? { authorization: `token ${token}` } : {}) },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      const why = timedOut ? `did not answer within ${this.#timeoutMs} ms` : `could not be reached (${(err as Error).cause ?? (err as Error).message})`;
      throw new GiteaError('unavailable', `Gitea at ${this.baseUrl} ${why}`);
    }
    const text = await res.text().catch(() => '');
    if (res.status === 401 || res.status === 403 || res.status === 404) throw new GiteaError('denied', `Gitea refused ${path.split('?')[0]} (HTTP ${res.status})`, res.status);
    if (res.status >= 500) throw new GiteaError('unavailable', `Gitea at ${this.baseUrl} failed with HTTP ${res.status}`, res.status);
    if (res.status !== 200) throw new GiteaError('bad-response', `Gitea answered ${path.split('?')[0]} with HTTP ${res.status}`, res.status);
    try {
      return JSON.parse(text);
    } catch {
      throw new GiteaError('bad-response', `Gitea answered ${path.split('?')[0]} with something that is not JSON`, res.status);
    }
  }
}

/** Whether a permission level lets its holder clone. */
export function permissionAllowsRead(permission: GiteaPermission): boolean {
  return permission !== 'none';
}
