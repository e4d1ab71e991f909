/**
 * The node edits of cordon, uncordon, label, unlabel, taint and untaint, computed from the node
 * as it is: the merge patch that brings it to the wanted state, or none when it is already there.
 * Computing from the current node is what makes the operations idempotent: a controller that
 * crashed after patching the node finds nothing left to do and reports success.
 *
 * Taints are a list, so their patch replaces the whole list and carries the node's
 * resourceVersion: a concurrent change to the taints (the node lifecycle controller adds and
 * removes its own) makes the patch fail with a conflict and the operation retries on the fresh
 * node, instead of overwriting that change.
 */
import type { KubeObject } from '../../apimachinery/object.ts';
import type { NodeOperationSpec, NodeTaint } from '../../apis/stream/v1alpha1/nodeoperation.ts';

/** A node taint as stored in spec.taints. */
export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

/** What an operation does to a node. */
export interface NodeChange {
  /** The merge patch to send; undefined when the node already is as wanted. */
  patch?: Record<string, unknown>;
  /** What was done, or found already done, for status.message. */
  message: string;
}

/** `key=value:effect`, as kubectl writes taints. */
export function describeTaint(t: NodeTaint | Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}${t.effect ? `:${t.effect}` : ''}`;
}

function describeLabels(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ');
}

function cordon(node: KubeObject, name: string, unschedulable: boolean): NodeChange {
  const isUnschedulable = node.spec?.unschedulable === true;
  const verb = unschedulable ? 'cordoned' : 'uncordoned';
  if (isUnschedulable === unschedulable) return { message: `node ${name} was already ${verb}` };
  // null removes the field, as an uncordoned node carries none.
  return { patch: { spec: { unschedulable: unschedulable ? true : null } }, message: `node ${name} ${verb}` };
}

function label(node: KubeObject, name: string, wanted: Record<string, string>): NodeChange {
  const current = node.metadata.labels ?? {};
  const changed = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => current[k] !== v));
  if (!Object.keys(changed).length) return { message: `node ${name} already had labels ${describeLabels(wanted)}` };
  return { patch: { metadata: { labels: changed } }, message: `labelled node ${name} with ${describeLabels(wanted)}` };
}

function unlabel(node: KubeObject, name: string, keys: string[]): NodeChange {
  const current = node.metadata.labels ?? {};
  const present = keys.filter((k) => k in current);
  if (!present.length) return { message: `node ${name} had none of the labels ${keys.join(', ')}` };
  const labels = Object.fromEntries(present.map((k) => [k, null]));
  return { patch: { metadata: { labels } }, message: `removed labels ${present.join(', ')} from node ${name}` };
}

function taintsPatch(node: KubeObject, taints: Taint[]): Record<string, unknown> {
  return { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: taints.length ? taints : null } };
}

function taint(node: KubeObject, name: string, wanted: NodeTaint): NodeChange {
  const current: Taint[] = node.spec?.taints ?? [];
  const same = current.find((t) => t.key === wanted.key && t.effect === wanted.effect);
  const text = describeTaint(wanted);
  if (same && (same.value ?? '') === (wanted.value ?? '')) return { message: `node ${name} already had taint ${text}` };
  const added: Taint = { key: wanted.key, effect: wanted.effect ?? 'NoSchedule' };
  if (wanted.value) added.value = wanted.value;
  // A taint with the same key and effect is replaced (its value changes), as `kubectl taint --overwrite` does.
  const next = same ? current.map((t) => (t === same ? added : t)) : [...current, added];
  return { patch: taintsPatch(node, next), message: `${same ? 'replaced' : 'added'} taint ${text} on node ${name}` };
}

function untaint(node: KubeObject, name: string, wanted: NodeTaint): NodeChange {
  const current: Taint[] = node.spec?.taints ?? [];
  const matches = (t: Taint): boolean => t.key === wanted.key && (!wanted.effect || t.effect === wanted.effect);
  const removed = current.filter(matches);
  if (!removed.length) return { message: `node ${name} had no taint ${describeTaint(wanted)}` };
  return { patch: taintsPatch(node, current.filter((t) => !matches(t))), message: `removed taint ${removed.map(describeTaint).join(', ')} from node ${name}` };
}

/** The change `spec` (any operation but drain) makes to `node`. */
export function nodeChange(spec: NodeOperationSpec, node: KubeObject): NodeChange {
  const name = node.metadata.name ?? spec.nodeName;
  const params = spec.parameters ?? {};
  switch (spec.operation) {
    case 'cordon': return cordon(node, name, true);
    case 'uncordon': return cordon(node, name, false);
    case 'label': return label(node, name, params.labels ?? {});
    case 'unlabel': return unlabel(node, name, Object.keys(params.labels ?? {}));
    case 'taint': return taint(node, name, params.taint ?? { key: '' });
    case 'untaint': return untaint(node, name, params.taint ?? { key: '' });
    default: throw new Error(`operation ${spec.operation} does not edit the node directly`);
  }
}
