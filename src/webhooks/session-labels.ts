/**
 * The labels the defaulting webhook puts on every Session, so sessions can be selected by user and
 * template (kubectl -l, informer filters, dashboards). Keys and values are the Session controller's
 * (src/controllers/session/naming.ts), so a Session and the Deployment, pods and home claim made for
 * it carry the same user and template labels: the user's value is sanitised and always carries a
 * hash of the exact name, a template name is kept when it fits a label value.
 */
import { LABELS, nameLabelValue, userLabelValue } from '../apis/stream/v1alpha1/naming.ts';

/** Label holding the (sanitised) name of the session's user. */
export const USER_LABEL = LABELS.user;
/** Label holding the name of the session's template. */
export const TEMPLATE_LABEL = LABELS.template;

/** The labels a session with `user` and `template` must carry. */
export function sessionLabels(user: string, template: string): Record<string, string> {
  return { [USER_LABEL]: userLabelValue(user), [TEMPLATE_LABEL]: nameLabelValue(template) };
}
