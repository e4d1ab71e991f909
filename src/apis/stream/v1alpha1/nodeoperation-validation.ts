/**
 * Semantic validation of NodeOperation.spec: each operation carries the parameters it needs
 * (labels for label/unlabel, a taint for taint/untaint), checked before the controller acts.
 */
import {
  fieldInvalid, fieldNotSupported, fieldRequired, type StatusCause,
} from '../../../apimachinery/errors.ts';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue, validateLabels } from '../../../apimachinery/validation.ts';
import { NODE_OPERATIONS, TAINT_EFFECTS, type NodeOperationSpec, type NodeTaint } from './nodeoperation.ts';

function validateNodeName(nodeName: string | undefined, path: string): StatusCause[] {
  if (!nodeName) return [fieldRequired(path)];
  return isDNS1123Subdomain(nodeName).map((problem) => fieldInvalid(path, nodeName, problem));
}

function validateLabelParameters(spec: NodeOperationSpec, path: string): StatusCause[] {
  const labels = spec.parameters?.labels;
  if (!labels || Object.keys(labels).length === 0) return [fieldRequired(path, `the labels to ${spec.operation === 'label' ? 'set' : 'remove'}`)];
  if (spec.operation === 'label') return validateLabels(labels, path);
  // unlabel only reads the keys.
  return Object.keys(labels).flatMap((key) => isQualifiedName(key).map((problem) => fieldInvalid(path, key, problem)));
}

function validateTaintParameters(taint: NodeTaint | undefined, adding: boolean, path: string): StatusCause[] {
  if (!taint) return [fieldRequired(path, `the taint to ${adding ? 'add' : 'remove'}`)];
  const causes: StatusCause[] = [];
  if (!taint.key) causes.push(fieldRequired(`${path}.key`));
  else causes.push(...isQualifiedName(taint.key).map((problem) => fieldInvalid(`${path}.key`, taint.key, problem)));
  if (taint.value) causes.push(...isValidLabelValue(taint.value).map((problem) => fieldInvalid(`${path}.value`, taint.value, problem)));
  if (taint.effect === undefined) {
    if (adding) causes.push(fieldRequired(`${path}.effect`));
  } else if (!(TAINT_EFFECTS as readonly string[]).includes(taint.effect)) {
    causes.push(fieldNotSupported(`${path}.effect`, taint.effect, [...TAINT_EFFECTS]));
  }
  return causes;
}

function validateOperationParameters(spec: NodeOperationSpec, path: string): StatusCause[] {
  switch (spec.operation) {
    case 'label':
    case 'unlabel':
      return validateLabelParameters(spec, `${path}.parameters.labels`);
    case 'taint':
    case 'untaint':
      return validateTaintParameters(spec.parameters?.taint, spec.operation === 'taint', `${path}.parameters.taint`);
    default:
      return [];
  }
}

/**
 * Validates a NodeOperation spec. Returns one cause per problem with field paths rooted at
 * `path` (`spec.parameters.taint.effect`), empty when the spec is valid.
 */
export function validateNodeOperationSpec(spec: NodeOperationSpec | undefined, path = 'spec'): StatusCause[] {
  if (!spec) return [fieldRequired(path)];
  const causes = validateNodeName(spec.nodeName, `${path}.nodeName`);
  if (!spec.operation) return [...causes, fieldRequired(`${path}.operation`)];
  if (!(NODE_OPERATIONS as readonly string[]).includes(spec.operation)) {
    return [...causes, fieldNotSupported(`${path}.operation`, spec.operation, [...NODE_OPERATIONS])];
  }
  return [...causes, ...validateOperationParameters(spec, path)];
}
