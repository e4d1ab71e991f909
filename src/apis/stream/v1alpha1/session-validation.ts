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

/** Owner and repository names as Gitea allows them (and the clone script checks them again). */
const REPOSITORY_NAME = /^(?!-)(?!\.{1,2}$)[A-Za-z0-9_.-]{1,100}$/;
/** A branch, tag or commit: never an option (`--upload-pack=…`), a path escape or an empty segment. */
const GIT_REF = /^(?![-/])(?!.*\.\.)(?!.*\/\/)(?!.*\/$)[A-Za-z0-9_./-]{1,255}$/;
/** Hosts a clone must never reach: link-local addresses (cloud metadata services) and their names. */
const FORBIDDEN_HOSTS = /^(169\.254\.\d{1,3}\.\d{1,3}|\[fe80:.*\]|\[fd00:ec2::254\]|metadata\.google\.internal|metadata)$/i;

/** Why `value` is not an acceptable clone URL, or undefined (the clone script's rule, and no metadata addresses). */
function cloneUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL (file://, ssh:// and ext:: are not allowed)';
  if (url.username || url.password) return 'must not carry credentials';
  if (/[^\x21-\x7e]/.test(value)) return 'must not contain spaces or control characters';
  if (FORBIDDEN_HOSTS.test(url.hostname)) return 'must not point at a link-local or metadata address';
  return undefined;
}

function validateRepository(repository: SessionRepository | undefined, path: string): StatusCause[] {
  if (!repository) return [];
  const causes: StatusCause[] = [];
  for (const key of ['owner', 'name'] as const) {
    const value = repository[key];
    if (!value) causes.push(fieldRequired(`${path}.${key}`));
    else if (!REPOSITORY_NAME.test(value)) causes.push(fieldInvalid(`${path}.${key}`, value, 'must be 1-100 letters, digits, "_", "." or "-", not start with "-" and not be "." or ".."'));
  }
  const urlProblem = repository.cloneURL === undefined ? undefined : cloneUrlProblem(repository.cloneURL);
  if (urlProblem) causes.push(fieldInvalid(`${path}.cloneURL`, repository.cloneURL, urlProblem));
  if (repository.ref !== undefined && !GIT_REF.test(repository.ref)) {
    causes.push(fieldInvalid(`${path}.ref`, repository.ref, 'must be a branch, tag or commit: letters, digits, "_", ".", "/" or "-", not starting with "-" or "/", without ".." or empty segments'));
  }
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
