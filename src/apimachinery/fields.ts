/**
 * Field selectors as kube-apiserver parses and applies them (apimachinery pkg/fields):
 * `field=value`, `field==value`, `field!=value`, comma meaning AND, and `\`, `,`, `=` in values
 * escaped with a backslash. Unlike label selectors nothing is trimmed: `a = b` names the field `a `.
 */
import { badRequest } from './errors.ts';

/** One term: `=` (also written `==`) or `!=`. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

/** A parsed field selector: its terms, ANDed; no terms matches everything. */
export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
}

/** The selector of an empty `fieldSelector`: matches everything. */
export const EVERYTHING_FIELDS: FieldSelector = Object.freeze({ requirements: Object.freeze([]) });

/** Escapes a value for a field selector term (fields.EscapeValue). */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue: the inverse of escapeFieldValue; throws kube's message on a bad escape. */
export function unescapeFieldValue(text: string): string {
  if (!/[\\,=]/.test(text)) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ',' || c === '=') {
      // Go prints the rune with %v, i.e. as its code point number.
      throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    }
    if (c !== '\\') {
      out += c;
      continue;
    }
    const escaped = text[++i];
    if (escaped === undefined) throw new Error('invalid field selector: invalid escape sequence: \\');
    if (escaped !== '\\' && escaped !== ',' && escaped !== '=') {
      throw new Error(`invalid field selector: invalid escape sequence: \\${String.fromCodePoint(text.codePointAt(i) ?? 0)}`);
    }
    out += escaped;
  }
  return out;
}

/** Splits on commas that are not escaped. */
function splitTerms(text: string): string[] {
  if (text === '') return [];
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** The first operator from the left splits the term; `!=` wins over `=` at the same place. */
function splitTerm(term: string): { field: string; op: string; value: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    const op = TERM_OPERATORS.find((candidate) => term.startsWith(candidate, i));
    if (op) return { field: term.slice(0, i), op, value: term.slice(i + op.length) };
  }
  return undefined;
}

function parseTerms(text: string): FieldRequirement[] {
  // kube sorts the raw terms before parsing, which fixes both the order and the first error reported.
  const terms = splitTerms(text).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const requirements: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw new Error(`invalid selector: '${text}'; can't understand '${term}'`);
    const value = unescapeFieldValue(parts.value);
    requirements.push(Object.freeze({ field: parts.field, operator: parts.op === '!=' ? '!=' : '=', value }));
  }
  return requirements;
}

/**
 * Parses a `fieldSelector` query value; throws a 400 BadRequest StatusError with kube's
 * message on malformed input. Which fields exist is checked separately (requireSupportedFields).
 */
export function parseFieldSelector(text: string): FieldSelector {
  try {
    return Object.freeze({ requirements: Object.freeze(parseTerms(text)) });
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

/** Builds the selector `field=value,...` from a set (fields.SelectorFromSet). */
export function fieldSelectorFromSet(set: Record<string, string>): FieldSelector {
  const requirements = Object.entries(set).map(([field, value]) => Object.freeze({ field, operator: '=' as const, value }));
  return Object.freeze({ requirements: Object.freeze(requirements) });
}

/**
 * Whether an object's selectable fields satisfy the selector. A field missing from the set
 * reads as the empty string, as in kube (so `x!=a` matches an object without `x`).
 */
export function matchesFields(selector: FieldSelector, fieldSet: Record<string, string>): boolean {
  return selector.requirements.every((r) => {
    const actual = Object.hasOwn(fieldSet, r.field) ? fieldSet[r.field] : '';
    return r.operator === '=' ? actual === r.value : actual !== r.value;
  });
}

/**
 * Rejects fields the resource cannot select on, with the 400 BadRequest kube-apiserver sends
 * for built-in kinds and custom resources: `field label not supported: <field>`.
 */
export function requireSupportedFields(selector: FieldSelector, supported: readonly string[]): void {
  const unsupported = selector.requirements.find((r) => !supported.includes(r.field));
  if (unsupported) throw badRequest(`field label not supported: ${unsupported.field}`);
}

/** The value a selector pins `field` to with `=`, if it does (lets a list look up one key directly). */
export function fieldSelectorExactMatch(selector: FieldSelector, field: string): string | undefined {
  return selector.requirements.find((r) => r.field === field && r.operator === '=')?.value;
}

/** The canonical text: terms in order, `=` for equality, values escaped. */
export function fieldSelectorToString(selector: FieldSelector): string {
  return selector.requirements.map((r) => `${r.field}${r.operator}${escapeFieldValue(r.value)}`).join(',');
}
