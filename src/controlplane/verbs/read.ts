/** get and list: reads straight from the store, with label and field selectors and limit/continue paging. */
import { badRequest, expired, notFound } from '../../apimachinery/errors.ts';
import { matchesFields, parseFieldSelector, requireSupportedFields, type FieldSelector } from '../../apimachinery/fields.ts';
import { matchesLabels, parseLabelSelector, type LabelSelector } from '../../apimachinery/labels.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import { apiVersionOf, storageName, type ResourceType } from '../registry/resource.ts';
import { objectKey } from '../storage/store.ts';
import type { Services } from './scope.ts';

/** A parsed object filter: the selectors of a list or watch. */
export interface ObjectFilter {
  labels?: LabelSelector;
  fields?: FieldSelector;
}

/** The field-selector values of an object: metadata.name/namespace plus what its kind allows. */
export function fieldSetOf(rt: ResourceType, obj: KubeObject): Record<string, string> {
  return { 'metadata.name': obj.metadata.name ?? '', 'metadata.namespace': obj.metadata.namespace ?? '', ...rt.strategy.selectableFields?.(obj) };
}

/** Parses `labelSelector`/`fieldSelector` query values, rejecting unsupported fields with 400. */
export function parseFilter(rt: ResourceType, labelSelector?: string | null, fieldSelector?: string | null): ObjectFilter {
  const filter: ObjectFilter = {};
  if (labelSelector) filter.labels = parseLabelSelector(labelSelector);
  if (fieldSelector) {
    filter.fields = parseFieldSelector(fieldSelector);
    const probe = { apiVersion: apiVersionOf(rt), kind: rt.kind, metadata: {} } as KubeObject;
    requireSupportedFields(filter.fields, Object.keys(fieldSetOf(rt, probe)));
  }
  return filter;
}

/** True when `obj` passes the filter. */
export function matchesFilter(rt: ResourceType, filter: ObjectFilter, obj: KubeObject): boolean {
  if (filter.labels && !matchesLabels(filter.labels, obj.metadata.labels)) return false;
  if (filter.fields && !matchesFields(filter.fields, fieldSetOf(rt, obj))) return false;
  return true;
}

/** Reads one object or throws 404. */
export function getObject(svc: Services, rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
  const obj = svc.store.get(storageName(rt), objectKey(rt.namespaced ? namespace : undefined, name));
  if (!obj) throw notFound({ group: rt.group, resource: rt.plural }, name);
  return withVersion(rt, obj);
}

/** The object as served at this type's apiVersion (custom resources may be stored at another version). */
export function withVersion(rt: ResourceType, obj: KubeObject): KubeObject {
  const apiVersion = apiVersionOf(rt);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}

/** Options of a list. */
export interface ListOptions {
  filter: ObjectFilter;
  limit?: number;
  continueToken?: string;
}

/** A list result before it is wrapped in `<Kind>List`. */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

interface ContinueState {
  rv: number;
  start: string;
}

function decodeContinue(token: string): ContinueState {
  try {
    const state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueState;
    if (typeof state.rv !== 'number' || typeof state.start !== 'string') throw new Error('shape');
    return state;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/**
 * Lists objects in key order. A continue token resumes after the last key of the previous page and
 * keeps the first page's resourceVersion, as kube-apiserver's chunked lists do. A token older than
 * the kept watch history answers 410 like an expired etcd continuation. Unlike etcd, later pages
 * show objects as they are now rather than at the first page's revision (the store keeps one
 * version per object); a client that then watches from the list's resourceVersion still sees every
 * change, possibly twice.
 */
export function listObjects(svc: Services, rt: ResourceType, namespace: string | undefined, opts: ListOptions): ListResult {
  const all = svc.store.list(storageName(rt), rt.namespaced ? namespace : undefined);
  let rv = svc.store.currentRevision();
  let start = '';
  if (opts.continueToken) {
    const state = decodeContinue(opts.continueToken);
    // Like an etcd continuation after compaction: the token's revision left the kept history.
    if (state.rv < svc.store.oldestWatchableRevision()) {
      throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    rv = state.rv;
    start = state.start;
  }
  const items: KubeObject[] = [];
  let index = 0;
  for (; index < all.length; index++) {
    const obj = all[index];
    const key = objectKey(obj.metadata.namespace, obj.metadata.name!);
    if (start && key <= start) continue;
    if (!matchesFilter(rt, opts.filter, obj)) continue;
    if (opts.limit && items.length >= opts.limit) break;
    items.push(withVersion(rt, obj));
  }
  const result: ListResult = { items, resourceVersion: String(rv) };
  if (opts.limit && index < all.length && items.length) {
    const last = items[items.length - 1];
    result.continueToken = Buffer.from(JSON.stringify({ rv, start: objectKey(last.metadata.namespace, last.metadata.name!) })).toString('base64url');
    result.remainingItemCount = opts.filter.labels || opts.filter.fields ? undefined : all.length - index;
  }
  return result;
}
