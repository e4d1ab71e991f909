/**
 * Status errors exactly as kube-apiserver writes them (apimachinery pkg/api/errors):
 * every failed request answers with a `Status` body carrying reason, code, details and causes.
 */

/** metav1.StatusCause: one field-level reason inside an Invalid (or other) error. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** metav1.StatusDetails. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The metav1.Status body of a failure. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** An error that the HTTP layer turns into a Status response. */
export class StatusError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The Status body for the response. */
  toStatus(): StatusBody {
    const body: StatusBody = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: this.message, reason: this.reason, code: this.code,
    };
    if (this.details) body.details = this.details;
    return body;
  }
}

/** Identifies a resource in messages: `pods`, `deployments.apps`, `sessions.stream.streamspace.io`. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** `deployments.apps`, or `pods` for the core group. */
export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export function notFound(gr: GroupResource, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`,
    { name, group: gr.group, kind: gr.resource });
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`,
    { name, group: gr.group, kind: gr.resource });
}

/** The optimistic-concurrency failure of a write carrying a stale resourceVersion. */
export function conflict(gr: GroupResource, name: string, why?: string): StatusError {
  const reason = why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${reason}`,
    { name, group: gr.group, kind: gr.resource });
}

/** 422 Invalid: `Kind.group "name" is invalid: field: Invalid value: ...: detail`. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): StatusError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const list = summary.length === 1 ? summary[0] : `[${summary.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${list}`,
    { name, group, kind, causes });
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function forbidden(gr: GroupResource, name: string, why: string): StatusError {
  const target = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
  return new StatusError(403, 'Forbidden', `${target} is forbidden: ${why}`,
    { name: name || undefined, group: gr.group, kind: gr.resource });
}

export function unauthorized(): StatusError {
  return new StatusError(401, 'Unauthorized', 'Unauthorized');
}

export function methodNotSupported(gr: GroupResource, verb: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualifiedResource(gr)}"`,
    { group: gr.group, kind: gr.resource });
}

export function unsupportedMediaType(accepted: string[]): StatusError {
  return new StatusError(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

/** 410 Expired: a watch or list from a resourceVersion older than the kept history. */
export function expired(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function tooManyRequests(message: string, retryAfterSeconds = 1): StatusError {
  return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function internalError(message: string): StatusError {
  return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`,
    { causes: [{ reason: 'UnexpectedServerResponse', message }] });
}

export function timeout(message: string): StatusError {
  return new StatusError(504, 'Timeout', message);
}

/** Builds a FieldValueInvalid-style cause list entry with the apimachinery message shape. */
export function fieldInvalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${formatValue(value)}: ${detail}` };
}

export function fieldRequired(field: string, detail = ''): StatusCause {
  return { reason: 'FieldValueRequired', field, message: detail ? `Required value: ${detail}` : 'Required value' };
}

export function fieldForbidden(field: string, detail: string): StatusCause {
  return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` };
}

export function fieldNotSupported(field: string, value: unknown, allowed: string[]): StatusCause {
  const list = allowed.map((a) => JSON.stringify(a)).join(', ');
  return { reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${formatValue(value)}: supported values: ${list}` };
}

export function fieldTypeInvalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: 'FieldValueTypeInvalid', field, message: `Invalid value: ${formatValue(value)}: ${detail}` };
}

export function fieldDuplicate(field: string, value: unknown): StatusCause {
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${formatValue(value)}` };
}

/** Formats a value the way apimachinery's field errors print it (strings quoted, objects as JSON). */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? `[]interface {}{...}` : `map[string]interface {}{...}`;
  return String(value);
}
