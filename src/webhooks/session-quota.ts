/**
 * The quota check of the Session validating webhook: picks the SessionQuota governing the session's
 * user (most specific wins: user, then group, then default; see QUOTA_PRECEDENCE) and refuses a
 * create or update that would take the user past one of its limits.
 *
 * Usage comes from the informer cache (./usage.ts) plus the reservations of admitted writes the
 * cache has not seen yet (./reservations.ts); nothing is listed per request. An update is refused
 * only for a limit it makes worse (waking a hibernated session, raising resources): a session that
 * was admitted is never refused an unrelated change because its quota was tightened since.
 *
 * A refusal is 403 Forbidden and says which limit, the usage and which quota, e.g.
 * `quota exceeded: user alice has 3 of 3 running sessions (SessionQuota "students")`.
 */
import { StatusError } from '../apimachinery/errors.ts';
import { canonicalQuantityString, parseQuantity, type Quantity } from '../apimachinery/quantity.ts';
import type { Session } from '../apis/stream/v1alpha1/session.ts';
import type { SessionQuota, SessionQuotaLimits } from '../apis/stream/v1alpha1/sessionquota.ts';
import { isTemplateAllowed, selectSessionQuota } from '../apis/stream/v1alpha1/sessionquota-selection.ts';
import type { Template } from '../apis/stream/v1alpha1/template.ts';
import type { AdmissionRequest } from './admission-review.ts';
import type { QuotaReservations } from './reservations.ts';
import { recordedUserGroups, resolveUserGroups, type GroupTrust } from './user-groups.ts';
import {
  addFootprint, footprintOf, largerFootprint, resourceAmount, sessionKey, type SessionFootprint, type SessionUsageIndex, type UserUsage,
} from '../apis/stream/v1alpha1/quota-usage.ts';
import type { ResourceRequirements } from '../apis/corev1.ts';

/** The limit a refusal is about: a SessionQuota limit name, or allowedTemplates. */
export type QuotaLimitName = keyof SessionQuotaLimits | 'allowedTemplates';

/** A refused write: which limit, and the message the user reads. */
export interface QuotaViolation {
  limit: QuotaLimitName;
  message: string;
}

/** Everything one decision looks at. */
export interface QuotaCheckInput {
  user: string;
  quota: SessionQuota;
  template: string;
  /** The user's usage without this session. */
  others: UserUsage;
  /** The session's footprint before the write (undefined on create). */
  before?: SessionFootprint;
  after: SessionFootprint;
  /** Size of the user's home volume, when the controller provisions one. */
  homeVolumeSize?: Quantity;
  /** The session's resources as it will run (its own, else the template's), for maxPerSession. */
  resources?: ResourceRequirements;
}

const cpuText = (nanos: bigint): string => canonicalQuantityString(nanos, 'DecimalSI');
const memoryText = (nanos: bigint): string => canonicalQuantityString(nanos, 'BinarySI');

function limitNanos(value: string | number | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  try {
    return parseQuantity(value).nanos;
  } catch {
    return undefined;
  }
}

function quotaName(input: QuotaCheckInput): string {
  return `(SessionQuota ${JSON.stringify(input.quota.metadata.name ?? '')})`;
}

function checkTemplate(input: QuotaCheckInput): QuotaViolation | undefined {
  if (input.before || isTemplateAllowed(input.quota, input.template)) return undefined;
  const globs = (input.quota.spec?.allowedTemplates ?? []).map((g) => JSON.stringify(g)).join(', ');
  return {
    limit: 'allowedTemplates',
    message: `template not allowed: user ${input.user} may not launch template ${JSON.stringify(input.template)} ${quotaName(input).slice(0, -1)} allows ${globs})`,
  };
}

function checkStorage(input: QuotaCheckInput, limits: SessionQuotaLimits): QuotaViolation | undefined {
  const max = limitNanos(limits.maxStorage);
  const size = input.homeVolumeSize;
  if (max === undefined || !size || !input.after.persistentHome || input.before?.persistentHome) return undefined;
  if (size.nanos <= max) return undefined;
  return {
    limit: 'maxStorage',
    message: `quota exceeded: user ${input.user} needs a home volume of ${memoryText(size.nanos)}, over the storage limit of ${limits.maxStorage} ${quotaName(input)}`,
  };
}

function checkPerSession(input: QuotaCheckInput, limits: SessionQuotaLimits): QuotaViolation | undefined {
  const dimensions = [
    { limit: 'maxCPUPerSession', max: limits.maxCPUPerSession, amount: input.after.cpu, was: input.before?.cpu, text: cpuText, unit: 'CPU' },
    { limit: 'maxMemoryPerSession', max: limits.maxMemoryPerSession, amount: input.after.memory, was: input.before?.memory, text: memoryText, unit: 'memory' },
  ] as const;
  for (const d of dimensions) {
    const max = limitNanos(d.max);
    if (max === undefined || d.amount <= max || (d.was !== undefined && d.amount <= d.was)) continue;
    return {
      limit: d.limit,
      message: `quota exceeded: user ${input.user} asks for ${d.text(d.amount)} ${d.unit} in one session, over the per-session limit of ${d.max} ${quotaName(input)}`,
    };
  }
  return undefined;
}

/** maxPerSession: any resource name, compared with the session's limit (else request) of it. */
function checkNamedResources(input: QuotaCheckInput, limits: SessionQuotaLimits): QuotaViolation | undefined {
  for (const [name, max] of Object.entries(limits.maxPerSession ?? {})) {
    const ceiling = limitNanos(max);
    const amount = resourceAmount(input.resources, name);
    if (ceiling === undefined || amount <= ceiling) continue;
    const asked = canonicalQuantityString(amount, 'DecimalSI');
    return { limit: 'maxPerSession', message: `quota exceeded: user ${input.user} asks for ${asked} ${name} in one session, over the per-session limit of ${max} ${quotaName(input)}` };
  }
  return undefined;
}

function checkCounts(input: QuotaCheckInput, limits: SessionQuotaLimits): QuotaViolation | undefined {
  const dimensions = [
    { limit: 'maxSessions', max: limits.maxSessions, has: input.others.sessions, adds: input.after.counted, had: input.before?.counted, what: 'sessions' },
    { limit: 'maxRunningSessions', max: limits.maxRunningSessions, has: input.others.running, adds: input.after.running, had: input.before?.running, what: 'running sessions' },
  ] as const;
  for (const d of dimensions) {
    if (d.max === undefined || !d.adds || d.had || d.has + 1 <= d.max) continue;
    return { limit: d.limit, message: `quota exceeded: user ${input.user} has ${d.has} of ${d.max} ${d.what} ${quotaName(input)}` };
  }
  return undefined;
}

function checkTotals(input: QuotaCheckInput, limits: SessionQuotaLimits): QuotaViolation | undefined {
  if (!input.after.running) return undefined;
  const dimensions = [
    { limit: 'maxTotalCPU', max: limits.maxTotalCPU, used: input.others.cpu, adds: input.after.cpu, had: input.before?.running ? input.before.cpu : 0n, text: cpuText, unit: 'CPU' },
    { limit: 'maxTotalMemory', max: limits.maxTotalMemory, used: input.others.memory, adds: input.after.memory, had: input.before?.running ? input.before.memory : 0n, text: memoryText, unit: 'memory' },
  ] as const;
  for (const d of dimensions) {
    const max = limitNanos(d.max);
    if (max === undefined || d.adds <= d.had || d.used + d.adds <= max) continue;
    return {
      limit: d.limit,
      message: `quota exceeded: user ${input.user} uses ${d.text(d.used)} of ${d.max} ${d.unit} in running sessions and this session needs ${d.text(d.adds)} more ${quotaName(input)}`,
    };
  }
  return undefined;
}

/** The first limit the write would break, in the order the user can best act on; undefined when it fits. */
export function quotaViolation(input: QuotaCheckInput): QuotaViolation | undefined {
  const limits = input.quota.spec?.limits ?? {};
  return checkTemplate(input) ?? checkStorage(input, limits) ?? checkPerSession(input, limits) ?? checkNamedResources(input, limits)
    ?? checkCounts(input, limits) ?? checkTotals(input, limits);
}

/** Whether `after` counts for more than `before` in any dimension (only growth needs reserving). */
function grows(before: SessionFootprint, after: SessionFootprint): boolean {
  return (after.counted && !before.counted) || (after.running && !before.running) || after.cpu > before.cpu || after.memory > before.memory;
}

/** Settings of the quota check. */
export interface SessionQuotaSettings extends GroupTrust {
  /** Size of each user's persistent home volume, as the Session controller requests it (default `10Gi`); checked against maxStorage. */
  homeVolumeSize?: string;
}

/** Where the quota check reads from. */
export interface SessionQuotaSources {
  quotas: () => SessionQuota[];
  usage: SessionUsageIndex;
  reservations: QuotaReservations;
  /** Told about every refusal (metrics). */
  onViolation?: (v: QuotaViolation) => void;
}

/** The quota half of the Session validating webhook. */
export class SessionQuotaCheck {
  readonly #src: SessionQuotaSources;
  readonly #settings: SessionQuotaSettings;
  readonly #homeVolumeSize: Quantity | undefined;

  constructor(sources: SessionQuotaSources, settings: SessionQuotaSettings = {}) {
    this.#src = sources;
    this.#settings = settings;
    this.#homeVolumeSize = parseQuantity(settings.homeVolumeSize ?? '10Gi');
  }

  /**
   * Decides a Session create or update and, when admitted (and not a dry run), reserves its new
   * footprint. Synchronous from reading usage to reserving: no other request interleaves.
   */
  admit(request: AdmissionRequest, template: Template | undefined): StatusError | undefined {
    const session = request.object as Session;
    const user = session.spec?.user ?? '';
    const old = request.operation === 'UPDATE' ? (request.oldObject as Session | null | undefined) ?? undefined : undefined;
    const fallback = session.spec?.resources ? undefined : template?.spec?.defaultResources;
    const after = footprintOf(session, fallback);
    const before = old ? footprintOf(old, old.spec?.resources ? undefined : template?.spec?.defaultResources) : undefined;
    // An update is judged with the groups recorded at creation, whoever makes it (a controller waking the session, say).
    const groups = old ? recordedUserGroups(old) : resolveUserGroups(session, request.userInfo, this.#settings).groups;
    const selected = selectSessionQuota(this.#src.quotas(), user, groups);
    const key = sessionKey(session);
    if (selected) {
      const input: QuotaCheckInput = {
        user, quota: selected.quota, template: session.spec?.template ?? '', others: this.#othersUsage(user, key), before, after,
        homeVolumeSize: this.#homeVolumeSize, resources: session.spec?.resources ?? fallback,
      };
      const violation = quotaViolation(input);
      if (violation) {
        this.#src.onViolation?.(violation);
        return new StatusError(403, 'Forbidden', violation.message);
      }
    }
    if (!request.dryRun && (!before || grows(before, after))) this.#reserve(session, old, user, after);
    return undefined;
  }

  /** The user's usage leaving out `key`: cached sessions, each overlaid by its pending reservation. */
  #othersUsage(user: string, key: string): UserUsage {
    const pending = this.#src.reservations.forUser(user).filter((r) => r.key !== key);
    const exclude = new Set([key, ...pending.map((r) => r.key)]);
    const usage = this.#src.usage.usageOf(user, exclude);
    for (const r of pending) {
      const cached = this.#src.usage.footprintOf(r.key);
      addFootprint(usage, cached ? largerFootprint(cached, r.footprint) : r.footprint);
    }
    return usage;
  }

  #reserve(session: Session, old: Session | undefined, user: string, footprint: SessionFootprint): void {
    const key = sessionKey(session);
    const replacesVersion = old?.metadata.resourceVersion ?? '';
    this.#src.reservations.reserve({ key, uid: session.metadata.uid ?? '', user, footprint, replacesVersion });
  }
}
