/**
 * The errors the code-server service reports, with the seed's messages (its error table:
 * `unauthorized`, `repository access denied`, `failed to create storage`, `failed to create
 * instance`, `instance not found`, `pod not ready`) as the start of every message, and a code
 * in the GraphQL error's `extensions.code` so clients need not parse text.
 */

/** The seed's error messages. */
export const MESSAGES = {
  unauthorized: 'unauthorized',
  accessDenied: 'repository access denied',
  storage: 'failed to create storage',
  instance: 'failed to create instance',
  notFound: 'instance not found',
  podNotReady: 'pod not ready',
  forbidden: 'forbidden',
  invalidInput: 'invalid input',
  syncFailed: 'repository sync failed',
  internal: 'internal error',
} as const;

/** Machine-readable error codes (GraphQL `extensions.code`). */
export type CodeServerErrorCode =
  | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'BAD_USER_INPUT' | 'NOT_FOUND' | 'UNAVAILABLE' | 'TIMEOUT' | 'CONFLICT' | 'INTERNAL';

/** A failure the caller may see: message and code. */
export class CodeServerError extends Error {
  readonly code: CodeServerErrorCode;
  /** Read by graphql-js when it wraps the error: becomes the GraphQL error's extensions. */
  readonly extensions: { code: CodeServerErrorCode; field?: string };

  constructor(code: CodeServerErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'CodeServerError';
    this.code = code;
    this.extensions = { code, ...(field ? { field } : {}) };
  }
}

/** `base`, or `base: detail` when there is a detail (the seed wraps causes the same way). */
export function withDetail(base: string, detail: string | undefined): string {
  return detail ? `${base}: ${detail}` : base;
}

/** The caller is not authenticated. */
export function unauthorized(): CodeServerError {
  return new CodeServerError('UNAUTHENTICATED', MESSAGES.unauthorized);
}

/** No instance with that id that the caller may see (someone else's looks the same as none). */
export function instanceNotFound(): CodeServerError {
  return new CodeServerError('NOT_FOUND', MESSAGES.notFound);
}
