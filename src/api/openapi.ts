/**
 * The OpenAPI 3.1 document, generated from the routes' own JSON schemas (the schemas fastify
 * validates with), so the document cannot drift from what the server accepts. Routes are
 * collected as they are registered; the document is built once, after startup.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ERRORS, errorBodySchema } from './errors.ts';

declare module 'fastify' {
  interface FastifySchema {
    /** One line on what the route does (OpenAPI `summary`). */
    summary?: string;
    description?: string;
    /** OpenAPI tags: the route group. */
    tags?: string[];
    /** Leave the route out of the document. */
    hide?: boolean;
  }
}

interface RouteSchema {
  summary?: string;
  description?: string;
  tags?: string[];
  body?: Record<string, unknown>;
  querystring?: { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  params?: { properties?: Record<string, Record<string, unknown>> };
  response?: Record<string, Record<string, unknown>>;
  hide?: boolean;
}

interface CollectedRoute {
  method: string;
  url: string;
  schema: RouteSchema;
  public: boolean;
  admin: boolean;
}

/** Collects routes and renders the document. */
export class OpenApiBuilder {
  readonly #routes: CollectedRoute[] = [];
  #document: Record<string, unknown> | undefined;

  /** Records every route registered on `app` from now on. */
  collect(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => {
      const schema = route.schema as RouteSchema | undefined;
      if (!schema || schema.hide) return;
      const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
      const auth = (route.config as { auth?: string } | undefined)?.auth;
      for (const method of methods) this.#routes.push({ method: method.toLowerCase(), url: route.url, schema, public: auth === 'public', admin: auth === 'admin' });
    });
  }

  /** The document (built on first call). */
  document(info: { version: string; serverUrl?: string }): Record<string, unknown> {
    this.#document ??= this.#build(info);
    return this.#document;
  }

  #build(info: { version: string; serverUrl?: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of [...this.#routes].sort((a, b) => a.url.localeCompare(b.url))) {
      const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      (paths[path] ??= {})[r.method] = operation(r);
    }
    const { $id: _id, ...errorSchema } = errorBodySchema;
    return {
      openapi: '3.1.0',
      info: {
        title: 'StreamSpace API', version: info.version,
        description: 'Sessions, templates, accounts and audit of StreamSpace. Errors are `{error, message, field?}` with a code from the catalogue in docs/API.md.',
      },
      ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
      paths,
      components: {
        schemas: { Error: errorSchema },
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token (built-in login or the OIDC provider), or an API key `ssk_...`.' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    };
  }
}

function operation(r: CollectedRoute): Record<string, unknown> {
  const s = r.schema;
  const op: Record<string, unknown> = { summary: s.summary, description: s.description, tags: s.tags, parameters: parameters(s), responses: responses(r) };
  if (s.body) op.requestBody = { required: true, content: { 'application/json': { schema: stripId(s.body) } } };
  if (!r.public) op.security = [{ bearerAuth: [] }, { apiKey: [] }];
  return op;
}

function parameters(s: RouteSchema): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [name, schema] of Object.entries(s.params?.properties ?? {})) out.push({ name, in: 'path', required: true, schema, description: schema.description });
  const required = new Set(s.querystring?.required ?? []);
  for (const [name, schema] of Object.entries(s.querystring?.properties ?? {})) {
    out.push({ name, in: 'query', required: required.has(name), schema, description: schema.description });
  }
  return out;
}

const errorRef = { $ref: '#/components/schemas/Error' };

function responses(r: CollectedRoute): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [code, schema] of Object.entries(r.schema.response ?? {})) {
    const { description, ...rest } = stripId(schema);
    out[code] = { description: typeof description === 'string' ? description : 'OK', content: { 'application/json': { schema: rest } } };
  }
  const errors: Record<string, string> = { 400: ERRORS.SS_ERR_INVALID_INPUT.message, 429: ERRORS.SS_ERR_RATE_LIMITED.message };
  if (!r.public) errors[401] = ERRORS.SS_ERR_UNAUTHENTICATED.message;
  if (!r.public) errors[403] = ERRORS.SS_ERR_FORBIDDEN.message;
  for (const [code, description] of Object.entries(errors)) out[code] ??= { description, content: { 'application/json': { schema: errorRef } } };
  return out;
}

function stripId(schema: Record<string, unknown>): Record<string, unknown> {
  const { $id: _id, ...rest } = schema;
  return rest;
}
