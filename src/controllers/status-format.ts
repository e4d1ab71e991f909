/**
 * How the controllers write values into status: metav1.Time, and validation causes as the one
 * human-readable message a condition or a Failed phase carries.
 */
import type { StatusCause } from '../apimachinery/errors.ts';

export { kubeTime } from '../apimachinery/time.ts';

/** Validation causes as one line: `spec.baseImage: Invalid value: "": ...; spec.vnc.port: ...`. */
export function describeCauses(causes: StatusCause[]): string {
  return causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join('; ');
}
