/**
 * Validation of what a user names when asking for a code-server: the repository owner and name
 * (Gitea's rules), the Git ref to check out, and the clone URL Gitea hands back. Everything that
 * reaches the init container passes through here first; the clone script checks the same rules
 * again, so a Session written by hand (kubectl) cannot smuggle anything past it either.
 */

/** Gitea's alphabet for user, organization and repository names. */
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** Gitea caps user names at 40 and repository names at 100 characters. */
const MAX_OWNER_LENGTH = 40;
const MAX_REPOSITORY_LENGTH = 100;

/** Branch, tag or commit: Git ref characters only, no option-like or parent-walking forms. */
const REF_PATTERN = /^[A-Za-z0-9._/-]+$/;
const MAX_REF_LENGTH = 255;

/** A name or URL the user gave that cannot be used, and why. */
export class InvalidRepositoryError extends Error {
  /** Which input was wrong: `repoOwner`, `repoName`, `ref` or `cloneURL`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'InvalidRepositoryError';
    this.field = field;
  }
}

function nameProblem(value: string, max: number): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > max) return `must be at most ${max} characters`;
  if (!NAME_PATTERN.test(value)) return 'may contain only letters, digits, "_", "." and "-"';
  if (value === '.' || value === '..') return 'must not be "." or ".."';
  if (value.startsWith('-')) return 'must not start with "-"';
  return undefined;
}

/** Why `owner` is not a valid Gitea user or organization name; undefined when it is. */
export function ownerNameProblem(owner: string): string | undefined {
  return nameProblem(owner, MAX_OWNER_LENGTH);
}

/** Why `name` is not a valid Gitea repository name; undefined when it is. */
export function repositoryNameProblem(name: string): string | undefined {
  // `.git` and `.wiki` suffixes name other things on a Gitea server than the repository itself.
  if (/\.(git|wiki)$/i.test(name)) return 'must not end in ".git" or ".wiki"';
  return nameProblem(name, MAX_REPOSITORY_LENGTH);
}

/** Why `ref` is not a usable branch, tag or commit; undefined when it is. */
export function refProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'must not be empty';
  if (ref.length > MAX_REF_LENGTH) return `must be at most ${MAX_REF_LENGTH} characters`;
  if (!REF_PATTERN.test(ref)) return 'may contain only letters, digits, "_", ".", "/" and "-"';
  if (ref.startsWith('-') || ref.startsWith('/') || ref.endsWith('/')) return 'must not start with "-" or "/", nor end with "/"';
  if (ref.includes('..') || ref.includes('//')) return 'must not contain ".." or "//"';
  return undefined;
}

/** Throws {@link InvalidRepositoryError} unless owner and name are valid Gitea names. */
export function assertRepositoryNames(owner: string, name: string): void {
  const ownerProblem = ownerNameProblem(owner);
  if (ownerProblem) throw new InvalidRepositoryError('repoOwner', `invalid repository owner ${JSON.stringify(owner)}: ${ownerProblem}`);
  const nameProblemText = repositoryNameProblem(name);
  if (nameProblemText) throw new InvalidRepositoryError('repoName', `invalid repository name ${JSON.stringify(name)}: ${nameProblemText}`);
}

/** Why `url` may not be cloned from (only plain http(s) URLs without credentials); undefined when it may. */
export function cloneUrlProblem(url: string): string | undefined {
  // Control characters and spaces never belong in a clone URL and confuse every layer after this one.
  if ([...url].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f) || /\s/.test(url)) return 'must not contain spaces or control characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `must be http or https, not ${parsed.protocol.replace(/:$/, '')}`;
  if (parsed.username || parsed.password) return 'must not carry credentials (they would be stored in .git/config)';
  if (!parsed.hostname) return 'must name a host';
  return undefined;
}

/** Throws {@link InvalidRepositoryError} unless `url` may be cloned from; returns it. */
export function assertCloneUrl(url: string): string {
  const problem = cloneUrlProblem(url);
  if (problem) throw new InvalidRepositoryError('cloneURL', `invalid clone URL: ${problem}`);
  return url;
}
