/**
 * Builds the Session a create request asks for: the caller as owner, the template and the
 * overrides from the body, a generated name (`<user>-<random>`), and labels that let kubectl
 * find a user's sessions. Semantic checks (durations, quantities) reuse the validators the
 * webhook runs, so a bad value is a 400 naming the field instead of a Kubernetes 422.
 */
import { randomBytes } from 'node:crypto';
import { apiVersion } from '../../apis/stream/v1alpha1/groupversion.ts';
import { USER_GROUPS_ANNOTATION } from '../../apis/stream/v1alpha1/user-groups.ts';
import { LABELS, userLabelValue } from '../../apis/stream/v1alpha1/naming.ts';
import { SessionSpec, type Session } from '../../apis/stream/v1alpha1/session.ts';
import { validateSessionSpec } from '../../apis/stream/v1alpha1/session-validation.ts';
import { invalidInput } from '../errors.ts';
import { closedSchema, plainSchema } from '../schemas.ts';

/** Who a session is created for: the account's name and, for built-in accounts, its immutable id. */
export interface SessionOwner {
  username: string;
  accountId?: string;
  /** The caller's groups, recorded on the session for group quotas. */
  groups?: readonly string[];
}

/** The label naming a session's owner: the one user label every part writes (apis/stream/v1alpha1/naming.ts). */
export const USER_LABEL = LABELS.user;

/** What a create request may set: every spec field except the owner. */
export type SessionCreateBody = Omit<SessionSpec, 'user' | 'userId'>;

/** The states a session may be created in. */
const CREATE_STATES = ['running', 'hibernated'];

/** The JSON schema of the create body, derived from the Session spec schema. */
export function sessionCreateSchema(): object {
  const { user: _user, userId: _userId, ...properties } = plainSchema(SessionSpec).properties;
  // A session is created to run (or to wait hibernated); creating one already terminated makes no sense.
  const state = { ...properties.state, enum: CREATE_STATES, description: 'Initial state: `running` (default) or `hibernated`.' };
  return closedSchema({ type: 'object', required: ['template'], additionalProperties: false, description: 'The template to launch and optional overrides of the session spec.', properties: { ...properties, state } });
}

/** A label-safe, name-safe form of a user name (lower-case, `[a-z0-9-]`, at most 40 characters). */
export function userSlug(user: string): string {
  const slug = user.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return slug || 'user';
}

function randomSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(6)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The user's groups as the quota webhook reads them: comma-separated. A group whose name holds a
 * comma cannot be written unambiguously and is left out (it could otherwise split into two names).
 * The webhook believes this annotation only because the API writes as a requester it trusts to
 * state groups (src/webhooks/user-groups.ts); the create body has no metadata, so a user cannot set it.
 */
function groupsAnnotation(groups: readonly string[]): { annotations?: Record<string, string> } {
  const usable = groups.filter((g) => g && !g.includes(','));
  return usable.length ? { annotations: { [USER_GROUPS_ANNOTATION]: usable.join(',') } } : {};
}

/** The Session object to create for `owner` (in its groups); 400 naming the field when the body is semantically invalid. */
export function buildSession(owner: SessionOwner, namespace: string, body: SessionCreateBody): Session {
  const user = owner.username;
  const groups = owner.groups ?? [];
  const spec: SessionSpec = { ...body, user, ...(owner.accountId ? { userId: owner.accountId } : {}) };
  const problem = validateSessionSpec(spec)[0];
  if (problem) throw invalidInput(`body.${(problem.field ?? 'spec').replace(/^spec\.?/, '')}`, problem.message);
  const slug = userSlug(user);
  return {
    apiVersion, kind: 'Session',
    metadata: {
      name: `${slug}-${randomSuffix()}`, namespace, labels: { [USER_LABEL]: userLabelValue(user), 'app.kubernetes.io/managed-by': 'streamspace-api' }, ...groupsAnnotation(groups),
    },
    spec,
  };
}
