/**
 * The admission chain every write passes through: mutating admission, then (after schema
 * validation) validating admission, as kube-apiserver orders them. ./webhooks.ts implements it with
 * admissionregistration.k8s.io/v1 webhook configurations; ./builtin-plugins.ts holds the in-process
 * plugins (default storage class, namespace lifecycle).
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { ResourceType } from '../registry/resource.ts';
import type { UserInfo } from '../verbs/scope.ts';

/** What admission sees of one request (AdmissionReview's request, before serialisation). */
export interface AdmissionAttributes {
  resource: ResourceType;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  subresource: string;
  name: string;
  namespace: string;
  object: KubeObject | null;
  oldObject: KubeObject | null;
  user: UserInfo;
  dryRun: boolean;
  /** CreateOptions, UpdateOptions, PatchOptions or DeleteOptions as sent. */
  options: Record<string, unknown>;
  /**
   * Where admission puts warnings for the client (the request scope's `warnings`, sent back as
   * `Warning: 299 - "..."` headers). Absent: warnings are dropped.
   */
  warnings?: string[];
}

/** An admission stage. `mutate` may return a changed object; `validate` throws a StatusError to deny. */
export interface AdmissionChain {
  mutate(attrs: AdmissionAttributes): Promise<KubeObject | null>;
  validate(attrs: AdmissionAttributes): Promise<void>;
}

/** Admission that admits everything unchanged. */
export const admitAll: AdmissionChain = {
  mutate: async (attrs) => attrs.object,
  validate: async () => undefined,
};
