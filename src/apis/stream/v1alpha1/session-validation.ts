/**
 * Semantic validation of Session.spec, shared by the Session controller and the validating
 * webhook: an owner, a well-formed template name, durations that parse, sane quantities.
 */
import {
  fieldInvalid, fieldNotSupported, fieldRequired, type StatusCause,
} from '../../../apimachinery/errors.ts';
import { isDNS1123Subdomain } from '../../../apimachinery/validation.ts';
import { parseDuration } from '../../../apimachinery/duration.ts';
import { validateResourceRequirements } from '../../validation/resources.ts';
import { SESSION_STATES, type SessionRepository, type SessionSpec } from './session.ts';

function validateUser(user: string | undefined, path: string): StatusCause[] {
  return user && user.trim() !== '' ? [] : [fieldRequired(path, 'the user who owns the session')];
}

function validateTemplateName(template: string | undefined, path: string): StatusCause[] {
  if (!template) return [fieldRequired(path, 'the name of the Template to launch')];
  return isDNS1123Subdomain(template).map((problem) => fieldInvalid(path, template, problem));
}

function validateState(state: string | undefined, path: string): StatusCause[] {
  if (state === undefined || (SESSION_STATES as readonly string[]).includes(state)) return [];
  return [fieldNotSupported(path, state, [...SESSION_STATES])];
}

/** A duration must parse as Go's time.ParseDuration does, and not be negative. */
function validateDuration(value: string | undefined, path: string): StatusCause[] {
  if (value === undefined) return [];
  let milliseconds: number;
  try {
    milliseconds = parseDuration(value);
  } catch (err) {
    return [fieldInvalid(path, value, (err as Error).message)];
  }
  return milliseconds < 0 ? [fieldInvalid(path, value, 'must be greater than or equal to 0')] : [];
}

function validateRepository(repository: SessionRepository | undefined, path: string): StatusCause[] {
  if (!repository) return [];
  const causes: StatusCause[] = [];
  if (!repository.owner) causes.push(fieldRequired(`${path}.owner`));
  if (!repository.name) causes.push(fieldRequired(`${path}.name`));
  return causes;
}

/**
 * Validates a Session spec. Returns one cause per problem with field paths rooted at `path`
 * (`spec.idleTimeout`), empty when the spec is valid.
 */
export function validateSessionSpec(spec: SessionSpec | undefined, path = 'spec'): StatusCause[] {
  if (!spec) return [fieldRequired(path)];
  return [
    ...validateUser(spec.user, `${path}.user`),
    ...validateTemplateName(spec.template, `${path}.template`),
    ...validateState(spec.state, `${path}.state`),
    ...validateResourceRequirements(spec.resources, `${path}.resources`),
    ...validateDuration(spec.idleTimeout, `${path}.idleTimeout`),
    ...validateDuration(spec.maxSessionDuration, `${path}.maxSessionDuration`),
    ...validateRepository(spec.repository, `${path}.repository`),
  ];
}
