/** metav1.Time: how an instant is written into an object. */

/** A metav1.Time: RFC 3339 with whole seconds (the fraction is dropped, as Kubernetes stores it). */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
