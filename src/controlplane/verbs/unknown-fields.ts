/**
 * Unknown-field detection for built-in kinds (fieldValidation Strict/Warn), against the OpenAPI
 * schemas built from the published client library's models (../schema/builtin-openapi.ts).
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { ResourceType } from '../registry/resource.ts';

let schemas: Promise<Record<string, any>> | undefined;

// Loaded lazily: building the schemas reads the client library's model files, which a server
// that never sees a strict write need not pay for at start-up.
const openapi = () => import('../schema/builtin-openapi.ts');

function allSchemas(): Promise<Record<string, any>> {
  schemas ??= (async () => {
    const { builtinResources } = await import('../registry/builtin.ts');
    return (await openapi()).builtinSchemasFor(builtinResources.map((rt) => ({ group: rt.group, version: rt.version, kind: rt.kind })));
  })();
  return schemas;
}

/** Paths of fields of `obj` that its kind's schema does not know. */
export async function unknownBuiltinFields(rt: ResourceType, obj: KubeObject): Promise<string[]> {
  const all = await allSchemas();
  if (!all[rt.schemaName]) return [];
  return (await openapi()).findUnknownFields(obj, rt.schemaName, all);
}

/** Starts loading the schemas in the background (the first strict write would otherwise wait). */
export function preloadBuiltinSchemas(): void {
  allSchemas().catch(() => undefined);
}
