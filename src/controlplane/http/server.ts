/**
 * The HTTPS front of the embedded control plane: authenticates, applies injected faults, and
 * routes to version/health, discovery, OpenAPI, debug and resource handlers. Plain node:https is
 * used rather than a web framework because watch streaming, content negotiation and Status bodies
 * must match kube-apiserver byte for byte.
 */
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError, tooManyRequests } from '../../apimachinery/errors.ts';
import type { FaultInjector, FaultRule } from '../faults.ts';
import type { UserInfo } from '../verbs/scope.ts';
import type { TokenAuthenticator } from './auth.ts';
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.ts';
import { requestBodyText } from './protobuf/decode-body.ts';
import { parseResourcePath } from './request-info.ts';
import { endWhenDurable } from './durable-response.ts';
import { queryBool } from './query-params.ts';
import { handleResource, type ResourceHandlerDeps } from './resource-handler.ts';
import { sendError, sendJson } from './respond.ts';

/** Max request body, as kube-apiserver's 3 MiB limit. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Extra routes mounted by other parts (OpenAPI, debug endpoints). Return false when not handled. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL, user: UserInfo) => Promise<boolean> | boolean;

/** What the HTTP server needs. */
export interface ApiServerDeps extends ResourceHandlerDeps {
  auth: TokenAuthenticator;
  faults: FaultInjector;
  routes: ExtraRoute[];
  version: Record<string, string>;
  serverAddress: () => string;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new StatusError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function verbOf(req: IncomingMessage, url: URL, hasName: boolean): string {
  switch (req.method) {
    case 'GET': return queryBool(url.searchParams, 'watch') ? 'watch' : hasName ? 'get' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return hasName ? 'delete' : 'deletecollection';
    default: return String(req.method).toLowerCase();
  }
}

async function injectFault(rule: FaultRule | undefined, resource: string, name: string): Promise<void> {
  if (!rule) return;
  if (rule.latencyMs) await new Promise((r) => setTimeout(r, rule.latencyMs));
  if (rule.code === 500) throw new StatusError(500, 'InternalError', 'Internal error occurred: injected fault');
  if (rule.code === 429) throw tooManyRequests('the server has received too many requests and has asked us to try again later', 1);
  if (rule.code === 409) {
    throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
  }
}

function discovery(deps: ApiServerDeps, res: ServerResponse, path: string): boolean {
  if (path === '/api') return (sendJson(res, 200, apiVersions(deps.serverAddress())), true);
  if (path === '/apis') return (sendJson(res, 200, apiGroupList(deps.svc.registry)), true);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts.length === 2) {
    const list = apiResourceList(deps.svc.registry, '', parts[1]);
    return list ? (sendJson(res, 200, list), true) : false;
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const group = apiGroup(deps.svc.registry, parts[1]);
    return group ? (sendJson(res, 200, group), true) : false;
  }
  if (parts[0] === 'apis' && parts.length === 3) {
    const list = apiResourceList(deps.svc.registry, parts[1], parts[2]);
    return list ? (sendJson(res, 200, list), true) : false;
  }
  return false;
}

function health(res: ServerResponse, path: string): boolean {
  if (!['/healthz', '/livez', '/readyz'].includes(path)) return false;
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('ok');
  return true;
}

async function route(deps: ApiServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (path === '/version') return sendJson(res, 200, deps.version);
  if (health(res, path)) return;
  const user = deps.auth.authenticate(req);
  if (discovery(deps, res, path)) return;
  for (const r of deps.routes) if (await r(req, res, url, user)) return;
  const info = parseResourcePath(path);
  if (!info) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  await injectFault(deps.faults.pick(verbOf(req, url, !!info.name), info.resource), info.resource, info.name ?? '');
  const mutating = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(String(req.method));
  if (mutating) endWhenDurable(res, () => deps.svc.store.durable());
  const bytes = mutating ? await readBody(req) : undefined;
  // kubectl's typed clients send protobuf; everything after this point reads JSON text.
  const body = bytes ? requestBodyText(req.method, req.headers['content-type'], bytes) : '';
  await handleResource(deps, { req, res, info, query: url.searchParams, body, user });
}

/** Creates the HTTPS server (not yet listening). */
export function createApiServer(deps: ApiServerDeps, tls: { cert: string; key: string }): https.Server {
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    route(deps, req, res).catch((err) => sendError(res, err));
  });
  server.keepAliveTimeout = 60_000;
  return server;
}
