/**
 * The shared middle of every write, in kube-apiserver's order: schema normalisation (pruning and
 * defaulting for custom resources, unknown-field checks for built-ins), mutating admission,
 * normalisation again, validation (metadata, schema, kind rules), then validating admission.
 */
import { badRequest, invalid, type StatusCause } from '../../apimachinery/errors.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import { nameIsDNSLabel, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate, type NameValidator } from '../../apimachinery/validation.ts';
import type { AdmissionAttributes } from '../admission/admission.ts';
import type { ResourceType } from '../registry/resource.ts';
import { applyDefaults, prune, validateStructural, type JSONSchemaProps } from '../schema/structural.ts';
import { unknownBuiltinFields } from './unknown-fields.ts';
import type { RequestScope, Services } from './scope.ts';

/** Kinds whose names must be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED = new Set(['/namespaces', '/services']);

function nameValidator(rt: ResourceType): NameValidator {
  return LABEL_NAMED.has(`${rt.group}/${rt.plural}`) ? nameIsDNSLabel : nameIsDNSSubdomain;
}

const bodySchemas = new WeakMap<JSONSchemaProps, JSONSchemaProps>();

/** A CRD schema without apiVersion/kind/metadata (the server handles those), made once per schema. */
function schemaWithoutMetadata(schema: JSONSchemaProps): JSONSchemaProps {
  let body = bodySchemas.get(schema);
  if (!body) {
    const properties = { ...schema.properties };
    delete properties.metadata;
    delete properties.apiVersion;
    delete properties.kind;
    body = { ...schema, properties };
    bodySchemas.set(schema, body);
  }
  return body;
}

/** Prunes and defaults a custom resource; reports unknown fields per the fieldValidation mode. */
async function normalize(scope: RequestScope, obj: KubeObject): Promise<KubeObject> {
  const { rt } = scope;
  if (rt.custom && rt.schema) {
    const { metadata, apiVersion, kind } = obj;
    const body = schemaWithoutMetadata(rt.schema);
    const pruned = prune({ ...obj }, body);
    reportUnknown(scope, pruned.unknownFields.filter((f) => !['apiVersion', 'kind', 'metadata'].includes(f.split('.')[0])));
    const defaulted = applyDefaults(pruned.value, body) as KubeObject;
    return { ...defaulted, apiVersion, kind, metadata };
  }
  if (!rt.custom && scope.fieldValidation !== 'Ignore') reportUnknown(scope, await unknownBuiltinFields(rt, obj));
  return obj;
}

function reportUnknown(scope: RequestScope, fields: string[]): void {
  if (!fields.length) return;
  if (scope.fieldValidation === 'Strict') {
    const list = fields.map((f) => `unknown field "${f}"`);
    throw badRequest(`strict decoding error: ${list.join(', ')}`);
  }
  if (scope.fieldValidation === 'Warn') for (const f of fields) scope.warnings.push(`unknown field "${f}"`);
}

/** Validates an object about to be written: metadata, schema and the kind's own rules. */
export function validateObject(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
  const causes: StatusCause[] = validateObjectMeta(obj.metadata, { namespaced: rt.namespaced, nameValidator: nameValidator(rt) });
  if (old) causes.push(...validateObjectMetaUpdate(obj.metadata, old.metadata));
  if (rt.custom && rt.schema) {
    const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
    causes.push(...validateStructural(rest, schemaWithoutMetadata(rt.schema)));
  }
  causes.push(...(old ? rt.strategy.validateUpdate?.(obj, old) ?? rt.strategy.validate?.(obj) ?? [] : rt.strategy.validate?.(obj) ?? []));
  if (causes.length) throw invalid(rt.kind, rt.group, obj.metadata.name ?? obj.metadata.generateName ?? '', causes);
}

/**
 * The options object an AdmissionReview carries for a create or update: CreateOptions or
 * UpdateOptions as the verb names them, PatchOptions when the write came from a PATCH (a patch
 * that creates, i.e. server-side apply of a new object, is a CREATE with PatchOptions).
 */
export function admissionOptions(scope: RequestScope, verbKind: 'CreateOptions' | 'UpdateOptions'): Record<string, unknown> {
  const dryRun = scope.dryRun ? { dryRun: ['All'] } : {};
  if (scope.patch) {
    const force = scope.patch.force ? { force: true } : {};
    return { kind: 'PatchOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: scope.patch.fieldManager, ...force, ...dryRun };
  }
  return { kind: verbKind, apiVersion: 'meta.k8s.io/v1', fieldManager: scope.fieldManager, ...dryRun };
}

/**
 * Everything between "the object the request asks for" and "the object to store". With
 * `webhooks: false` only the server's own checks run: a scale write has been through admission
 * already, as a Scale (see {@link admitScale}).
 */
export async function admitWrite(
  svc: Services, scope: RequestScope, attrs: Omit<AdmissionAttributes, 'resource' | 'user' | 'dryRun'>, opts: { webhooks?: boolean } = {},
): Promise<KubeObject> {
  let obj = await normalize(scope, attrs.object!);
  const full: AdmissionAttributes = { ...attrs, object: obj, resource: scope.rt, user: scope.user, dryRun: scope.dryRun, warnings: scope.warnings };
  const webhooks = opts.webhooks !== false;
  const mutated = webhooks ? await svc.admission.mutate(full) : undefined;
  if (mutated && mutated !== obj) obj = await normalize({ ...scope, fieldValidation: 'Ignore', warnings: [] }, mutated);
  validateObject(scope.rt, obj, attrs.oldObject ?? undefined);
  if (webhooks) await svc.admission.validate({ ...full, object: obj });
  return obj;
}

/**
 * Admission of a write through the scale subresource: webhooks see an UPDATE of
 * `<resource>/scale` with autoscaling/v1 Scale objects (so rules on the resource alone do not
 * match it), as kube-apiserver sends it. Returns the Scale as admitted (mutating webhooks may
 * change its replicas).
 */
export async function admitScale(svc: Services, scope: RequestScope, scale: KubeObject, oldScale: KubeObject): Promise<KubeObject> {
  const attrs: AdmissionAttributes = {
    operation: 'UPDATE', subresource: 'scale', name: oldScale.metadata.name!, namespace: oldScale.metadata.namespace ?? '',
    object: scale, oldObject: oldScale, options: admissionOptions(scope, 'UpdateOptions'),
    resource: scope.rt, user: scope.user, dryRun: scope.dryRun, warnings: scope.warnings,
  };
  const admitted = (await svc.admission.mutate(attrs)) ?? scale;
  await svc.admission.validate({ ...attrs, object: admitted });
  return admitted;
}
