/**
 * Validation of resource requirement blocks (requests/limits maps of quantities) shared by the
 * Template and Session validators, with kube's rules: every quantity parses, none is negative,
 * and no request exceeds the limit for the same resource.
 */
import { fieldInvalid, type StatusCause } from '../../apimachinery/errors.ts';
import { compareQuantities, parseQuantity, type Quantity } from '../../apimachinery/quantity.ts';

/** A requests/limits block as the schemas type it. */
export interface ResourceBlock {
  requests?: Record<string, number | string>;
  limits?: Record<string, number | string>;
}

/** The parsed quantities of a ResourceList, and causes for those that are malformed or negative. */
function parseResourceList(
  list: Record<string, number | string> | undefined,
  path: string,
): { parsed: Map<string, Quantity>; causes: StatusCause[] } {
  const parsed = new Map<string, Quantity>();
  const causes: StatusCause[] = [];
  for (const [name, value] of Object.entries(list ?? {})) {
    const at = `${path}[${name}]`;
    try {
      const quantity = parseQuantity(value);
      if (quantity.nanos < 0n) causes.push(fieldInvalid(at, value, 'must be greater than or equal to 0'));
      else parsed.set(name, quantity);
    } catch (err) {
      causes.push(fieldInvalid(at, value, (err as Error).message));
    }
  }
  return { parsed, causes };
}

/**
 * Causes for a requests/limits block at `path`, at paths like `spec.resources.limits[memory]`;
 * empty when every quantity is valid and each request fits its limit.
 */
export function validateResourceRequirements(resources: ResourceBlock | undefined, path: string): StatusCause[] {
  if (!resources) return [];
  const requests = parseResourceList(resources.requests, `${path}.requests`);
  const limits = parseResourceList(resources.limits, `${path}.limits`);
  const causes = [...requests.causes, ...limits.causes];
  for (const [name, request] of requests.parsed) {
    const limit = limits.parsed.get(name);
    if (limit && compareQuantities(request, limit) > 0) {
      causes.push(fieldInvalid(`${path}.requests[${name}]`, resources.requests?.[name], `must be less than or equal to ${name} limit of ${limit.toString()}`));
    }
  }
  return causes;
}
