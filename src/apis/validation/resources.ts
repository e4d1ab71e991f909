/**
 * Validation of resource requirement blocks (requests/limits maps of quantities) shared by the
 * Template and Session validators, with kube's rules: every quantity parses, none is negative,
 * and no request exceeds the limit for the same resource. Beyond kube, for a workspace platform:
 * resource names are kube's (the standard unprefixed ones, or a qualified `domain/name` such as
 * `nvidia.com/gpu`, never a path like `../x`), extended resources are whole numbers, and no
 * quantity exceeds {@link RESOURCE_CEILINGS} (a CPU limit of 1e18 is a typo or an attack).
 */
import { fieldInvalid, type StatusCause } from '../../apimachinery/errors.ts';
import { compareQuantities, parseQuantity, type Quantity } from '../../apimachinery/quantity.ts';

/** A requests/limits block as the schemas type it. */
export interface ResourceBlock {
  requests?: Record<string, number | string>;
  limits?: Record<string, number | string>;
}

/** Resource names allowed without a domain prefix (kube's standard container resources). */
const STANDARD_NAMES = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage']);
const HUGEPAGES = /^hugepages-[0-9]+(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** The largest quantity a session may ask for, per resource (extended resources: `other`). */
export const RESOURCE_CEILINGS = { cpu: '1024', memory: '16Ti', storage: '1Pi', other: '1024' } as const;

/** Why `name` is not a valid resource name, or undefined. */
export function resourceNameProblem(name: string): string | undefined {
  if (STANDARD_NAMES.has(name) || HUGEPAGES.test(name)) return undefined;
  const slash = name.indexOf('/');
  if (slash < 0) return 'must be a standard resource (cpu, memory, ephemeral-storage, storage, hugepages-<size>) or a qualified name such as nvidia.com/gpu';
  const [prefix, part] = [name.slice(0, slash), name.slice(slash + 1)];
  if (!DNS_SUBDOMAIN.test(prefix) || !QUALIFIED_NAME_PART.test(part)) return 'must be a qualified name: a DNS subdomain, a slash and a name of letters, digits, "-", "_" or "." (at most 63)';
  return undefined;
}

function ceilingOf(name: string): Quantity {
  if (name === 'cpu') return parseQuantity(RESOURCE_CEILINGS.cpu);
  if (name === 'memory' || HUGEPAGES.test(name)) return parseQuantity(RESOURCE_CEILINGS.memory);
  if (name === 'storage' || name === 'ephemeral-storage') return parseQuantity(RESOURCE_CEILINGS.storage);
  return parseQuantity(RESOURCE_CEILINGS.other);
}

/** Why `quantity` of resource `name` is out of bounds, or undefined. */
function quantityProblem(name: string, quantity: Quantity): string | undefined {
  if (quantity.nanos < 0n) return 'must be greater than or equal to 0';
  const ceiling = ceilingOf(name);
  if (compareQuantities(quantity, ceiling) > 0) return `must be at most ${ceiling.toString()}`;
  if (name.includes('/') && quantity.nanos % 1_000_000_000n !== 0n) return 'must be a whole number (extended resources are not divisible)';
  return undefined;
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
    const badName = resourceNameProblem(name);
    if (badName) {
      causes.push(fieldInvalid(at, name, badName));
      continue;
    }
    try {
      const quantity = parseQuantity(value);
      const problem = quantityProblem(name, quantity);
      if (problem) causes.push(fieldInvalid(at, value, problem));
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
