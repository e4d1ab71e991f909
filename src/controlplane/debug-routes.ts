/**
 * Test hooks over HTTP (admins only): /debug/faults (GET/PUT the fault rules), /debug/watches/drop
 * (close every open watch), /debug/compact (forget watch history so old resourceVersions get 410)
 * and /debug/simulation (GET/PUT the simulated cluster's timings and failures). Tests configure
 * the control plane through these, never through its memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, StatusError } from '../apimachinery/errors.ts';
import type { FaultInjector, FaultRule } from './faults.ts';
import type { ExtraRoute } from './http/server.ts';
import { sendJson } from './http/respond.ts';
import type { Store } from './storage/store.ts';
import type { UserInfo } from './verbs/scope.ts';

/** What the debug routes act on. */
export interface DebugTargets {
  faults: FaultInjector;
  store: Store;
  simulation: { get(): unknown; set(patch: Record<string, unknown>): void };
}

async function jsonBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw badRequest('debug request body must be JSON');
  }
}

function requireAdmin(user: UserInfo): void {
  if (!user.groups.includes('system:masters')) throw new StatusError(403, 'Forbidden', 'debug endpoints are for system:masters only');
}

async function handle(t: DebugTargets, req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (path === '/debug/faults') {
    if (req.method === 'PUT') t.faults.set(((await jsonBody(req)).rules ?? []) as FaultRule[]);
    sendJson(res, 200, { rules: t.faults.list() });
    return true;
  }
  if (path === '/debug/watches/drop' && req.method === 'POST') {
    sendJson(res, 200, { dropped: t.faults.dropWatches() });
    return true;
  }
  if (path === '/debug/compact' && req.method === 'POST') {
    t.store.compactHistory();
    sendJson(res, 200, { revision: t.store.currentRevision() });
    return true;
  }
  if (path === '/debug/simulation') {
    if (req.method === 'PUT') t.simulation.set(await jsonBody(req));
    sendJson(res, 200, t.simulation.get());
    return true;
  }
  return false;
}

/** The debug routes as an extra route of the API server. */
export function debugRoutes(t: DebugTargets): ExtraRoute {
  return async (req, res, url, user) => {
    if (!url.pathname.startsWith('/debug/')) return false;
    requireAdmin(user);
    return handle(t, req, res, url.pathname);
  };
}
