/**
 * `metadata.managedFields` decoded into per-manager field sets and encoded back, with
 * kube-apiserver's identity rules (apimachinery managedfields `BuildManagerIdentifier`): a
 * manager is its name, operation and subresource, plus the apiVersion for Update operations.
 */
import type { ManagedFieldsEntry } from '../../apimachinery/object.ts';
import { FieldSet } from './field-set.ts';
import { isJsonObject } from './json-value.ts';

/** Who owns a field set. */
export interface ManagerIdentity {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
}

/** One managedFields entry with its fields decoded. */
export interface ManagedSet extends ManagerIdentity {
  time?: string;
  fields: FieldSet;
}

/** Decodes `metadata.managedFields`; entries that are not objects are dropped. */
export function decodeManagedFields(entries: unknown): ManagedSet[] {
  if (!Array.isArray(entries)) return [];
  return entries.filter(isJsonObject).map((entry) => ({
    manager: typeof entry.manager === 'string' ? entry.manager : '',
    operation: entry.operation === 'Apply' ? 'Apply' : 'Update',
    apiVersion: typeof entry.apiVersion === 'string' ? entry.apiVersion : '',
    ...(typeof entry.subresource === 'string' && entry.subresource ? { subresource: entry.subresource } : {}),
    ...(typeof entry.time === 'string' ? { time: entry.time } : {}),
    fields: FieldSet.fromFieldsV1(entry.fieldsV1),
  }));
}

/** Encodes the sets, dropping empty ones, in kube-apiserver's order (Apply first, then by time, manager, apiVersion, subresource). */
export function encodeManagedFields(sets: readonly ManagedSet[]): ManagedFieldsEntry[] {
  return sets.filter((set) => set.fields.size > 0).sort(compareSets).map((set) => ({
    manager: set.manager,
    operation: set.operation,
    apiVersion: set.apiVersion,
    ...(set.time ? { time: set.time } : {}),
    fieldsType: 'FieldsV1' as const,
    fieldsV1: set.fields.toFieldsV1(),
    ...(set.subresource ? { subresource: set.subresource } : {}),
  }));
}

function compareSets(a: ManagedSet, b: ManagedSet): number {
  return compareStrings(a.operation, b.operation)
    || seconds(a.time) - seconds(b.time)
    || compareStrings(a.manager, b.manager)
    || compareStrings(a.apiVersion, b.apiVersion)
    || compareStrings(a.subresource ?? '', b.subresource ?? '');
}

function seconds(time: string | undefined): number {
  const ms = time ? Date.parse(time) : NaN;
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True when both name the same manager (Apply ignores the apiVersion, Update does not). */
export function sameManager(a: ManagerIdentity, b: ManagerIdentity): boolean {
  return a.manager === b.manager && a.operation === b.operation && (a.subresource ?? '') === (b.subresource ?? '')
    && (a.operation === 'Apply' || a.apiVersion === b.apiVersion);
}

/** The manager identifier kube-apiserver sorts conflicts by: the entry's JSON without time and fields. */
export function managerIdentifier(id: ManagerIdentity): string {
  return JSON.stringify({
    manager: id.manager,
    operation: id.operation,
    ...(id.operation === 'Update' && id.apiVersion ? { apiVersion: id.apiVersion } : {}),
    ...(id.subresource ? { subresource: id.subresource } : {}),
  });
}

/** How a conflict names a manager: `"kubectl" with subresource "status" using v1`. */
export function describeManager(id: ManagerIdentity): string {
  let text = JSON.stringify(id.manager);
  if (id.subresource) text += ` with subresource ${JSON.stringify(id.subresource)}`;
  if (id.operation === 'Update') text += ` using ${id.apiVersion}`;
  return text;
}
