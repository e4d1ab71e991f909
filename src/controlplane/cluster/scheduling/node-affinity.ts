/**
 * Whether a node satisfies a pod's nodeSelector and required node affinity
 * (https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/): the selector's labels
 * must all match, and at least one of the required terms must match (all expressions of a term).
 */
import type { KubeObject } from '../../../apimachinery/object.ts';

interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

function requirementHolds(req: NodeSelectorRequirement, values: Record<string, string>): boolean {
  const present = Object.hasOwn(values, req.key);
  const actual = values[req.key];
  switch (req.operator) {
    case 'In': return present && (req.values ?? []).includes(actual);
    case 'NotIn': return !present || !(req.values ?? []).includes(actual);
    case 'Exists': return present;
    case 'DoesNotExist': return !present;
    case 'Gt': return present && Number(actual) > Number(req.values?.[0]);
    case 'Lt': return present && Number(actual) < Number(req.values?.[0]);
    default: return false;
  }
}

function termMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  // A term without requirements selects nothing.
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata.labels ?? {};
  return exprs.every((r) => requirementHolds(r, labels)) && fields.every((r) => requirementHolds(r, { 'metadata.name': node.metadata.name! }));
}

/** True when the node passes the pod's nodeSelector and requiredDuringSchedulingIgnoredDuringExecution terms. */
export function matchesNodeSelection(pod: KubeObject, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries<string>(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms: NodeSelectorTerm[] | undefined = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => termMatches(t, node));
}
