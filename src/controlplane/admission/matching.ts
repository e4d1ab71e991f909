/**
 * Which webhooks a request is sent to, as kube-apiserver decides it (apiserver
 * pkg/admission/plugin/webhook/generic/webhook.go `ShouldCallHook` and predicates/{rules,namespace,object}):
 * - namespaceSelector against the labels of the request's namespace. Cluster-scoped objects other
 *   than Namespaces are never excluded; a Namespace being created or updated is matched by its own
 *   labels, a Namespace being deleted by its stored labels;
 * - objectSelector against the labels of the object or of the old object (either may match);
 * - rules: operations, apiGroups, apiVersions, resources (`*`, `pods`, `pods/*`, `pods/status`,
 *   and `*` + `/status` for the status of every resource)
 *   and scope (Cluster, Namespaced, `*`);
 * - matchPolicy Equivalent (the default) also matches the same resource served at another version
 *   (another served version of a CRD), and the webhook then gets the object at that version.
 * Selector errors and a missing namespace only count when a rule matches. matchConditions (CEL) are
 * not evaluated: a webhook that has them is treated as if every condition held.
 */
import { notFound, StatusError } from '../../apimachinery/errors.ts';
import type { KubeObject } from '../../apimachinery/object.ts';
import { isEverythingSelector, matchesLabels, type LabelSelector } from '../../apimachinery/labels.ts';
import type { Registry } from '../registry/registry.ts';
import { storageName, type ResourceType } from '../registry/resource.ts';
import { objectKey, type Store } from '../storage/store.ts';
import type { AdmissionAttributes } from './admission.ts';
import type { ParsedSelector, WebhookAccessor, WebhookRule } from './webhook-configuration.ts';

/** metav1.GroupVersionKind. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** metav1.GroupVersionResource. */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** A decision to call a webhook, with the resource and kind it will see (generic.WebhookInvocation). */
export interface WebhookInvocation {
  webhook: WebhookAccessor;
  resource: GroupVersionResource;
  subresource: string;
  kind: GroupVersionKind;
}

/** What matching reads besides the request: namespaces from the store, equivalent resources from the registry. */
export interface MatchContext {
  store: Store;
  registry: Registry;
}

const NAMESPACES = 'namespaces';

/** The kinds whose writes never go to webhooks registered through the API (no self-referential lock-out). */
const EXEMPT_KINDS = new Set([
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
]);

/** True for writes of admission configuration objects, which webhooks never see. */
export function isExemptFromWebhooks(attrs: AdmissionAttributes): boolean {
  return attrs.resource.group === 'admissionregistration.k8s.io' && EXEMPT_KINDS.has(attrs.resource.kind);
}

function isNamespaceResource(rt: Pick<ResourceType, 'group' | 'plural'>): boolean {
  return rt.group === '' && rt.plural === NAMESPACES;
}

/**
 * The request's namespace as admission sees it: for a Namespace object addressed by name (update,
 * delete) kube-apiserver's request info sets the namespace to the object's name.
 */
export function requestNamespace(attrs: AdmissionAttributes): string {
  if (isNamespaceResource(attrs.resource) && !attrs.namespace && attrs.operation !== 'CREATE') return attrs.name;
  return attrs.namespace;
}

/** The kind a request is for: the object's kind, or autoscaling/v1 Scale for the scale subresource. */
export function requestKind(rt: ResourceType, subresource: string): GroupVersionKind {
  if (subresource === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  return { group: rt.group, version: rt.version, kind: rt.kind };
}

function anyOrExact(items: string[] | undefined, requested: string): boolean {
  return (items ?? []).some((item) => item === '*' || item === requested);
}

function scopeMatches(scope: string | undefined, resource: GroupVersionResource, namespace: string): boolean {
  const isNamespace = resource.group === '' && resource.version === 'v1' && resource.resource === NAMESPACES;
  if (scope === undefined || scope === '*') return true;
  if (scope === 'Namespaced') return !isNamespace && namespace !== '';
  if (scope === 'Cluster') return isNamespace || namespace === '';
  return false;
}

function resourceMatches(rule: WebhookRule, resource: string, subresource: string): boolean {
  return (rule.resources ?? []).some((entry) => {
    const slash = entry.indexOf('/');
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const sub = slash < 0 ? '' : entry.slice(slash + 1);
    return (res === '*' || res === resource) && (sub === '*' || sub === subresource);
  });
}

/** rules.Matcher.Matches: one rule against a request, for the resource it is (or an equivalent one). */
export function ruleMatches(rule: WebhookRule, attrs: AdmissionAttributes, resource: GroupVersionResource): boolean {
  return scopeMatches(rule.scope, resource, requestNamespace(attrs))
    && anyOrExact(rule.operations, attrs.operation)
    && anyOrExact(rule.apiGroups, resource.group)
    && anyOrExact(rule.apiVersions, resource.version)
    && resourceMatches(rule, resource.resource, attrs.subresource);
}

function gvrOf(rt: ResourceType): GroupVersionResource {
  return { group: rt.group, version: rt.version, resource: rt.plural };
}

/** Served resource types stored together with `rt` (the other versions of it), in registry order. */
function equivalentsOf(ctx: MatchContext, rt: ResourceType, subresource: string): ResourceType[] {
  const storage = storageName(rt);
  return ctx.registry.all().filter((t) => storageName(t) === storage && t.version !== rt.version && hasSubresource(t, subresource));
}

function hasSubresource(rt: ResourceType, subresource: string): boolean {
  if (!subresource) return true;
  if (subresource === 'status') return Boolean(rt.subresources.status);
  if (subresource === 'scale') return Boolean(rt.subresources.scale);
  return (rt.subresources.extra ?? []).includes(subresource);
}

function matchRules(ctx: MatchContext, hook: WebhookAccessor, attrs: AdmissionAttributes): WebhookInvocation | undefined {
  const rules = hook.spec.rules ?? [];
  const invocationAs = (rt: ResourceType): WebhookInvocation => ({
    webhook: hook, resource: gvrOf(rt), subresource: attrs.subresource, kind: requestKind(rt, attrs.subresource),
  });
  if (rules.some((r) => ruleMatches(r, attrs, gvrOf(attrs.resource)))) return invocationAs(attrs.resource);
  if (hook.spec.matchPolicy !== 'Equivalent') return undefined;
  // Equivalent resources share storage, so the group too: skip the registry scan when no rule names it.
  if (!rules.some((r) => anyOrExact(r.apiGroups, attrs.resource.group))) return undefined;
  const equivalents = equivalentsOf(ctx, attrs.resource, attrs.subresource);
  for (const rule of rules) {
    const match = equivalents.find((t) => ruleMatches(rule, attrs, gvrOf(t)));
    if (match) return invocationAs(match);
  }
  return undefined;
}

/** The labels namespaceSelector is matched against; a 404 when the namespace does not exist. */
function namespaceLabels(ctx: MatchContext, attrs: AdmissionAttributes): Record<string, string> | undefined {
  const writesItself = attrs.operation === 'CREATE' || attrs.operation === 'UPDATE';
  if (isNamespaceResource(attrs.resource) && !attrs.subresource && writesItself) return attrs.object?.metadata?.labels;
  const name = requestNamespace(attrs);
  const ns = ctx.store.get('/namespaces', objectKey(undefined, name));
  if (!ns) throw notFound({ group: '', resource: NAMESPACES }, name);
  return ns.metadata.labels;
}

interface SelectorVerdict {
  matches: boolean;
  error?: StatusError;
}

function matchNamespaceSelector(ctx: MatchContext, parsed: ParsedSelector, attrs: AdmissionAttributes): SelectorVerdict {
  if (!requestNamespace(attrs) && !isNamespaceResource(attrs.resource)) return { matches: true };
  if (parsed.error) return { matches: false, error: parsed.error };
  const selector = parsed.selector!;
  if (isEverythingSelector(selector)) return { matches: true };
  try {
    return { matches: matchesLabels(selector, namespaceLabels(ctx, attrs)) };
  } catch (err) {
    if (err instanceof StatusError) return { matches: false, error: err };
    throw err;
  }
}

function labelsMatch(selector: LabelSelector, obj: KubeObject | null): boolean {
  return obj !== null && typeof obj === 'object' && matchesLabels(selector, obj.metadata?.labels ?? {});
}

function matchObjectSelector(parsed: ParsedSelector, attrs: AdmissionAttributes): SelectorVerdict {
  if (parsed.error) return { matches: false, error: parsed.error };
  const selector = parsed.selector!;
  if (isEverythingSelector(selector)) return { matches: true };
  return { matches: labelsMatch(selector, attrs.object) || labelsMatch(selector, attrs.oldObject) };
}

/**
 * Whether `hook` is called for the request: its invocation, undefined when it does not apply, or a
 * thrown StatusError (a missing namespace, a selector that does not parse) when it applies but
 * cannot be evaluated.
 */
export function shouldCallHook(ctx: MatchContext, hook: WebhookAccessor, attrs: AdmissionAttributes): WebhookInvocation | undefined {
  const ns = matchNamespaceSelector(ctx, hook.namespaceSelector, attrs);
  if (!ns.matches && !ns.error) return undefined;
  const obj = matchObjectSelector(hook.objectSelector, attrs);
  if (!obj.matches && !obj.error) return undefined;
  const invocation = matchRules(ctx, hook, attrs);
  if (!invocation) return undefined;
  if (ns.error) throw ns.error;
  if (obj.error) throw obj.error;
  return invocation;
}
