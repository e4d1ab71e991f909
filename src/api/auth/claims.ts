/**
 * Reading identity facts out of token claims: values at dotted paths (`realm_access.roles`),
 * and the mapping from roles/groups to our two roles.
 */
import type { Role } from '../db/repository.ts';

/** The value at a dotted path of `claims` (`realm_access.roles`), or undefined. */
export function claimAt(claims: Record<string, unknown>, dottedPath: string): unknown {
  let value: unknown = claims;
  for (const key of dottedPath.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Every string found at `paths` (arrays flattened, a single string taken as one value). */
export function stringsAt(claims: Record<string, unknown>, paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const value = claimAt(claims, p);
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) if (typeof item === 'string' && item !== '') out.add(item.replace(/^\//, ''));
  }
  return [...out];
}

/** `admin` when any of `values` (roles or groups) is an admin role, else `user`. */
export function roleFrom(values: readonly string[], adminRoles: readonly string[]): Role {
  return values.some((v) => adminRoles.includes(v)) ? 'admin' : 'user';
}
