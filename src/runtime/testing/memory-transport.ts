/**
 * An in-memory stand-in for the API server at the transport level, for unit tests of code built
 * on KubeClient (leader election, the event recorder). It keeps objects by path with a global
 * resourceVersion, answers 404/409 with Status bodies, honours optimistic concurrency on PUT,
 * applies merge patches, records every request, and can be told to fail requests. Anything
 * beyond that belongs in integration tests against the embedded control plane.
 */
import type { HttpRequest, HttpResponse, StreamResponse, Transport } from '../internal/transport.ts';

/** A recorded request. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  body?: any;
}

type FaultRule = (req: RecordedRequest) => number | undefined;

function status(code: number, reason: string, message: string): HttpResponse {
  const body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  return { status: code, headers: { 'content-type': 'application/json' }, text: JSON.stringify(body) };
}

function ok(code: number, obj: unknown): HttpResponse {
  return { status: code, headers: { 'content-type': 'application/json' }, text: JSON.stringify(obj) };
}

function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** See the module comment. */
export class MemoryTransport implements Transport {
  readonly host = 'memory:0';
  readonly requests: RecordedRequest[] = [];
  readonly objects = new Map<string, any>();
  #revision = 100;
  #faults: FaultRule[] = [];

  /** Makes requests matching `rule` fail with the code it returns (rules stay until cleared). */
  fail(rule: FaultRule): void {
    this.#faults.push(rule);
  }

  clearFaults(): void {
    this.#faults = [];
  }

  /** Objects stored under a collection path prefix. */
  list(prefix: string): any[] {
    return [...this.objects.entries()].filter(([p]) => p.startsWith(prefix)).map(([, o]) => o);
  }

  /** Watches are out of scope (see the module comment): answered 405 like a server without them. */
  async stream(req: HttpRequest): Promise<StreamResponse> {
    return { ...status(405, 'MethodNotAllowed', `MemoryTransport does not serve watches (${req.path})`), abort() {} };
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const query = Object.fromEntries(Object.entries(req.query ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    const body = typeof req.body === 'string' ? JSON.parse(req.body) : structuredClone(req.body);
    const recorded: RecordedRequest = { method: req.method, path: req.path, query, contentType: req.contentType, body };
    this.requests.push(recorded);
    for (const rule of this.#faults) {
      const code = rule(recorded);
      if (code) return status(code, code === 409 ? 'Conflict' : 'InternalError', `injected ${code}`);
    }
    return this.#serve(recorded);
  }

  #serve(req: RecordedRequest): HttpResponse {
    const path = req.path.replace(/\/status$/, '');
    switch (req.method) {
      case 'GET': return this.objects.has(path) ? ok(200, this.objects.get(path)) : status(404, 'NotFound', `"${path}" not found`);
      case 'POST': return this.#create(req);
      case 'PUT': return this.#update(path, req.body);
      case 'PATCH': return this.#patch(path, req.body);
      case 'DELETE': return this.objects.delete(path) ? ok(200, { kind: 'Status', status: 'Success' }) : status(404, 'NotFound', 'not found');
      default: return status(405, 'MethodNotAllowed', req.method);
    }
  }

  #create(req: RecordedRequest): HttpResponse {
    const path = `${req.path}/${req.body.metadata.name}`;
    if (this.objects.has(path)) return status(409, 'AlreadyExists', `"${req.body.metadata.name}" already exists`);
    const obj = { ...req.body, metadata: { ...req.body.metadata, uid: crypto.randomUUID(), resourceVersion: String(++this.#revision) } };
    this.objects.set(path, obj);
    return ok(201, obj);
  }

  #update(path: string, body: any): HttpResponse {
    const current = this.objects.get(path);
    if (!current) return status(404, 'NotFound', 'not found');
    if (body.metadata.resourceVersion && body.metadata.resourceVersion !== current.metadata.resourceVersion) {
      return status(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const obj = { ...body, metadata: { ...body.metadata, uid: current.metadata.uid, resourceVersion: String(++this.#revision) } };
    this.objects.set(path, obj);
    return ok(200, obj);
  }

  #patch(path: string, patch: any): HttpResponse {
    const current = this.objects.get(path);
    if (!current) return status(404, 'NotFound', 'not found');
    const obj = mergePatch(current, patch);
    obj.metadata = { ...obj.metadata, resourceVersion: String(++this.#revision) };
    this.objects.set(path, obj);
    return ok(200, obj);
  }
}
