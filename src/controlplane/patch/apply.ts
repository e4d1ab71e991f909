/**
 * Server-side apply (`application/apply-patch+yaml`) and the managedFields bookkeeping of other
 * writes — a pragmatic subset of kube-apiserver's structured-merge-diff field manager:
 * - an apply owns exactly the fields of its configuration (leaves, map-list items, set items);
 * - a field the manager applied before and now omits is removed, unless another manager owns it
 *   (or something under it);
 * - changing the value of a field another manager owns is a 409 Conflict listing every such
 *   field, unless `force`, which moves the ownership; applying the same value shares it;
 * - create, update and the other patch types record an `Update` entry owning the fields they changed,
 *   taking them from every other manager.
 */
import { StatusError, badRequest, type StatusCause } from '../../apimachinery/errors.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import { mergeApplied } from './apply-merge.ts';
import { FieldSet } from './field-set.ts';
import { formatPath, type FieldPath } from './field-path.ts';
import { cloneJson, isJsonObject, jsonEqual, type JsonObject } from './json-value.ts';
import { kindKeyOf, resolveListTypes, type ListTypeLookup, type ResolvedListTypes } from './list-type.ts';
import {
  decodeManagedFields, describeManager, encodeManagedFields, managerIdentifier, sameManager,
  type ManagedSet, type ManagerIdentity,
} from './managed-fields.ts';
import { fieldSetOf, lookupPath, removePath, sameAtPath } from './object-fields.ts';

export type { ListType, ListTypeLookup } from './list-type.ts';

/** One server-side apply request. */
export interface ApplyInput {
  /** The current object; undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The request body (already parsed from JSON or YAML). */
  applied: KubeObject;
  /** fieldManager (required; the caller validates presence). */
  manager: string;
  force: boolean;
  /** The apiVersion the request was made in, recorded on the managedFields entry. */
  apiVersion: string;
  /** `status` for applies to /status. */
  subresource?: string;
  /** RFC 3339 time for the managedFields entry. */
  now: string;
  /** List types from the resource's schema (CRDs); the built-in table and then atomic fill the gaps. */
  listTypes?: ListTypeLookup;
}

/** The applied object, with metadata.managedFields updated. */
export interface ApplyResult {
  object: KubeObject;
}

/** metadata the server sets: an apply configuration never changes them. */
const SERVER_OWNED_METADATA = [
  'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds',
  'managedFields', 'selfLink',
];

/** A field another manager owns whose value the apply would change. */
interface Conflict {
  owner: ManagedSet;
  path: FieldPath;
}

/**
 * Applies `input.applied` to `input.live` for `input.manager`. Throws StatusError 409 Conflict
 * (kube-apiserver's `Apply failed with N conflict(s)` body, one FieldManagerConflict cause per
 * field) when the apply would change fields owned by other managers and `force` is false.
 */
export function serverSideApply(input: ApplyInput): ApplyResult {
  if (!isJsonObject(input.applied)) {
    const kind = Array.isArray(input.applied) ? 'array' : typeof input.applied;
    throw badRequest(`error decoding patch: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`);
  }
  const listTypes = resolveListTypes(kindKeyOf(input.applied), input.listTypes);
  const config = applyConfiguration(input.applied);
  const live = withoutManagedFields(input.live);
  const self: ManagerIdentity = identity(input.manager, 'Apply', input.apiVersion, input.subresource);
  const managed = decodeManagedFields(input.live?.metadata?.managedFields);
  const previous = managed.find((set) => sameManager(set, self));
  let others = managed.filter((set) => set !== previous);

  const applied = fieldSetOf(config, listTypes);
  const merged = mergeApplied(live, config, listTypes) as KubeObject;
  const conflicts = findConflicts(others, applied, { live, merged, listTypes });
  if (conflicts.length > 0 && !input.force) throw applyConflict(conflicts);
  others = others.map((set) => releaseConflicts(set, conflicts));
  removeUnapplied(merged, previous?.fields.difference(applied), { applied, others, listTypes });

  const unchanged = previous !== undefined && previous.fields.equals(applied) && jsonEqual(live, merged);
  const time = unchanged && previous.time ? previous.time : input.now;
  setManagedFields(merged, [...others, { ...self, time, fields: applied }]);
  return { object: merged };
}

/**
 * Records an Update-operation managedFields entry for a non-apply write (create, update, or a
 * JSON/merge/strategic patch) by `manager`: it takes ownership of every field whose value changed
 * between `oldObj` (undefined on create) and `newObj`, other managers lose those fields, and fields
 * the write removed leave every set. Returns a copy of `newObj`; the inputs are never mutated.
 */
// eslint-disable-next-line max-params -- the positional signature the verbs layer calls
export function recordUpdateManagedFields(
  oldObj: KubeObject | undefined, newObj: KubeObject, manager: string, apiVersion: string, now: string, subresource?: string,
): KubeObject {
  const listTypes = resolveListTypes(kindKeyOf(newObj));
  const result = cloneJson(newObj);
  const before = withoutManagedFields(oldObj);
  const after = withoutManagedFields(newObj);
  const changed = fieldSetOf(after, listTypes).filter((path) => !sameAtPath(before, after, path, listTypes));
  const self = identity(manager, 'Update', apiVersion, subresource);
  const stillPresent = (path: FieldPath) => lookupPath(after, path, listTypes).found;

  const requested = newObj.metadata?.managedFields;
  const managed = decodeManagedFields(Array.isArray(requested) ? requested : oldObj?.metadata?.managedFields)
    .map((set) => ({ ...set, fields: set.fields.filter(stillPresent) }));
  const previous = managed.find((set) => sameManager(set, self));
  const others = managed.filter((set) => set !== previous).map((set) => ({ ...set, fields: set.fields.difference(changed) }));
  const sets: ManagedSet[] = [...others];
  if (changed.size > 0) sets.push({ ...self, time: now, fields: previous ? previous.fields.union(changed) : changed });
  else if (previous) sets.push(previous);
  setManagedFields(result, sets);
  return result;
}

function identity(manager: string, operation: 'Apply' | 'Update', apiVersion: string, subresource?: string): ManagerIdentity {
  return { manager, operation, apiVersion, ...(subresource ? { subresource } : {}) };
}

/** The request body without the metadata the server owns. */
function applyConfiguration(applied: KubeObject): JsonObject {
  const config = cloneJson(applied) as JsonObject;
  if (isJsonObject(config.metadata)) {
    for (const name of SERVER_OWNED_METADATA) delete config.metadata[name];
  }
  return config;
}

function withoutManagedFields(obj: KubeObject | undefined): JsonObject {
  if (!obj) return {};
  const copy = cloneJson(obj) as JsonObject;
  if (isJsonObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

function setManagedFields(obj: KubeObject, sets: ManagedSet[]): void {
  if (!isJsonObject(obj.metadata)) obj.metadata = {};
  const entries = encodeManagedFields(sets);
  if (entries.length > 0) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

interface MergeOutcome {
  live: JsonObject;
  merged: JsonObject;
  listTypes: ResolvedListTypes;
}

/** Fields of other managers, at or under an applied path, whose value the merge changed. */
function findConflicts(others: ManagedSet[], applied: FieldSet, outcome: MergeOutcome): Conflict[] {
  const conflicts: Conflict[] = [];
  for (const owner of others) {
    for (const path of owner.fields.paths()) {
      if (!applied.coversPath(path)) continue;
      if (!sameAtPath(outcome.live, outcome.merged, path, outcome.listTypes)) conflicts.push({ owner, path });
    }
  }
  const order = (c: Conflict) => [managerIdentifier(c.owner), formatPath(c.path)];
  return conflicts.sort((a, b) => compare(order(a)[0], order(b)[0]) || compare(order(a)[1], order(b)[1]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A forced apply takes the conflicting fields away from their owners. */
function releaseConflicts(set: ManagedSet, conflicts: Conflict[]): ManagedSet {
  const lost = conflicts.filter((c) => c.owner === set);
  if (lost.length === 0) return set;
  const lostFields = new FieldSet(lost.map((c) => c.path));
  return { ...set, fields: set.fields.difference(lostFields) };
}

interface RemovalContext {
  applied: FieldSet;
  others: ManagedSet[];
  listTypes: ResolvedListTypes;
}

/** Removes the fields the manager applied before and omits now, unless someone else still owns them. */
function removeUnapplied(merged: JsonObject, omitted: FieldSet | undefined, ctx: RemovalContext): void {
  if (!omitted) return;
  for (const path of omitted.paths()) {
    if (ctx.applied.hasWithin(path) || ctx.others.some((set) => set.fields.hasWithin(path))) continue;
    removePath(merged, path, ctx.listTypes);
  }
}

/** kube-apiserver's apply conflict error (apimachinery managedfields `NewConflictError`). */
function applyConflict(conflicts: Conflict[]): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.owner)}`, field: formatPath(c.path),
  }));
  return new StatusError(409, 'Conflict', conflictMessage(conflicts), { causes });
}

function conflictMessage(conflicts: Conflict[]): string {
  if (conflicts.length === 1) {
    return `Apply failed with 1 conflict: conflict with ${describeManager(conflicts[0].owner)}: ${formatPath(conflicts[0].path)}`;
  }
  const byManager = new Map<string, { owner: ManagedSet; paths: string[] }>();
  for (const { owner, path } of conflicts) {
    const id = managerIdentifier(owner);
    const group = byManager.get(id) ?? { owner, paths: [] };
    group.paths.push(formatPath(path));
    byManager.set(id, group);
  }
  const lines = [...byManager.keys()].sort().flatMap((id) => {
    const group = byManager.get(id)!;
    return [`conflicts with ${describeManager(group.owner)}:`, ...group.paths.map((p) => `- ${p}`)];
  });
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}
