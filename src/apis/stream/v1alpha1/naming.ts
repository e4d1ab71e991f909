/**
 * Names and labels derived from a session: its children's names, the user's home claim, the
 * label values that select them, and the session host. Every function is pure and
 * deterministic, so a controller restarted mid-reconcile finds the objects it created before
 * instead of creating twins.
 *
 * Where a value has to be sanitized (user names such as `john.doe` or `John Doe` are not valid
 * object names), a short hash of the EXACT original is appended: two inputs that sanitize alike
 * (`john.doe`, `john-doe`) still get different names.
 */
import { createHash } from 'node:crypto';
import type { Session } from './session.ts';

/** The name of the session container in a session's pod. */
export const SESSION_CONTAINER = 'session';

/** The name of the streaming port on the session's container and Service (the gateway proxies to it). */
export const STREAM_PORT_NAME = 'stream';

/** Label and annotation keys of StreamSpace objects. */
export const LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  user: 'stream.streamspace.io/user',
  template: 'stream.streamspace.io/template',
  session: 'stream.streamspace.io/session',
} as const;

/**
 * The user label the API wrote on Sessions before there was one user label (`<slug>` of the user
 * name, no hash). Nothing reads it: owners are found and quotas counted by spec.user. The
 * defaulting webhook removes it from a Session at its next write (sessions created then also
 * carry {@link LABELS}.user, which the webhook wrote at the time).
 */
export const LEGACY_USER_LABEL = 'streamspace.io/user';

/** Annotation keys holding the exact (unsanitized) user and session names. */
export const ANNOTATIONS = {
  user: 'stream.streamspace.io/user',
  session: 'stream.streamspace.io/session',
} as const;

/** The value of app.kubernetes.io/managed-by on everything the controller creates. */
export const MANAGED_BY = 'streamspace-controller';

/** The finalizer that lets the controller remove a session's children before it disappears. */
export const SESSION_FINALIZER = 'stream.streamspace.io/session-cleanup';

const HASH_LENGTH = 10;
const MAX_LABEL = 63;

/** The first 10 hex digits of SHA-256 of `value`: short, stable, and 40 bits against collisions. */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, HASH_LENGTH);
}

/** Lower-case, with runs of anything but [a-z0-9] turned into one `-`, trimmed of `-`. */
function dnsChars(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** `text` cut so that `-<hash of original>` still fits in `max` characters, then that hash appended. */
function withHash(text: string, original: string, max: number): string {
  const room = max - HASH_LENGTH - 1;
  const head = text.slice(0, room).replace(/-+$/, '');
  return head ? `${head}-${shortHash(original)}` : shortHash(original);
}

/**
 * `value` as a DNS-1123 label (≤ 63 chars, [a-z0-9-], alphanumeric ends): unchanged when it
 * already is one, otherwise sanitized with a hash of the original appended.
 */
export function dnsLabel(value: string, max = MAX_LABEL): string {
  if (value.length <= max && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) return value;
  return withHash(dnsChars(value), value, max);
}

/** Name of a session's Deployment, Service and route: `ss-<session>` as a DNS-1035 label. */
export function workloadName(session: Session): string {
  return dnsLabel(`ss-${session.metadata.name}`);
}

/** The session's name as one DNS label, for `{session}` in host names. */
export function sessionHostLabel(session: Session): string {
  return dnsLabel(session.metadata.name ?? '');
}

/**
 * Name of the user's home PersistentVolumeClaim: `home-<sanitized user>-<hash of the exact user>`.
 * The hash is always there, so `john.doe` and `john-doe` never share a volume.
 */
export function homeClaimName(user: string): string {
  return withHash(`home-${dnsChars(user)}`, user, MAX_LABEL);
}

/** A label value for an arbitrary string: sanitized, with a hash of the exact value. */
export function userLabelValue(user: string): string {
  return withHash(user.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, ''), user, MAX_LABEL);
}

/** A DNS subdomain name (session, template) as a label value: as is when it fits, else cut + hash. */
export function nameLabelValue(name: string): string {
  return name.length <= MAX_LABEL ? name : withHash(name, name, MAX_LABEL);
}

/** The labels that select one session's pods (the Deployment selector: never changes). */
export function selectorLabels(session: Session): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.session]: nameLabelValue(session.metadata.name ?? ''),
  };
}

/** Every label of a session's Deployment, pods, Service and route. */
export function sessionLabels(session: Session): Record<string, string> {
  return {
    [LABELS.name]: 'streamspace-session',
    [LABELS.instance]: nameLabelValue(session.metadata.name ?? ''),
    [LABELS.component]: 'session',
    [LABELS.partOf]: 'streamspace',
    ...selectorLabels(session),
    [LABELS.user]: userLabelValue(session.spec.user),
    [LABELS.template]: nameLabelValue(session.spec.template),
  };
}

/** Labels of a user's home claim (shared by the user's sessions, so no session label). */
export function homeClaimLabels(user: string): Record<string, string> {
  return {
    [LABELS.name]: 'streamspace-home',
    [LABELS.component]: 'home',
    [LABELS.partOf]: 'streamspace',
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.user]: userLabelValue(user),
  };
}
