/**
 * What a NodeOperation may touch, beyond the shape rules of validateNodeOperationSpec: label and
 * taint keys in the kubernetes.io and k8s.io domains (`kubernetes.io/hostname`,
 * `node.kubernetes.io/unschedulable`, `node-role.kubernetes.io/control-plane`, `topology.kubernetes.io/zone`)
 * belong to Kubernetes and its components, which set and rely on them; and parameters the
 * operation does not use are refused rather than silently ignored (a `label` operation carrying
 * a taint is almost certainly a mistake). The admission webhook refuses such operations up front;
 * the controller applies the same rules, so an operation created while the webhook was not
 * installed still never changes a system key.
 */
import { fieldForbidden, type StatusCause } from '../../../apimachinery/errors.ts';
import { NODE_OPERATIONS, type NodeOperationParameters, type NodeOperationSpec, type NodeOperationType } from './nodeoperation.ts';
import { validateNodeOperationSpec } from './nodeoperation-validation.ts';

/** Key prefixes (and their subdomains) reserved for Kubernetes. */
const SYSTEM_DOMAINS = ['kubernetes.io', 'k8s.io'];

/** The taint kube keeps in step with spec.unschedulable. */
const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';

/** Which operations use each parameter. */
const PARAMETER_USERS: Record<keyof NodeOperationParameters, readonly NodeOperationType[]> = {
  labels: ['label', 'unlabel'],
  taint: ['taint', 'untaint'],
  drain: ['drain'],
};

/** True when `key` (`prefix/name`) is in a domain reserved for Kubernetes. */
export function isSystemKey(key: string): boolean {
  const slash = key.indexOf('/');
  if (slash < 0) return false;
  const prefix = key.slice(0, slash).toLowerCase();
  return SYSTEM_DOMAINS.some((domain) => prefix === domain || prefix.endsWith(`.${domain}`));
}

function labelCauses(spec: NodeOperationSpec, path: string): StatusCause[] {
  const verb = spec.operation === 'label' ? 'set' : 'remove';
  return Object.keys(spec.parameters?.labels ?? {}).filter(isSystemKey).map((key) => fieldForbidden(
    `${path}.parameters.labels[${key}]`,
    `label keys in the kubernetes.io and k8s.io domains belong to Kubernetes; a NodeOperation may not ${verb} them`,
  ));
}

function taintCauses(spec: NodeOperationSpec, path: string): StatusCause[] {
  const key = spec.parameters?.taint?.key;
  if (!key || !isSystemKey(key)) return [];
  const field = `${path}.parameters.taint.key`;
  if (key === UNSCHEDULABLE_TAINT) {
    return [fieldForbidden(field, `${UNSCHEDULABLE_TAINT} is kept by Kubernetes in step with spec.unschedulable; use operation cordon or uncordon instead`)];
  }
  return [fieldForbidden(field, 'taint keys in the kubernetes.io and k8s.io domains belong to Kubernetes; a NodeOperation may not add or remove them')];
}

function unusedParameterCauses(spec: NodeOperationSpec, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [name, users] of Object.entries(PARAMETER_USERS)) {
    if (spec.parameters?.[name as keyof NodeOperationParameters] === undefined || users.includes(spec.operation)) continue;
    causes.push(fieldForbidden(`${path}.parameters.${name}`, `not used by operation ${JSON.stringify(spec.operation)}; only by ${users.join(' and ')}`));
  }
  return causes;
}

/** The policy causes of `spec` (see the module comment), rooted at `path`. */
export function nodeOperationPolicyCauses(spec: NodeOperationSpec, path = 'spec'): StatusCause[] {
  switch (spec.operation) {
    case 'label':
    case 'unlabel':
      return [...labelCauses(spec, path), ...unusedParameterCauses(spec, path)];
    case 'taint':
    case 'untaint':
      return [...taintCauses(spec, path), ...unusedParameterCauses(spec, path)];
    default:
      return unusedParameterCauses(spec, path);
  }
}

/** Every reason `spec` cannot be carried out as written: shape (validateNodeOperationSpec), then policy. */
export function nodeOperationSpecCauses(spec: NodeOperationSpec | undefined, path = 'spec'): StatusCause[] {
  const causes = validateNodeOperationSpec(spec, path);
  if (!spec || !(NODE_OPERATIONS as readonly string[]).includes(spec.operation)) return causes;
  return [...causes, ...nodeOperationPolicyCauses(spec, path)];
}
