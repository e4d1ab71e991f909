/**
 * The labels the defaulting webhook puts on every Session, so sessions can be selected by user and
 * template (kubectl -l, informer filters, dashboards). Label values are limited to 63 characters of
 * [A-Za-z0-9._-], starting and ending alphanumeric; user names (e-mail addresses, OIDC subjects) and
 * long template names often are not, so values are sanitised deterministically.
 */
import { createHash } from 'node:crypto';
import { group } from '../apis/stream/v1alpha1/groupversion.ts';

/** Label holding the (sanitised) name of the session's user. */
export const USER_LABEL = `${group}/user`;
/** Label holding the (sanitised) name of the session's template. */
export const TEMPLATE_LABEL = `${group}/template`;

const MAX_LABEL_VALUE = 63;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const HASH_LENGTH = 8;

/**
 * `text` as a label value: unchanged when it already is a valid one; otherwise disallowed characters
 * become `-`, the result is trimmed to fit, and a short hash of the original is appended so that two
 * different names that sanitise alike (`a@b`, `a-b`) still get different labels.
 */
export function labelValueFor(text: string): string {
  if (text.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(text)) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
  const cleaned = text.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, MAX_LABEL_VALUE - HASH_LENGTH - 1);
  const trimmed = cleaned.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
  return trimmed ? `${trimmed}-${hash}` : hash;
}

/** The labels a session with `user` and `template` must carry. */
export function sessionLabels(user: string, template: string): Record<string, string> {
  return { [USER_LABEL]: labelValueFor(user), [TEMPLATE_LABEL]: labelValueFor(template) };
}
