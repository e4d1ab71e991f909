/**
 * Serves resource URLs: maps method + path to a verb, builds the request scope from the query
 * (dryRun, fieldManager, fieldValidation, selectors, paging) and writes the verb's result in the
 * representation the client asked for (object, Table or PartialObjectMetadata).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, methodNotSupported, notFound, StatusError } from '../../apimachinery/errors.ts';
import { queryBool, queryInt } from './query-params.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import { apiVersionOf, type ResourceType } from '../registry/resource.ts';
import { createObject } from '../verbs/create.ts';
import { deleteCollection, deleteObject, type DeleteOptions } from '../verbs/delete.ts';
import { evictPod } from '../verbs/evict.ts';
import { applyJsonPatch } from '../patch/jsonpatch.ts';
import { applyMergePatch } from '../patch/mergepatch.ts';
import { patchObject } from '../verbs/patch.ts';
import { getObject, listObjects, parseFilter } from '../verbs/read.ts';
import { scaleOf, updateScale } from '../verbs/scale.ts';
import type { FieldValidation, RequestScope, Services, UserInfo } from '../verbs/scope.ts';
import { updateObject } from '../verbs/update.ts';
import type { ResourceRequest } from './request-info.ts';
import { collectWarnings, sendJson, successStatus } from './respond.ts';
import { negotiate, toTable, type IncludeObject } from './table.ts';
import { serveWatch, type WatchServing } from './watch-stream.ts';

/** The parts of a request a resource handler needs. */
export interface ResourceCall {
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequest;
  query: URLSearchParams;
  body: string;
  user: UserInfo;
}

/** Reads a pod's log lines (the simulated kubelet provides them). */
export type PodLogReader = (namespace: string, pod: string, container: string | undefined, tailLines?: number, previous?: boolean) => string[] | undefined;

/** Streams a container's new log lines (pods/log?follow=true) until the returned function is called or `end` is. */
export type PodLogFollower = (namespace: string, pod: string, container: string, follower: { line(l: string): void; end(): void }) => () => void;

/** What the resource handler needs from the server. */
export interface ResourceHandlerDeps extends WatchServing {
  svc: Services;
  podLogs: PodLogReader;
  podLogFollow?: PodLogFollower;
}

function fieldManagerOf(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const explicit = query.get('fieldManager');
  if (explicit) return explicit;
  const ua = String(req.headers['user-agent'] ?? '');
  // kube-apiserver derives the default manager from the User-Agent's program name.
  return ua ? ua.split('/')[0].slice(0, 128) : undefined;
}

function scopeOf(call: ResourceCall, rt: ResourceType): RequestScope {
  const fv = call.query.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(fv)) throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
  const dryRun = call.query.getAll('dryRun');
  if (dryRun.some((d) => d !== 'All')) throw badRequest(`dryRun: Unsupported value: "${dryRun[0]}": supported values: "All"`);
  const warnings: string[] = [];
  collectWarnings(call.res, warnings);
  return {
    rt, namespace: rt.namespaced ? call.info.namespace : undefined, user: call.user, dryRun: dryRun.length > 0,
    fieldManager: fieldManagerOf(call.req, call.query), fieldValidation: fv as FieldValidation, warnings,
  };
}

function parseJson(body: string): any {
  if (!body.trim()) throw badRequest('the body of the request was empty');
  try {
    return JSON.parse(body);
  } catch (err) {
    throw badRequest(`the object provided is unrecognized (must be of type JSON): ${(err as Error).message}`);
  }
}

function deleteOptionsOf(call: ResourceCall): DeleteOptions {
  const body = call.body.trim() ? parseJson(call.body) : {};
  const q = call.query;
  const opts: DeleteOptions = { ...body };
  if (q.get('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy') as DeleteOptions['propagationPolicy'];
  const grace = queryInt(q, 'gracePeriodSeconds');
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  if (q.has('orphanDependents')) opts.orphanDependents = queryBool(q, 'orphanDependents');
  return opts;
}

function respondObject(call: ResourceCall, rt: ResourceType, code: number, obj: KubeObject, warnings: string[]): void {
  const rep = negotiate(call.req.headers.accept);
  if (rep === 'Table') return sendJson(call.res, code, toTable(rt, [obj], { resourceVersion: obj.metadata.resourceVersion }, includeOf(call)), warnings);
  if (rep === 'PartialObjectMetadata') return sendJson(call.res, code, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata }, warnings);
  sendJson(call.res, code, obj, warnings);
}

function includeOf(call: ResourceCall): IncludeObject {
  const v = call.query.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function list(deps: ResourceHandlerDeps, call: ResourceCall, rt: ResourceType): void {
  const q = call.query;
  const filter = parseFilter(rt, q.get('labelSelector'), q.get('fieldSelector'));
  const limit = queryInt(q, 'limit') || undefined;
  const result = listObjects(deps.svc, rt, call.info.namespace, { filter, limit, continueToken: q.get('continue') ?? undefined });
  const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
  if (result.continueToken) meta.continue = result.continueToken;
  if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
  const rep = negotiate(call.req.headers.accept);
  if (rep === 'Table') return sendJson(call.res, 200, toTable(rt, result.items, meta, includeOf(call)));
  if (rep === 'PartialObjectMetadata') {
    const items = result.items.map((o) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata }));
    return sendJson(call.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: meta, items });
  }
  sendJson(call.res, 200, { kind: rt.listKind, apiVersion: apiVersionOf(rt), metadata: meta, items: result.items });
}

async function collection(deps: ResourceHandlerDeps, call: ResourceCall, rt: ResourceType): Promise<void> {
  const method = call.req.method;
  if (method === 'GET') {
    if (queryBool(call.query, 'watch')) return serveWatch(deps, call, rt);
    return list(deps, call, rt);
  }
  const scope = scopeOf(call, rt);
  if (method === 'POST') {
    const created = await createObject(deps.svc, scope, parseJson(call.body));
    return respondObject(call, rt, 201, created, scope.warnings);
  }
  if (method === 'DELETE') {
    const filter = parseFilter(rt, call.query.get('labelSelector'), call.query.get('fieldSelector'));
    const items = await deleteCollection(deps.svc, scope, filter, deleteOptionsOf(call));
    return sendJson(call.res, 200, { kind: rt.listKind, apiVersion: apiVersionOf(rt), metadata: {}, items });
  }
  throw methodNotSupported({ group: rt.group, resource: rt.plural }, String(method));
}

async function item(deps: ResourceHandlerDeps, call: ResourceCall, rt: ResourceType, name: string): Promise<void> {
  const method = call.req.method;
  const scope = scopeOf(call, rt);
  const sub = call.info.subresource;
  if (method === 'GET') return respondObject(call, rt, 200, getObject(deps.svc, rt, call.info.namespace, name), []);
  if (method === 'PUT') return respondObject(call, rt, 200, await updateObject(deps.svc, scope, name, parseJson(call.body), sub), scope.warnings);
  if (method === 'PATCH') {
    const patched = await patchObject(deps.svc, scope, name, {
      contentType: String(call.req.headers['content-type'] ?? ''), body: call.body, force: queryBool(call.query, 'force'), subresource: sub,
    });
    return respondObject(call, rt, 200, patched, scope.warnings);
  }
  if (method === 'DELETE' && !sub) {
    const opts = deleteOptionsOf(call);
    const result = await deleteObject(deps.svc, scope, name, opts);
    const code = !result.removed && opts.orphanDependents === false ? 202 : 200;
    return respondObject(call, rt, code, result.object, scope.warnings);
  }
  throw methodNotSupported({ group: rt.group, resource: sub ? `${rt.plural}/${sub}` : rt.plural }, String(method));
}

async function scale(deps: ResourceHandlerDeps, call: ResourceCall, rt: ResourceType, name: string): Promise<void> {
  const scope = scopeOf(call, rt);
  const current = scaleOf(rt, getObject(deps.svc, rt, call.info.namespace, name));
  if (call.req.method === 'GET') return sendJson(call.res, 200, current);
  if (call.req.method === 'PUT') return sendJson(call.res, 200, await updateScale(deps.svc, scope, name, parseJson(call.body)));
  if (call.req.method === 'PATCH') {
    const type = String(call.req.headers['content-type'] ?? '').split(';')[0];
    const body = parseJson(call.body);
    const next = type === 'application/json-patch+json' ? applyJsonPatch(current, body) : applyMergePatch(current, body);
    return sendJson(call.res, 200, await updateScale(deps.svc, scope, name, next as KubeObject));
  }
  throw methodNotSupported({ group: rt.group, resource: `${rt.plural}/scale` }, String(call.req.method));
}

function podLog(deps: ResourceHandlerDeps, call: ResourceCall, name: string): void {
  const pod = getObject(deps.svc, deps.svc.registry.find('', 'v1', 'pods')!, call.info.namespace, name);
  const containers: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  let container = call.query.get('container') ?? undefined;
  if (!container && containers.length > 1) {
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
  }
  container ??= containers[0];
  if (!containers.includes(container!)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const tail = call.query.get('tailLines') ? Number(call.query.get('tailLines')) : undefined;
  const previous = call.query.get('previous') === 'true';
  const lines = deps.podLogs(call.info.namespace!, name, container, tail, previous);
  if (!lines && previous) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  if (!lines) throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
  const text = lines.map((l) => `${l}\n`).join('');
  if (call.query.get('follow') === 'true' && !previous && deps.podLogFollow) {
    // Streamed until the container instance's log ends or the client goes away, as kubectl logs -f reads it.
    call.res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    if (text) call.res.write(text);
    const unfollow = deps.podLogFollow(call.info.namespace!, name, container!, {
      line: (line) => call.res.write(`${line}\n`),
      end: () => call.res.end(),
    });
    call.res.once('close', unfollow);
    return;
  }
  call.res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(Buffer.byteLength(text)) });
  call.res.end(text);
}

async function subresource(deps: ResourceHandlerDeps, call: ResourceCall, rt: ResourceType, name: string): Promise<void> {
  const sub = call.info.subresource;
  if (sub === 'status' && rt.subresources.status) return item(deps, call, rt, name);
  if (sub === 'scale' && rt.subresources.scale) return scale(deps, call, rt, name);
  if (sub === 'log' && rt.plural === 'pods' && rt.group === '' && call.req.method === 'GET') return podLog(deps, call, name);
  if (sub === 'eviction' && rt.plural === 'pods' && rt.group === '' && call.req.method === 'POST') {
    const scope = scopeOf(call, rt);
    await evictPod(deps.svc, scope, name, parseJson(call.body));
    return sendJson(call.res, 201, successStatus());
  }
  if (sub === 'binding' && rt.plural === 'pods' && call.req.method === 'POST') return bind(deps, call, rt, name);
  if (sub === 'finalize' && rt.plural === 'namespaces' && call.req.method === 'PUT') {
    return respondObject(call, rt, 200, await updateObject(deps.svc, scopeOf(call, rt), name, parseJson(call.body), 'finalize'), []);
  }
  throw notFound({ group: rt.group, resource: `${rt.plural}/${sub}` }, name);
}

async function bind(deps: ResourceHandlerDeps, call: ResourceCall, rt: ResourceType, name: string): Promise<void> {
  const binding = parseJson(call.body);
  const node = binding?.target?.name;
  if (!node) throw badRequest('Binding target name is required');
  const pod = getObject(deps.svc, rt, call.info.namespace, name);
  if (pod.spec?.nodeName) {
    throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  }
  const next = { ...pod, spec: { ...pod.spec, nodeName: node } };
  await updateObject(deps.svc, scopeOf(call, rt), name, next);
  sendJson(call.res, 201, successStatus());
}

/** Serves one resource request. */
export async function handleResource(deps: ResourceHandlerDeps, call: ResourceCall): Promise<void> {
  const { info } = call;
  const rt = deps.svc.registry.find(info.group, info.version, info.resource);
  if (!rt) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', { group: info.group, kind: info.resource });
  if (!info.name) return collection(deps, call, rt);
  if (info.subresource) return subresource(deps, call, rt, info.name);
  return item(deps, call, rt, info.name);
}
