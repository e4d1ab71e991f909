/**
 * The one place errors become responses. Everything leaves as `{ error, message, field? }` with
 * a catalogue code (../errors.ts): our own ApiErrors as they are, fastify's schema validation
 * failures as 400 naming the field, body and content-type problems as 400/413/415, Kubernetes
 * failures through kube-errors.ts, and anything unexpected as a logged 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseUnavailableError } from '../db/database-unavailable.ts';
import { ApiError, databaseUnavailable } from '../errors.ts';
import { fromKubernetesError } from '../kube/kube-errors.ts';
import { noteAudit } from './audit.ts';

interface AjvIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

const LOCATION: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

/** The dotted path of the input an ajv issue is about (`body.resources.limits`). */
export function fieldOf(context: string | undefined, issue: AjvIssue): string {
  const segments = (issue.instancePath ?? '').split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  if (typeof extra === 'string') segments.push(extra);
  return [LOCATION[context ?? 'body'] ?? 'body', ...segments].join('.');
}

function validationError(err: FastifyError): ApiError {
  const issue = (err.validation?.[0] ?? {}) as AjvIssue;
  const field = fieldOf(err.validationContext, issue);
  let message = `${field} ${issue.message ?? 'is invalid'}`;
  if (issue.keyword === 'additionalProperties') message = `${field} is not a known field`;
  if (issue.keyword === 'enum' && Array.isArray(issue.params?.allowedValues)) message = `${field} must be one of: ${issue.params.allowedValues.join(', ')}`;
  return new ApiError('SS_ERR_INVALID_INPUT', message, { field });
}

/** The ApiError a thrown value stands for. */
export function toResponseError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DatabaseUnavailableError) return databaseUnavailable(err);
  const translated = fromKubernetesError(err);
  if (translated instanceof ApiError) return translated;
  const f = err as FastifyError;
  if (f.validation) return validationError(f);
  switch (f.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new ApiError('SS_ERR_BODY_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new ApiError('SS_ERR_UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return new ApiError('SS_ERR_INVALID_JSON', 'The request body is empty but the content type is JSON');
    case 'FST_ERR_CTP_INVALID_JSON_BODY': return new ApiError('SS_ERR_INVALID_JSON');
  }
  if (err instanceof SyntaxError) return new ApiError('SS_ERR_INVALID_JSON', `The request body is not valid JSON: ${err.message}`);
  if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) return new ApiError('SS_ERR_INVALID_INPUT', f.message);
  return new ApiError('SS_ERR_INTERNAL');
}

/** Sends `err` as an error response. */
export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const apiError = toResponseError(err);
  if (apiError.statusCode >= 500) request.log.error({ err, cause: err instanceof Error ? String(err.cause ?? '') : undefined }, 'Request failed');
  noteAudit(request, { detail: apiError.message });
  return reply.code(apiError.statusCode).headers(apiError.headers).send(apiError.toBody());
}

/** Installs the error and not-found handlers on the root instance. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler((request, reply) => sendError(request, reply, new ApiError('SS_ERR_ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`)));
}
