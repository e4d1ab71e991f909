/**
 * How Kubernetes API failures reach our clients: a webhook's denial is a 403 carrying the
 * webhook's message (quota exceeded, template not allowed, ...), validation failures are 400s
 * naming the field, 404 and 409 keep their meaning, and anything else is a 502 from upstream.
 */
import { toApiError } from '../../runtime/api-error.ts';
import { ApiError } from '../errors.ts';

/** True when the Kubernetes error is an admission webhook's (or admission plugin's) refusal. */
function isAdmissionDenial(message: string): boolean {
  return /admission webhook .* denied the request/.test(message);
}

/** Strips the `spec.` prefix of a cause field: clients send the spec's fields at the top level. */
function clientField(field: string | undefined): string | undefined {
  return field ? `body.${field.replace(/^spec\./, '')}` : undefined;
}

/** The API error for a failure of a Kubernetes call; non-Kubernetes errors pass through unchanged. */
export function fromKubernetesError(err: unknown): unknown {
  const k = toApiError(err);
  if (!k) return err;
  if (isAdmissionDenial(k.message)) return new ApiError('SS_ERR_ADMISSION_DENIED', k.message);
  if (k.code === 404) return new ApiError('SS_ERR_NOT_FOUND', k.message);
  if (k.code === 409) return new ApiError('SS_ERR_CONFLICT', k.message);
  if (k.code === 422 || k.code === 400) return new ApiError('SS_ERR_INVALID_INPUT', k.message, { field: clientField(k.details?.causes?.[0]?.field) });
  if (k.code === 403) return new ApiError('SS_ERR_ADMISSION_DENIED', k.message);
  return new ApiError('SS_ERR_KUBERNETES', `Kubernetes API: ${k.message}`);
}

/** Runs a Kubernetes call, translating its failure with {@link fromKubernetesError}. */
export async function kubeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw fromKubernetesError(err);
  }
}
