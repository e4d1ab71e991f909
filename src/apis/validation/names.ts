/**
 * Syntax checks for the container-level names a Template carries (port names, environment
 * variable names). Each returns the list of problems, empty when the value is valid, worded like
 * apimachinery's validation messages. Object-name checks (DNS-1123 etc.) live in
 * src/apimachinery/validation.ts.
 */
import { regexError } from '../../apimachinery/validation.ts';

const IANA_SVC_NAME_MAX = 15;

/** Problems with `value` as an IANA service name, the syntax of container port names. */
export function ianaServiceNameProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > IANA_SVC_NAME_MAX) problems.push(`must be no more than ${IANA_SVC_NAME_MAX} characters`);
  if (!/^[-a-z0-9]+$/.test(value)) problems.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (value.includes('--')) problems.push('must not contain consecutive hyphens');
  if (!/[a-z]/.test(value)) problems.push('must contain at least one letter (a-z)');
  if (value.startsWith('-') || value.endsWith('-')) problems.push('must not begin or end with a hyphen');
  return problems;
}

const ENV_VAR_NAME_FMT = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const ENV_VAR_NAME_RE = new RegExp(`^${ENV_VAR_NAME_FMT}$`);
const ENV_VAR_NAME_MSG = 'a valid environment variable name must consist of alphabetic characters, digits, \'_\', \'-\', or \'.\', '
  + 'and must not start with a digit';

/** Problems with `value` as an environment variable name (kube's relaxed C-identifier rule). */
export function envVarNameProblems(value: string): string[] {
  if (ENV_VAR_NAME_RE.test(value)) return [];
  return [regexError(ENV_VAR_NAME_MSG, ENV_VAR_NAME_FMT, 'my.env-name', 'MY_ENV.NAME', 'MyEnvName1')];
}
