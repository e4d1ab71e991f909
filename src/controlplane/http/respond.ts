/** Writing responses: JSON bodies, Status errors and warning headers. */
import type { ServerResponse } from 'node:http';
import { StatusError, internalError } from '../../apimachinery/errors.ts';

/** Writes a JSON body with `code`. */
export function sendJson(res: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = {
    'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-cache, private',
  };
  if (warnings.length) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

/** The warnings each request has gathered so far, so an error answer still carries them. */
const requestWarnings = new WeakMap<ServerResponse, string[]>();

/**
 * Ties a request's warning list to its response: kube-apiserver returns the warnings gathered
 * before a failure (a denying webhook's own warnings, say) with the error.
 */
export function collectWarnings(res: ServerResponse, warnings: string[]): void {
  requestWarnings.set(res, warnings);
}

/** Writes an error as a Status body with the request's warnings; unexpected errors become 500 InternalError. */
export function sendError(res: ServerResponse, err: unknown): void {
  const se = err instanceof StatusError ? err : internalError(err instanceof Error ? err.message : String(err));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (se.code === 429 && se.details?.retryAfterSeconds) res.setHeader('Retry-After', String(se.details.retryAfterSeconds));
  sendJson(res, se.code, se.toStatus(), requestWarnings.get(res));
}

/** A Status Success body (what some deletes and evictions answer). */
export function successStatus(details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}) };
}
