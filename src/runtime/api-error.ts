/**
 * Typed API errors. kube-apiserver answers every failure with a metav1.Status body. KubeApiError
 * parses it once so callers can ask "was it a 404?" without JSON.parse in every controller.
 * It has the shape of client-node's ApiException (code, body, headers) without importing
 * client-node, and toApiError also accepts ApiExceptions thrown by client-node's generated APIs.
 */
import type { StatusDetails } from '../apimachinery/errors.ts';

/** A failed API request: HTTP code, Status reason and message. `body` keeps the raw text. */
export class KubeApiError extends Error {
  /** The HTTP status code. */
  readonly code: number;
  /** The response body as received. */
  readonly body: string;
  readonly headers: Record<string, string>;
  /** metav1.Status reason, e.g. `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`. */
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, body: string, headers: Record<string, string> = {}) {
    super();
    this.code = code;
    this.body = body;
    this.headers = headers;
    const status = parseStatus(body);
    this.name = 'KubeApiError';
    this.reason = status?.reason || reasonForCode(code);
    this.details = status?.details;
    this.message = status?.message || `HTTP ${code}${body ? `: ${body.slice(0, 200)}` : ''}`;
  }
}

interface ParsedStatus {
  reason?: string;
  message?: string;
  details?: StatusDetails;
}

function parseStatus(body: unknown): ParsedStatus | undefined {
  if (body && typeof body === 'object') return body as ParsedStatus;
  if (typeof body !== 'string' || !body.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' ? (parsed as ParsedStatus) : undefined;
  } catch {
    return undefined;
  }
}

/** apimachinery's reason for a bare HTTP code, used when the body carries none. */
function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
    409: 'Conflict', 410: 'Expired', 415: 'UnsupportedMediaType', 422: 'Invalid', 429: 'TooManyRequests',
    500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}

/**
 * The typed form of `err` when it is an API failure (an KubeApiError, or any client-node
 * ApiException whose body is the raw Status text or an already-parsed object).
 */
export function toApiError(err: unknown): KubeApiError | undefined {
  if (err instanceof KubeApiError) return err;
  if (isApiException(err)) {
    const body = typeof err.body === 'string' ? err.body : JSON.stringify(err.body ?? '');
    return new KubeApiError(err.code, body, err.headers ?? {});
  }
  return undefined;
}

/** client-node's ApiException, recognised by shape (an Error with a numeric HTTP code and a body). */
function isApiException(err: unknown): err is Error & { code: number; body: unknown; headers?: Record<string, string> } {
  if (!(err instanceof Error) || err.name === 'KubeApiError') return false;
  const e = err as Error & { code?: unknown };
  return typeof e.code === 'number' && e.code >= 100 && e.code <= 599 && 'body' in err;
}

function hasReason(err: unknown, reason: string, code: number): boolean {
  const api = toApiError(err);
  return api !== undefined && (api.reason === reason || (api.reason === 'Unknown' && api.code === code));
}

/** True for 404 NotFound. */
export function isNotFound(err: unknown): boolean {
  return hasReason(err, 'NotFound', 404);
}

/** True for 409 AlreadyExists (create of an existing name). */
export function isAlreadyExists(err: unknown): boolean {
  return hasReason(err, 'AlreadyExists', 409);
}

/** True for 409 Conflict (stale resourceVersion, or a server-side apply conflict). */
export function isConflict(err: unknown): boolean {
  return hasReason(err, 'Conflict', 409);
}

/** True for 422 Invalid. */
export function isInvalid(err: unknown): boolean {
  return hasReason(err, 'Invalid', 422);
}

/** True for 410 Expired/Gone (resourceVersion too old). */
export function isExpired(err: unknown): boolean {
  const api = toApiError(err);
  return api !== undefined && (api.code === 410 || api.reason === 'Expired' || api.reason === 'Gone');
}

/** Swallows 404 NotFound, rethrows anything else: `await client.delete(o).catch(ignoreNotFound)`. */
export function ignoreNotFound(err: unknown): undefined {
  if (isNotFound(err)) return undefined;
  throw err;
}

/** Swallows 409 AlreadyExists, rethrows anything else: `await client.create(o).catch(ignoreAlreadyExists)`. */
export function ignoreAlreadyExists(err: unknown): undefined {
  if (isAlreadyExists(err)) return undefined;
  throw err;
}
