/**
 * The API's one error catalogue. Every failure a client can see is an entry here: a stable
 * `SS_ERR_*` code, an HTTP status and a message template. Routes throw {@link ApiError}s built
 * from these entries; the error handler turns them (and fastify's own validation, body and
 * parser errors) into `{ error, message, field? }` bodies. docs/API.md lists every entry and
 * test/api/errors-catalogue.test.ts checks the two against each other.
 */

/** One catalogue entry: HTTP status and the default message. */
export interface ErrorEntry {
  status: number;
  message: string;
}

/** Every error the API answers with, by code. */
export const ERRORS = {
  // Input
  SS_ERR_INVALID_INPUT: { status: 400, message: 'The request is invalid' },
  SS_ERR_INVALID_JSON: { status: 400, message: 'The request body is not valid JSON' },
  SS_ERR_BODY_TOO_LARGE: { status: 413, message: 'The request body is larger than the limit' },
  SS_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body must be application/json' },
  // Authentication and authorization
  SS_ERR_UNAUTHENTICATED: { status: 401, message: 'Authentication is required' },
  SS_ERR_INVALID_CREDENTIALS: { status: 401, message: 'The user name or password is wrong' },
  SS_ERR_INVALID_TOKEN: { status: 401, message: 'The access token is invalid' },
  SS_ERR_UNTRUSTED_PROXY: { status: 401, message: 'Identity headers are only accepted from trusted proxies' },
  SS_ERR_FORBIDDEN: { status: 403, message: 'You may not do this' },
  SS_ERR_ADMISSION_DENIED: { status: 403, message: 'The cluster refused the request' },
  // Resources
  SS_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  SS_ERR_ROUTE_NOT_FOUND: { status: 404, message: 'No such route' },
  SS_ERR_CONFLICT: { status: 409, message: 'The resource already exists or was changed concurrently' },
  // Limits and availability
  SS_ERR_RATE_LIMITED: { status: 429, message: 'Too many requests' },
  SS_ERR_KUBERNETES: { status: 502, message: 'The Kubernetes API failed the request' },
  SS_ERR_DATABASE_UNAVAILABLE: { status: 503, message: 'The database is unavailable' },
  SS_ERR_INTERNAL: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, ErrorEntry>;

/** A code of the catalogue. */
export type ErrorCode = keyof typeof ERRORS;

/** The body of every error response. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  /** The offending input field, as a dotted path (`body.state`, `query.limit`). */
  field?: string;
}

/** The JSON schema of {@link ErrorBody}, for the OpenAPI document. */
export const errorBodySchema = {
  $id: 'Error',
  type: 'object',
  description: 'Every error response: a catalogue code, a message and, for bad input, the field at fault.',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', enum: Object.keys(ERRORS), description: 'Catalogue code (docs/API.md, "Errors").' },
    message: { type: 'string' },
    field: { type: 'string', description: 'Dotted path of the input at fault, e.g. `body.state`.' },
  },
} as const;

/** An error response waiting to be sent: a catalogue code, a message and maybe a field. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly field: string | undefined;
  /** Extra response headers (e.g. `Retry-After`, `WWW-Authenticate`). */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, opts: { field?: string; headers?: Record<string, string> } = {}) {
    super(message ?? ERRORS[code].message);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = ERRORS[code].status;
    this.field = opts.field;
    this.headers = opts.headers ?? {};
  }

  /** The response body. */
  toBody(): ErrorBody {
    return this.field === undefined ? { error: this.code, message: this.message } : { error: this.code, message: this.message, field: this.field };
  }
}

/** 400 for one input field. */
export function invalidInput(field: string, message: string): ApiError {
  return new ApiError('SS_ERR_INVALID_INPUT', message, { field });
}

/** 403 with the reason the caller is refused. */
export function forbidden(reason: string): ApiError {
  return new ApiError('SS_ERR_FORBIDDEN', reason);
}

/** 404 naming what was looked for. */
export function notFound(what: string): ApiError {
  return new ApiError('SS_ERR_NOT_FOUND', `${what} not found`);
}

/**
 * 503 naming the database (`unavailable` is the DatabaseUnavailableError's message, which names
 * it; the driver's own error, with addresses, stays in the log) and what it means for the call.
 */
export function databaseUnavailable(unavailable: { message: string }, consequence = 'try again later'): ApiError {
  return new ApiError('SS_ERR_DATABASE_UNAVAILABLE', `${unavailable.message}; ${consequence}`, { headers: { 'retry-after': '5' } });
}
