/**
 * Input hygiene before validation, for every route:
 * - JSON bodies nested deeper than {@link MAX_JSON_DEPTH} are refused (400) before they are parsed:
 *   a body 20,000 levels deep would otherwise exhaust the stack of the validators and answer 500;
 * - NUL characters in any string of the body, query or path are refused (400 naming the field):
 *   PostgreSQL text cannot hold them (the audit entry would be lost) and Kubernetes names never do;
 * - request bodies are validated without type coercion (`["firefox"]` is not the string
 *   `"firefox"`, `"1"` not the number 1); query strings and path parameters, which are text by
 *   nature, still are.
 */
import AjvCompiler, { type BuildCompilerFromPool } from '@fastify/ajv-compiler';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.ts';

/** How deeply a JSON body may nest objects and arrays. */
export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of objects and arrays in JSON `text` (a scan, no recursion, strings skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** The dotted path of the first string (or key) holding a NUL character in `value`, or undefined. */
export function nulField(value: unknown, at: string): string | undefined {
  const stack: [unknown, string][] = [[value, at]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) return path;
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k.includes('\0')) return path;
        stack.push([child, Array.isArray(v) ? `${path}[${k}]` : `${path}.${k}`]);
      }
    }
  }
  return undefined;
}

const pool = AjvCompiler() as BuildCompilerFromPool;

/** Fastify's validator factory: bodies compiled without coercion, other parts with fastify's options. */
export const strictBodyValidators: BuildCompilerFromPool = (externalSchemas, options) => {
  const lenient = pool(externalSchemas, options);
  const strict = pool(externalSchemas, { ...options, customOptions: { ...options?.customOptions, coerceTypes: false } } as typeof options);
  // Fastify calls the compiler with the route definition ({ schema, httpPart, … }), not the bare schema its types name.
  return ((route: { httpPart?: string }) => (route.httpPart === 'body' ? strict : lenient)(route as never)) as unknown as ReturnType<BuildCompilerFromPool>;
};

/** Adds the JSON parser with the depth cap and the NUL check; see the module comment. */
export function installInputHygiene(app: FastifyInstance): void {
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    // Many clients send `content-type: application/json` on every request: an empty body is no body
    // (routes that need one still answer 400 naming the missing field).
    if (text.trim() === '') return done(null, undefined);
    if (jsonDepth(text) > MAX_JSON_DEPTH) return done(new ApiError('SS_ERR_INVALID_JSON', `The request body nests deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    try {
      // Prototype pollution: __proto__ keys are dropped, as fastify's own parser does.
      done(null, JSON.parse(text, (key, value: unknown) => (key === '__proto__' ? undefined : value)));
    } catch (err) {
      done(new ApiError('SS_ERR_INVALID_JSON', `The request body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    const field = nulField(request.params, 'params') ?? nulField(request.query, 'query') ?? nulField(request.body, 'body');
    if (field) throw new ApiError('SS_ERR_INVALID_INPUT', `${field} must not contain NUL characters`, { field });
  });
}
