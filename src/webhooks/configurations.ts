/**
 * The MutatingWebhookConfiguration and ValidatingWebhookConfiguration of StreamSpace's webhooks
 * (./configuration-reconciler.ts keeps them as they should be).
 *
 * | webhook | path | resource, operations | failurePolicy |
 * | --- | --- | --- | --- |
 * | defaults.sessions.stream.streamspace.io | /mutate-session | sessions CREATE (reinvocationPolicy IfNeeded) | Fail |
 * | validate.sessions.stream.streamspace.io | /validate-session | sessions CREATE, UPDATE (spec rules and quota) | Fail |
 * | validate.templates.stream.streamspace.io | /validate-template | templates CREATE, UPDATE | Fail |
 * | validate.nodeoperations.stream.streamspace.io | /validate-nodeoperation | nodeoperations CREATE, UPDATE (./nodeoperation.ts) | Fail |
 *
 * Only the main resources are matched, not their status subresources: the controllers' status
 * writes never wait for a webhook. Deletes are not matched either, so sessions and templates can
 * always be removed, even with the webhook server down.
 *
 * The webhooks point at a Service (`service: {namespace, name, port, path}`) in front of every
 * replica (./install-objects.ts builds it; ./endpoint-registration.ts lists replicas that are not
 * pods), or, for a lone server in tests, at `url: https://127.0.0.1:<port>/...`.
 *
 * Every webhook fails closed (failurePolicy Fail); ./README.md says why and what an outage
 * means for quota enforcement.
 */
import { PART_OF_LABEL } from '../apis/crd.ts';
import { group, version } from '../apis/stream/v1alpha1/groupversion.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { NODE_OPERATION_WEBHOOK, nodeOperationValidatingWebhook } from './nodeoperation.ts';

/** Name and path of each webhook. */
export const WEBHOOKS = {
  sessionDefaults: { name: `defaults.sessions.${group}`, path: '/mutate-session' },
  sessionValidation: { name: `validate.sessions.${group}`, path: '/validate-session' },
  templateValidation: { name: `validate.templates.${group}`, path: '/validate-template' },
} as const;

/** Default name of both configuration objects. */
export const DEFAULT_CONFIGURATION_NAME = 'streamspace-webhooks';

/** Name of the webhook Service's port, and of the matching Endpoints port. */
export const WEBHOOK_PORT_NAME = 'https';

/** A Service in front of the webhook servers. */
export interface WebhookServiceReference {
  namespace: string;
  name: string;
  /** Service port (default 443). */
  port?: number;
}

/** Where the API server reaches the webhooks: a base URL (`https://127.0.0.1:9443`) or a Service. */
export type WebhookEndpoint = { url: string } | { service: WebhookServiceReference };

/** What the configurations are built from. */
export interface WebhookConfigurationOptions {
  /** Name of both configuration objects (default `streamspace-webhooks`). */
  name?: string;
  endpoint: WebhookEndpoint;
  /** PEM certificates that sign the serving certificate. */
  caBundlePem?: string;
  /** Seconds the API server waits for an answer (default 5; kube allows 1–30). */
  timeoutSeconds?: number;
}

function clientConfig(opts: WebhookConfigurationOptions, path: string): Record<string, unknown> {
  const caBundle = opts.caBundlePem ? { caBundle: Buffer.from(opts.caBundlePem).toString('base64') } : {};
  if ('url' in opts.endpoint) return { url: `${opts.endpoint.url.replace(/\/+$/, '')}${path}`, ...caBundle };
  const { namespace, name, port = 443 } = opts.endpoint.service;
  return { service: { namespace, name, port, path }, ...caBundle };
}

function rule(resource: string, operations: string[]): Record<string, unknown> {
  return { apiGroups: [group], apiVersions: [version], resources: [resource], operations, scope: 'Namespaced' };
}

function webhook(
  opts: WebhookConfigurationOptions, which: keyof typeof WEBHOOKS, rules: Record<string, unknown>[], sideEffects: string,
): Record<string, unknown> {
  const { name, path } = WEBHOOKS[which];
  return {
    name, clientConfig: clientConfig(opts, path), rules, failurePolicy: 'Fail', matchPolicy: 'Equivalent', sideEffects,
    timeoutSeconds: opts.timeoutSeconds ?? 5, admissionReviewVersions: ['v1'],
  };
}

function configurationObject(kind: string, opts: WebhookConfigurationOptions, webhooks: Record<string, unknown>[]): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1', kind,
    metadata: { name: opts.name ?? DEFAULT_CONFIGURATION_NAME, labels: { ...PART_OF_LABEL } },
    webhooks,
  };
}

/** The MutatingWebhookConfiguration: session defaults. */
export function mutatingWebhookConfiguration(opts: WebhookConfigurationOptions): KubeObject {
  const defaults = { ...webhook(opts, 'sessionDefaults', [rule('sessions', ['CREATE'])], 'None'), reinvocationPolicy: 'IfNeeded' };
  return configurationObject('MutatingWebhookConfiguration', opts, [defaults]);
}

/** The ValidatingWebhookConfiguration: session rules and quota, template rules, NodeOperation rules. */
export function validatingWebhookConfiguration(opts: WebhookConfigurationOptions): KubeObject {
  // Quota reservations are kept in the webhook's memory for real writes only, never for dry runs.
  const sessions = webhook(opts, 'sessionValidation', [rule('sessions', ['CREATE', 'UPDATE'])], 'NoneOnDryRun');
  const templates = webhook(opts, 'templateValidation', [rule('templates', ['CREATE', 'UPDATE'])], 'None');
  const nodeOperations = nodeOperationValidatingWebhook(clientConfig(opts, NODE_OPERATION_WEBHOOK.path), opts.timeoutSeconds ?? 5);
  return configurationObject('ValidatingWebhookConfiguration', opts, [sessions, templates, nodeOperations]);
}

/** Both configurations, mutating first. */
export function webhookConfigurations(opts: WebhookConfigurationOptions): KubeObject[] {
  return [mutatingWebhookConfiguration(opts), validatingWebhookConfiguration(opts)];
}
