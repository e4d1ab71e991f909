/**
 * Finding a session's Template: from the informer cache, and only when the cache does not have it
 * from the API server (one GET). The fallback closes the gap where a template is created and a
 * session using it follows before the watch event arrives; a template that really is missing costs
 * one GET per refused session, which refusals can afford.
 */
import type { Template } from '../apis/stream/v1alpha1/template.ts';
import type { InformerCache } from '../runtime/cache.ts';
import { isNotFound, type KubeClient } from '../runtime/client.ts';
import { TemplateKind } from './kinds.ts';

/**
 * Whether `name` can name a stored object at all. Reviews reach the mutating webhook before
 * schema validation, so spec.template may be a number, an object or a malformed string; those name
 * no template (schema validation refuses the write next) and must not reach a URL.
 */
function isObjectName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name);
}

/** See the module comment. */
export class TemplateLookup {
  readonly #cache: InformerCache;
  readonly #client: KubeClient;

  constructor(cache: InformerCache, client: KubeClient) {
    this.#cache = cache;
    this.#client = client;
  }

  /** The cached template, without asking the API server. */
  cached(namespace: string, name: unknown): Template | undefined {
    if (!isObjectName(name)) return undefined;
    return this.#cache.get<Template>(TemplateKind, { namespace, name });
  }

  /** The template from the cache, else from the API server; undefined when it does not exist. */
  async find(namespace: string, name: unknown): Promise<Template | undefined> {
    const cached = this.cached(namespace, name);
    if (cached || !isObjectName(name)) return cached;
    try {
      return await this.#client.get<Template>(TemplateKind, { namespace, name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
