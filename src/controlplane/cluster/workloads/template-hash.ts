/**
 * The pod-template-hash of a Deployment's template: a 32-bit FNV-1a hash of the template (with
 * the collision count mixed in) written in kube's "safe" alphabet, which has no vowels so a hash
 * never spells a word. Templates are compared without that label, as the ReplicaSet's copy has it.
 */
import { deepEqual } from '../../../apimachinery/object.ts';

/** The label that ties a ReplicaSet and its pods to one template revision. */
export const TEMPLATE_HASH_LABEL = 'pod-template-hash';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function withoutHashLabel(template: any): any {
  const labels = { ...template?.metadata?.labels };
  delete labels[TEMPLATE_HASH_LABEL];
  return { ...template, metadata: { ...template?.metadata, labels } };
}

/** The hash of a pod template (and collision count). */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  const digits = String(fnv1a(canonical(withoutHashLabel(template)) + (collisionCount ? `#${collisionCount}` : '')));
  let out = '';
  for (const d of digits) out += SAFE_ALPHABET[d.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}

/** Whether two templates are the same revision (the hash label aside). */
export function sameTemplate(a: unknown, b: unknown): boolean {
  return deepEqual(withoutHashLabel(a), withoutHashLabel(b));
}
