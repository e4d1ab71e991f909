/**
 * How the controllers write values into status: metav1.Time, and validation causes as the one
 * human-readable message a condition or a Failed phase carries.
 */
import type { StatusCause } from '../apimachinery/errors.ts';

/** A metav1.Time: RFC 3339 with whole seconds. */
export function kubeTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Validation causes as one line: `spec.baseImage: Invalid value: "": ...; spec.vnc.port: ...`. */
export function describeCauses(causes: StatusCause[]): string {
  return causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ');
}
