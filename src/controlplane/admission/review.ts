/**
 * AdmissionReview, the body of a webhook call and of its answer (admission.k8s.io/v1, and v1beta1
 * for webhooks that only list it), built and checked as kube-apiserver does
 * (apiserver pkg/admission/plugin/webhook/request/admissionreview.go).
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../apimachinery/object.ts';
import { apiVersionOf } from '../registry/resource.ts';
import type { AdmissionAttributes } from './admission.ts';
import { requestKind, requestNamespace, type GroupVersionKind, type WebhookInvocation } from './matching.ts';
import { WebhookCallError, type WebhookStatus } from './webhook-errors.ts';

/** The AdmissionReview versions this server can send. */
export type AdmissionReviewVersion = 'v1' | 'v1beta1';

const ADMISSION_GROUP = 'admission.k8s.io';

/** A review ready to send: its uid (echoed in the answer), version and JSON body. */
export interface PreparedReview {
  uid: string;
  version: AdmissionReviewVersion;
  body: string;
}

/** What a webhook answered, after the checks of VerifyAdmissionResponse. */
export interface AdmissionResult {
  allowed: boolean;
  /** The patch's bytes, decoded from base64 (mutating webhooks only). */
  patch?: Buffer;
  patchType?: string;
  status?: WebhookStatus;
  warnings: string[];
}

/** The first version of the webhook's admissionReviewVersions this server knows. */
function reviewVersionOf(invocation: WebhookInvocation): AdmissionReviewVersion {
  const versions = invocation.webhook.spec.admissionReviewVersions ?? [];
  const version = versions.find((v) => v === 'v1' || v === 'v1beta1');
  if (!version) {
    throw new WebhookCallError(invocation.webhook.spec.name,
      'could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)');
  }
  return version as AdmissionReviewVersion;
}

/** The object as the webhook's resource version sees it (conversion strategy None: only apiVersion changes). */
export function atVersion(obj: KubeObject | null, kind: GroupVersionKind): KubeObject | null {
  if (!obj || obj.kind !== kind.kind) return obj;
  const apiVersion = apiVersionOf(kind);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}

function userInfoOf(attrs: AdmissionAttributes): Record<string, unknown> {
  const { username, uid, groups } = attrs.user;
  const info: Record<string, unknown> = {};
  if (username) info.username = username;
  if (uid) info.uid = uid;
  if (groups?.length) info.groups = groups;
  return info;
}

/** Builds the AdmissionReview for one call; `object` is the object as mutated so far. */
export function prepareReview(invocation: WebhookInvocation, attrs: AdmissionAttributes, object: KubeObject | null): PreparedReview {
  const version = reviewVersionOf(invocation);
  const uid = randomUUID();
  const rt = attrs.resource;
  const namespace = requestNamespace(attrs);
  const request: Record<string, unknown> = {
    uid,
    kind: invocation.kind,
    resource: invocation.resource,
    ...(invocation.subresource ? { subResource: invocation.subresource } : {}),
    requestKind: requestKind(rt, attrs.subresource),
    requestResource: { group: rt.group, version: rt.version, resource: rt.plural },
    ...(attrs.subresource ? { requestSubResource: attrs.subresource } : {}),
    ...(attrs.name ? { name: attrs.name } : {}),
    ...(namespace ? { namespace } : {}),
    operation: attrs.operation,
    userInfo: userInfoOf(attrs),
    object: atVersion(object, invocation.kind),
    oldObject: atVersion(attrs.oldObject, invocation.kind),
    dryRun: attrs.dryRun,
    options: attrs.options ?? null,
  };
  const review = { kind: 'AdmissionReview', apiVersion: `${ADMISSION_GROUP}/${version}`, request };
  return { uid, version, body: JSON.stringify(review) };
}

// ---------------------------------------------------------------- the answer

function callFailure(name: string, reason: string): WebhookCallError {
  return new WebhookCallError(name, `failed to call webhook: ${reason}`);
}

function invalidResponse(name: string, reason: string): WebhookCallError {
  return new WebhookCallError(name, `received invalid webhook response: ${reason}`);
}

/** GroupVersionKind.String() of an apiVersion and kind: `group/version, Kind=kind`. */
function gvkString(apiVersion: unknown, kind: unknown): string {
  return `${typeof apiVersion === 'string' ? apiVersion : ''}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

/** The JSON decoding of the answer's body (errors here are "failed to call webhook"). */
function decodeBody(name: string, text: string): Record<string, any> {
  let review: unknown;
  try {
    review = JSON.parse(text);
  } catch (err) {
    throw callFailure(name, `couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
  if (review === null || typeof review !== 'object' || Array.isArray(review)) {
    throw callFailure(name, `couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(review) ? 'array' : typeof review} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  const obj = review as Record<string, any>;
  if (!obj.kind) throw callFailure(name, `Object 'Kind' is missing in '${text}'`);
  return obj;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodePatch(name: string, patch: unknown): Buffer | undefined {
  if (patch === undefined || patch === null || patch === '') return undefined;
  if (typeof patch !== 'string') throw callFailure(name, `json: cannot unmarshal ${typeof patch} into Go struct field AdmissionResponse.response.patch of type []uint8`);
  if (!BASE64.test(patch) || patch.length % 4 !== 0) {
    const bad = [...patch].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
    throw callFailure(name, `illegal base64 data at input byte ${bad < 0 ? patch.length : bad}`);
  }
  return Buffer.from(patch, 'base64');
}

function checkPatchFields(name: string, mutating: boolean, response: Record<string, any>, patch: Buffer | undefined): void {
  const patchType = response.patchType;
  if (!mutating) {
    if (patch?.length) throw invalidResponse(name, 'validating webhook may not return response.patch');
    if (patchType !== undefined && patchType !== null) throw invalidResponse(name, 'validating webhook may not return response.patchType');
    return;
  }
  const hasType = patchType !== undefined && patchType !== null;
  if (patch?.length && !hasType) throw invalidResponse(name, 'webhook returned response.patch but not response.patchType');
  if (!patch?.length && hasType) throw invalidResponse(name, 'webhook returned response.patchType but not response.patch');
  if (hasType && patchType === '') throw invalidResponse(name, 'webhook returned invalid response.patchType of ""');
}

/**
 * Checks a webhook's answer against the review that was sent (uid, apiVersion and kind for v1,
 * patch fields by webhook type) and returns what it decided. Throws WebhookCallError.
 */
export function readAdmissionResponse(name: string, sent: PreparedReview, mutating: boolean, text: string): AdmissionResult {
  const review = decodeBody(name, text);
  const response = review.response;
  if (!response || typeof response !== 'object') throw invalidResponse(name, 'webhook response was absent');
  const patch = decodePatch(name, response.patch);
  const warnings = Array.isArray(response.warnings) ? response.warnings.filter((w: unknown): w is string => typeof w === 'string') : [];
  const status = response.status && typeof response.status === 'object' ? response.status as WebhookStatus : undefined;
  if (sent.version === 'v1beta1') {
    // v1beta1 answers were never checked for uid, kind or patchType; a patch is always a JSON patch.
    return { allowed: response.allowed === true, patch: mutating ? patch : undefined, patchType: mutating && patch?.length ? 'JSONPatch' : undefined, status, warnings };
  }
  if (response.uid !== sent.uid) throw invalidResponse(name, `expected response.uid=${JSON.stringify(sent.uid)}, got ${JSON.stringify(response.uid ?? '')}`);
  if (review.apiVersion !== `${ADMISSION_GROUP}/v1` || review.kind !== 'AdmissionReview') {
    throw invalidResponse(name, `expected webhook response of ${ADMISSION_GROUP}/v1, Kind=AdmissionReview, got ${gvkString(review.apiVersion, review.kind)}`);
  }
  checkPatchFields(name, mutating, response, patch);
  return { allowed: response.allowed === true, patch, patchType: mutating ? response.patchType ?? undefined : undefined, status, warnings };
}
