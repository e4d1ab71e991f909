/**
 * AdmissionReview (admission.k8s.io/v1) as a webhook receives and answers it, and the three
 * answers a webhook gives: allow, deny with a Status, or allow with a JSON patch.
 */
import type { StatusError } from '../apimachinery/errors.ts';
import type { KubeObject } from '../apimachinery/object.ts';

/** authentication/v1 UserInfo of the requester. */
export interface AdmissionUserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
}

/** The operations a webhook can be called for. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** AdmissionRequest, the fields our webhooks read. */
export interface AdmissionRequest {
  uid: string;
  kind?: { group: string; version: string; kind: string };
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: AdmissionOperation;
  userInfo?: AdmissionUserInfo;
  object?: KubeObject | null;
  oldObject?: KubeObject | null;
  dryRun?: boolean;
}

/** metav1.Status as carried in an AdmissionResponse. */
export interface AdmissionStatus {
  status?: 'Success' | 'Failure';
  code?: number;
  reason?: string;
  message?: string;
  details?: unknown;
}

/** AdmissionResponse without its uid (the server copies the request's). */
export interface AdmissionDecision {
  allowed: boolean;
  status?: AdmissionStatus;
  patchType?: 'JSONPatch';
  /** Base64 of the JSON patch. */
  patch?: string;
  warnings?: string[];
}

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** The apiVersion of every review this server accepts and answers. */
export const ADMISSION_REVIEW_API_VERSION = 'admission.k8s.io/v1';

/** Admits unchanged. */
export function allow(): AdmissionDecision {
  return { allowed: true };
}

/** Refuses with the Status of `err` (its code, reason, message and causes reach the client as is). */
export function deny(err: StatusError): AdmissionDecision {
  const status: AdmissionStatus = { status: 'Failure', code: err.code, reason: err.reason, message: err.message };
  if (err.details) status.details = err.details;
  return { allowed: false, status };
}

/** Admits with `operations` applied; an empty list is a plain allow (no patch at all). */
export function patch(operations: JsonPatchOperation[]): AdmissionDecision {
  if (!operations.length) return allow();
  return { allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(operations)).toString('base64') };
}

/** A JSON pointer segment (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
