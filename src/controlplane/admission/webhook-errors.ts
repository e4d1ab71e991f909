/**
 * The errors of webhook admission, shaped as kube-apiserver sends them
 * (apiserver pkg/admission/plugin/webhook/errors/statuserror.go, pkg/util/webhook/error.go):
 * - a webhook that could not be called (transport failure, bad response) is a WebhookCallError;
 *   under failurePolicy Fail it reaches the client as 500 `Internal error occurred: failed calling
 *   webhook "<name>": <reason>`, under Ignore it is skipped;
 * - a webhook's denial reaches the client as the webhook's own Status, with the message prefixed
 *   `admission webhook "<name>" denied the request: `.
 */
import { StatusError, type StatusBody, type StatusCause, type StatusDetails } from '../../apimachinery/errors.ts';

/** metav1.Status as a webhook may return it inside `response.status` (every field optional). */
export interface WebhookStatus {
  metadata?: Record<string, unknown>;
  status?: string;
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code?: number;
}

/**
 * A StatusError whose body is written field for field as given: empty reason and details are
 * omitted (as Go's omitempty does) and a webhook's status details and metadata pass through.
 */
export class PassthroughStatusError extends StatusError {
  private readonly status: WebhookStatus;

  constructor(status: WebhookStatus & { code: number; message: string }) {
    super(status.code, status.reason ?? '', status.message, status.details);
    this.status = status;
  }

  override toStatus(): StatusBody {
    const body: Record<string, unknown> = {
      kind: 'Status', apiVersion: 'v1', metadata: this.status.metadata ?? {}, status: this.status.status ?? 'Failure', message: this.message,
    };
    if (this.reason) body.reason = this.reason;
    if (this.details && Object.keys(this.details).length) body.details = this.details;
    body.code = this.code;
    return body as unknown as StatusBody;
  }
}

/** apierrors.NewInternalError: 500, the message prefixed, one cause carrying only the message. */
export function webhookInternalError(message: string): StatusError {
  // metav1.StatusCause's reason is omitempty; the cause of an internal error has none.
  const cause = { message } as StatusCause;
  return new PassthroughStatusError({ code: 500, reason: 'InternalError', message: `Internal error occurred: ${message}`, details: { causes: [cause] } });
}

/** A webhook that could not be called or answered unusably (webhookutil.ErrCallingWebhook). */
export class WebhookCallError extends Error {
  readonly webhookName: string;

  constructor(webhookName: string, reason: string) {
    super(`failed calling webhook ${JSON.stringify(webhookName)}: ${reason}`);
    this.webhookName = webhookName;
  }
}

/** errors.ToStatusErr: the client's view of a denial (`allowed: false`) by webhook `name`. */
export function webhookDenial(name: string, result: WebhookStatus | undefined | null): StatusError {
  const status: WebhookStatus = { ...(result ?? {}) };
  const deniedBy = `admission webhook ${JSON.stringify(name)} denied the request`;
  const code = typeof status.code === 'number' && status.code >= 400 ? status.code : 400;
  const message = status.message ? `${deniedBy}: ${status.message}` : status.reason ? `${deniedBy}: ${status.reason}` : `${deniedBy} without explanation`;
  const state = !status.status || status.status === 'Success' ? 'Failure' : status.status;
  return new PassthroughStatusError({ ...status, code, message, status: state });
}

/** errors.NewDryRunUnsupportedErr: a dry-run request reached a webhook that has side effects. */
export function dryRunUnsupported(name: string): StatusError {
  return new StatusError(400, 'BadRequest', `admission webhook ${JSON.stringify(name)} does not support dry run`);
}
