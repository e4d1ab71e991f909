/**
 * /openapi/v3 (the index) and /openapi/v3/{api/v1|apis/group/version} (one document per
 * group-version), built from the registry: built-in kinds from the client library's models,
 * custom resources from their CRD schema. Documents are cached until the served types change;
 * the index pins each by hash, as kube-apiserver does, so kubectl can cache them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from '../registry/registry.ts';
import { builtinSchemasFor, commonSchemas } from '../schema/builtin-openapi.ts';
import { groupVersionDocument, groupVersionPath, openApiHash, openApiRoot, type OpenApiDocument } from '../schema/openapi-v3.ts';
import type { ExtraRoute } from './server.ts';
import { sendJson } from './respond.ts';

interface CachedDocument {
  doc: OpenApiDocument;
  hash: string;
}

/** Serves the OpenAPI v3 documents of `registry`. */
export function openApiRoutes(registry: Registry): ExtraRoute {
  let cache = new Map<string, Promise<CachedDocument>>();
  registry.onChange(() => {
    cache = new Map();
  });

  const documentFor = (groupVersion: string): Promise<CachedDocument> => {
    let entry = cache.get(groupVersion);
    if (!entry) {
      entry = build(registry, groupVersion);
      cache.set(groupVersion, entry);
    }
    return entry;
  };

  const servedGroupVersions = (): string[] =>
    registry.groupVersions().flatMap((g) => g.versions.map((v) => (g.group ? `${g.group}/${v}` : v)));

  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (!url.pathname.startsWith('/openapi/v3') || req.method !== 'GET') return false;
    const rest = url.pathname.slice('/openapi/v3'.length).replace(/^\/+|\/+$/g, '');
    const gvs = servedGroupVersions();
    if (!rest) {
      const hashes = new Map<string, string>();
      for (const gv of gvs) hashes.set(gv, (await documentFor(gv)).hash);
      sendJson(res, 200, openApiRoot(gvs, (gv) => hashes.get(gv)!));
      return true;
    }
    const gv = gvs.find((g) => groupVersionPath(g) === rest);
    if (!gv) return false;
    const { doc, hash } = await documentFor(gv);
    if (url.searchParams.get('hash') === hash) res.setHeader('Cache-Control', 'public, immutable');
    res.setHeader('Etag', `"${hash}"`);
    sendJson(res, 200, doc);
    return true;
  };
}

async function build(registry: Registry, groupVersion: string): Promise<CachedDocument> {
  const [group, version] = groupVersion.includes('/') ? groupVersion.split('/') : ['', groupVersion];
  const types = registry.all().filter((t) => t.group === group && t.version === version);
  const builtins = types.filter((t) => !t.custom).map((t) => ({ group: t.group, version: t.version, kind: t.kind }));
  const schemas = { ...(await commonSchemas()), ...(builtins.length ? await builtinSchemasFor(builtins) : {}) };
  const doc = groupVersionDocument({
    group, version, schemas,
    resources: types.map((t) => ({
      kind: t.kind, listKind: t.listKind, plural: t.plural, namespaced: t.namespaced, verbs: t.verbs,
      subresources: { status: t.subresources.status, scale: t.subresources.scale }, custom: t.custom, schemaName: t.schemaName, schema: t.schema,
    })),
  });
  return { doc, hash: openApiHash(doc) };
}
