/**
 * Container image reference syntax, following the Docker/OCI distribution reference grammar:
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain    := host [ ":" port ]      host := domain-name | "[" IPv6 "]"
 *   path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*   separator := [_.] | "__" | "-"+
 *   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest    := algorithm ":" hex{32,}   algorithm := [A-Za-z][A-Za-z0-9]* ( [-_+.] [A-Za-z][A-Za-z0-9]* )*
 */

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

/** The longest repository name (domain and path) a registry accepts. */
export const MAX_IMAGE_NAME_LENGTH = 255;

/** The parts of a parsed image reference. */
export interface ImageReference {
  /** Registry domain and repository path, e.g. `lscr.io/linuxserver/firefox`. */
  name: string;
  tag?: string;
  digest?: string;
}

/** Parses an image reference; throws an Error whose message says what is wrong. */
export function parseImageReference(ref: string): ImageReference {
  if (ref === '') throw new Error('repository name must have at least one component');
  const match = REFERENCE_RE.exec(ref);
  if (!match) {
    // Tags, digests and domains may hold capitals; if lowering everything makes the reference
    // valid, the repository path's case was the only problem, which deserves its own message.
    const lowercaseWouldMatch = REFERENCE_RE.test(ref.toLowerCase());
    throw new Error(lowercaseWouldMatch ? 'repository name must be lowercase' : 'invalid reference format');
  }
  const [, name, tag, digest] = match;
  if (name.length > MAX_IMAGE_NAME_LENGTH) throw new Error(`repository name must not be more than ${MAX_IMAGE_NAME_LENGTH} characters`);
  const parsed: ImageReference = { name };
  if (tag !== undefined) parsed.tag = tag;
  if (digest !== undefined) parsed.digest = digest;
  return parsed;
}

/** The problem with `ref` as an image reference, or undefined when it is valid. */
export function imageReferenceProblem(ref: string): string | undefined {
  try {
    parseImageReference(ref);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
