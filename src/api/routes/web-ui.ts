/**
 * The web UI (web/, built by `npm run build` into web/dist) served at `/`. The UI routes with
 * the URL's hash (`/#/sessions`), so only the built files need serving: no fallback route that
 * could shadow the API or the gateway's `/s/{session}/`. Without a build `/` says how to make one.
 */
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** Where `npm run build` writes the UI (the same from src/api/routes and dist/api/routes). */
export const DEFAULT_WEB_ROOT = path.resolve(import.meta.dirname, '../../../web/dist');

/** Serves `root` at `/` when it holds a build, else a page that says how to build it. */
export function webUiRoutes(root: string): FastifyPluginAsync {
  return async (app) => {
    if (!fs.existsSync(path.join(root, 'index.html'))) {
      app.get('/', { schema: { hide: true } }, async (_request, reply) =>
        reply.code(503).type('text/plain').send(`The web UI is not built (${root} has no index.html): run npm run build.\n`));
      return;
    }
    // wildcard: false registers one route per file found now, so unknown paths stay the API's 404.
    await app.register(fastifyStatic, {
      root, wildcard: false, index: 'index.html', cacheControl: false,
      setHeaders: (res, file) => {
        // Hashed asset names never change content; index.html must be revalidated to pick up a new build.
        res.header('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  };
}
