/**
 * JSON request bodies: fastify's own parser (prototype-poisoning checks included), except that an
 * empty body is no body.
 */
import type { FastifyInstance } from 'fastify';

/**
 * Many clients send `content-type: application/json` on every request, bodies or not: an empty
 * body is "no body" (routes that need one still answer 400 naming the missing field).
 */
export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text === '') done(null, undefined);
    else void parseJson(request, text, done);
  });
}
