/**
 * A Git server for tests: `git http-backend` (Git's own smart-HTTP CGI program) behind a small
 * node HTTP server that demands Basic authentication with a token as the password, as Gitea does
 * for private repositories. It records every Authorization header it sees, so a test can prove
 * the credential was sent, and only when asked for.
 */
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options of {@link startGitHttpServer}. */
export interface GitHttpServerOptions {
  /** Folder holding the bare repositories (`<owner>/<name>.git`). */
  projectRoot: string;
  /** The token accepted as the Basic password; undefined serves without authentication. */
  token?: string;
}

/** A running Git server. */
export interface GitHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Authorization headers received, in order (undefined for requests without one). */
  authorizations: (string | undefined)[];
  stop(): Promise<void>;
}

const GIT_EXEC_PATH = execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim();

function authorized(req: http.IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1) === token;
}

/** Splits a CGI response into status, headers and body. */
function parseCgi(output: Buffer): { status: number; headers: Record<string, string>; body: Buffer } {
  let end = output.indexOf('\r\n\r\n');
  let sep = 4;
  if (end < 0) {
    end = output.indexOf('\n\n');
    sep = 2;
  }
  const head = output.subarray(0, end).toString('latin1');
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
    else headers[name] = value;
  }
  return { status, headers, body: output.subarray(end + sep) };
}

async function runBackend(req: http.IncomingMessage, res: http.ServerResponse, root: string): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const child = spawn(`${GIT_EXEC_PATH}/git-http-backend`, [], {
    env: {
      PATH: process.env.PATH, GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: '1', REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname), QUERY_STRING: url.search.slice(1), CONTENT_TYPE: req.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '', GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''), REMOTE_ADDR: '127.0.0.1',
    },
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  req.pipe(child.stdin);
  const [code] = await once(child, 'close');
  if (code !== 0 && chunks.length === 0) {
    res.writeHead(500).end();
    return;
  }
  const { status, headers, body } = parseCgi(Buffer.concat(chunks));
  res.writeHead(status, headers).end(body);
}

/** Starts the server on a free port. */
export async function startGitHttpServer(opts: GitHttpServerOptions): Promise<GitHttpServer> {
  const authorizations: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    if (!authorized(req, opts.token)) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Gitea"' }).end('Unauthorized\n');
      return;
    }
    runBackend(req, res, opts.projectRoot).catch(() => res.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
