/**
 * Which SessionQuota governs a user, and whether it lets them launch a template: the precedence
 * rule documented on the CRD (QUOTA_PRECEDENCE in sessionquota.ts), in code, for the admission webhook and
 * the quota controller alike.
 */
import type { SessionQuota } from './sessionquota.ts';

/** How a quota matched a user, strongest first. */
export type QuotaMatch = 'user' | 'group' | 'default';

/** A quota together with how it matched. */
export interface SelectedQuota {
  quota: SessionQuota;
  matchedBy: QuotaMatch;
}

function byName(a: SessionQuota, b: SessionQuota): number {
  const left = a.metadata.name ?? '';
  const right = b.metadata.name ?? '';
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * The quota governing `user` (a member of `groups`): one naming the user, else one naming any of
 * the groups, else a default one; within a level the name sorting first. Undefined when none match.
 */
export function selectSessionQuota(quotas: readonly SessionQuota[], user: string, groups: readonly string[]): SelectedQuota | undefined {
  const sorted = [...quotas].sort(byName);
  const byUser = sorted.find((q) => q.spec?.users?.includes(user));
  if (byUser) return { quota: byUser, matchedBy: 'user' };
  const byGroup = sorted.find((q) => q.spec?.groups?.some((g) => groups.includes(g)));
  if (byGroup) return { quota: byGroup, matchedBy: 'group' };
  const fallback = sorted.find((q) => q.spec?.default === true);
  return fallback ? { quota: fallback, matchedBy: 'default' } : undefined;
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Whether a quota's allowedTemplates globs admit `template` (no list, or an empty one, admits all). */
export function isTemplateAllowed(quota: SessionQuota, template: string): boolean {
  const globs = quota.spec?.allowedTemplates ?? [];
  return globs.length === 0 || globs.some((glob) => globToRegExp(glob).test(template));
}
