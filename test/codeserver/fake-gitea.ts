/**
 * A fake Gitea for tests, speaking the parts of Gitea's REST API the service uses, with Gitea's
 * rules as its docs and source state them:
 * - `Authorization: token <t>` or `Bearer <t>` identifies the caller; unknown tokens are 401;
 * - `GET /api/v1/repos/{owner}/{repo}`: 404 when the repository does not exist or the caller may
 *   not see it (Gitea does not tell them apart); `permissions {admin, push, pull}` describe the
 *   caller;
 * - `GET /api/v1/repos/{owner}/{repo}/collaborators/{user}/permission`: for site admins, repo
 *   admins and the user themselves, `{permission, role_name, user}`;
 * - `GET /api/v1/user/repos`: what the caller owns or may access, paginated.
 * It records every request (path and Authorization header) so tests can check what was
 * forwarded, and it can be switched to answer 503 (`down`) or to never answer (`hang`).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A user's permission on a repository. */
export type FakePermission = 'read' | 'write' | 'admin';

/** A repository on the fake server. */
export interface FakeRepository {
  owner: string;
  name: string;
  private: boolean;
  /** Collaborators and their permission (the owner is implicitly `owner`). */
  collaborators?: Record<string, FakePermission>;
  /** Overrides the clone URL Gitea reports (default `<url>/<owner>/<name>.git`). */
  cloneUrl?: string;
}

/** How the server behaves. */
export type FakeGiteaMode = 'up' | 'down' | 'hang';

/** A recorded request. */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
}

/** The running fake. */
export interface FakeGitea {
  url: string;
  requests: RecordedRequest[];
  /** token → user name. */
  tokens: Map<string, string>;
  /** Users that are site admins. */
  admins: Set<string>;
  repositories: FakeRepository[];
  mode: FakeGiteaMode;
  stop(): Promise<void>;
}

type Level = 'none' | 'read' | 'write' | 'admin' | 'owner';

const RANK: Record<Level, number> = { none: 0, read: 1, write: 2, admin: 3, owner: 4 };

function levelOf(fake: FakeGitea, repo: FakeRepository, user: string | undefined): Level {
  if (user !== undefined && fake.admins.has(user)) return 'admin';
  if (user === repo.owner) return 'owner';
  const collaborator = user === undefined ? undefined : repo.collaborators?.[user];
  if (collaborator) return collaborator;
  return repo.private ? 'none' : 'read';
}

function repoJson(fake: FakeGitea, repo: FakeRepository, level: Level): object {
  return {
    id: fake.repositories.indexOf(repo) + 1, name: repo.name, full_name: `${repo.owner}/${repo.name}`,
    owner: { login: repo.owner, username: repo.owner }, private: repo.private, empty: false, default_branch: 'main',
    clone_url: repo.cloneUrl ?? `${fake.url}/${repo.owner}/${repo.name}.git`, html_url: `${fake.url}/${repo.owner}/${repo.name}`,
    ssh_url: `git@fake-gitea:${repo.owner}/${repo.name}.git`,
    permissions: { admin: RANK[level] >= RANK.admin, push: RANK[level] >= RANK.write, pull: RANK[level] >= RANK.read },
  };
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function tokenOf(header: string | undefined): string | undefined {
  const match = /^(token|bearer)\s+(.+)$/i.exec(header ?? '');
  return match?.[2];
}

function route(fake: FakeGitea, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://fake');
  const token = tokenOf(req.headers.authorization);
  const user = token === undefined ? undefined : fake.tokens.get(token);
  if (token !== undefined && user === undefined) return send(res, 401, { message: 'user does not exist [uid: 0, name: ]' });
  const parts = url.pathname.split('/').map(decodeURIComponent);
  // ['', 'api', 'v1', ...]
  if (parts[1] !== 'api' || parts[2] !== 'v1') return send(res, 404, { message: 'not found' });
  const rest = parts.slice(3);
  if (rest[0] === 'user' && rest[1] === 'repos' && rest.length === 2) return userRepos(fake, res, user, url);
  if (rest[0] !== 'repos' || rest.length < 3) return send(res, 404, { message: 'not found' });
  const repo = fake.repositories.find((r) => r.owner.toLowerCase() === rest[1].toLowerCase() && r.name.toLowerCase() === rest[2].toLowerCase());
  const level = repo ? levelOf(fake, repo, user) : 'none';
  if (!repo || level === 'none') return send(res, 404, { errors: null, message: 'not found' });
  if (rest.length === 3) return send(res, 200, repoJson(fake, repo, level));
  if (rest[3] === 'collaborators' && rest[5] === 'permission' && rest.length === 6) return permission(fake, res, { repo, caller: user, level, subject: rest[4] });
  return send(res, 404, { message: 'not found' });
}

function userRepos(fake: FakeGitea, res: http.ServerResponse, user: string | undefined, url: URL): void {
  if (user === undefined) return send(res, 401, { message: 'token is required' });
  const visible = fake.repositories.filter((r) => r.owner === user || r.collaborators?.[user] !== undefined || fake.admins.has(user));
  const page = Number(url.searchParams.get('page') ?? '1');
  const limit = Number(url.searchParams.get('limit') ?? '30');
  const slice = visible.slice((page - 1) * limit, page * limit);
  send(res, 200, slice.map((r) => repoJson(fake, r, levelOf(fake, r, user))), { 'x-total-count': String(visible.length) });
}

function permission(fake: FakeGitea, res: http.ServerResponse, q: { repo: FakeRepository; caller: string | undefined; level: Level; subject: string }): void {
  if (q.caller === undefined) return send(res, 401, { message: 'token is required' });
  if (q.caller !== q.subject && RANK[q.level] < RANK.admin) return send(res, 403, { message: 'Only admins can query all permissions, repo admins can query all repo permissions, collaborators can query only their own' });
  const known = [...fake.tokens.values()].includes(q.subject) || fake.admins.has(q.subject) || q.subject === q.repo.owner;
  if (!known) return send(res, 404, { message: 'user does not exist' });
  const level = levelOf(fake, q.repo, q.subject);
  send(res, 200, { permission: level, role_name: level, user: { login: q.subject, username: q.subject } });
}

/** Starts the fake on a free port. */
export async function startFakeGitea(): Promise<FakeGitea> {
  const server = http.createServer();
  const hanging = new Set<http.ServerResponse>();
  const fake: FakeGitea = {
    url: '', requests: [], tokens: new Map(), admins: new Set(), repositories: [], mode: 'up',
    stop: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    fake.requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', authorization: req.headers.authorization });
    if (fake.mode === 'hang') {
      hanging.add(res);
      return;
    }
    if (fake.mode === 'down') return send(res, 503, { message: 'Service Unavailable' });
    route(fake, req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
