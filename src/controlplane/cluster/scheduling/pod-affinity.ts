/**
 * The required part of inter-pod affinity (the InterPodAffinity filter of kube-scheduler,
 * https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity):
 * a node passes a pod's requiredDuringSchedulingIgnoredDuringExecution podAffinity terms when,
 * for every term, the node has the term's topologyKey label and some scheduled, unfinished pod in
 * the same topology domain (nodes with the same value of that label) matches the term's
 * labelSelector in its namespaces (the pod's own when unset). The first pod of a series that has
 * affinity to itself would never fit, so, as kube does, when no pod anywhere matches and the pod
 * matches its own terms, any node with the topology labels passes. Preferred terms, anti-affinity
 * and namespaceSelector are not simulated (namespaceSelector is read as "the pod's namespace").
 */
import { matchesLabels, selectorFromLabelSelector, type MetaLabelSelector } from '../../../apimachinery/labels.ts';
import type { KubeObject } from '../../../apimachinery/object.ts';
import { isPodTerminal } from '../pod-state.ts';

interface AffinityTerm {
  labelSelector?: MetaLabelSelector;
  namespaces?: string[];
  topologyKey: string;
}

/** kube's reason for a node that fails the filter. */
export const POD_AFFINITY_REASON = "node(s) didn't match pod affinity rules";

function requiredTerms(pod: KubeObject): AffinityTerm[] {
  return pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
}

function termMatches(term: AffinityTerm, owner: KubeObject, candidate: KubeObject): boolean {
  const namespaces = term.namespaces?.length ? term.namespaces : [owner.metadata.namespace];
  if (!namespaces.includes(candidate.metadata.namespace)) return false;
  try {
    return matchesLabels(selectorFromLabelSelector(term.labelSelector), candidate.metadata.labels);
  } catch {
    return false;
  }
}

/**
 * A filter for `pod` over the cluster's `pods` and `nodes`: the reason a node fails the pod's
 * required pod affinity, or undefined when it passes (always, for a pod without such terms).
 */
export function podAffinityFilter(pod: KubeObject, pods: KubeObject[], nodes: KubeObject[]): (node: KubeObject) => string | undefined {
  const terms = requiredTerms(pod);
  if (!terms.length) return () => undefined;
  const nodeLabels = new Map(nodes.map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
  // Per term, the topology values (domains) holding a matching pod.
  const domains = terms.map(() => new Set<string>());
  let anyMatch = false;
  for (const other of pods) {
    const nodeName = other.spec?.nodeName;
    if (!nodeName || isPodTerminal(other) || other.metadata.uid === pod.metadata.uid) continue;
    terms.forEach((term, i) => {
      if (!termMatches(term, pod, other)) return;
      anyMatch = true;
      const value = nodeLabels.get(nodeName)?.[term.topologyKey];
      if (value !== undefined) domains[i].add(value);
    });
  }
  const firstOfItsKind = !anyMatch && terms.every((term) => termMatches(term, pod, pod));
  return (node) => {
    const labels = node.metadata.labels ?? {};
    if (terms.some((term) => labels[term.topologyKey] === undefined)) return POD_AFFINITY_REASON;
    if (firstOfItsKind) return undefined;
    return terms.every((term, i) => domains[i].has(labels[term.topologyKey])) ? undefined : POD_AFFINITY_REASON;
  };
}
