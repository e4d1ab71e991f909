/** The context every verb runs in: the server's parts and the request's scope. */
import type { AdmissionChain } from '../admission/admission.ts';
import type { Registry } from '../registry/registry.ts';
import type { ResourceType } from '../registry/resource.ts';
import type { Store } from '../storage/store.ts';

/** The authenticated caller (authentication.k8s.io/v1 UserInfo). */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

/** The server's parts the verbs use. */
export interface Services {
  store: Store;
  registry: Registry;
  admission: AdmissionChain;
  /** Wall clock (a function so tests of the server itself could move it). */
  now: () => Date;
}

/** How strictly unknown fields in a write are treated (the `fieldValidation` parameter). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** One request's scope: which resource, namespace and caller, and the write options. */
export interface RequestScope {
  rt: ResourceType;
  namespace: string | undefined;
  user: UserInfo;
  dryRun: boolean;
  fieldManager: string | undefined;
  fieldValidation: FieldValidation;
  /** Warnings to send back as `Warning: 299 - "..."` headers. */
  warnings: string[];
  /** Set when the write is a PATCH: admission then sees PatchOptions, as from kube-apiserver. */
  patch?: { fieldManager: string | undefined; force: boolean };
}

/** The user the server's own simulated controllers act as. */
export const SYSTEM_USER: UserInfo = { username: 'system:kube-controller-manager', groups: ['system:authenticated'] };

/** RFC 3339 with seconds precision, as metav1.Time serialises. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}
