/**
 * Label selectors as kube-apiserver parses and applies them (apimachinery pkg/labels):
 * the `labelSelector` query parameter grammar, metav1.LabelSelector from object specs,
 * matching, and the canonical string form.
 *
 * Grammar (comma means AND, whitespace around tokens is ignored):
 *   key=value  key==value  key!=value  key in (a,b)  key notin (a,b)  key  !key  key>5  key<5
 */
import { badRequest } from './errors.ts';
import { isQualifiedName, isValidLabelValue } from './validation.ts';
import type { MetaLabelSelector } from './validation.ts';

export type { MetaLabelSelector, MetaLabelSelectorRequirement } from './validation.ts';

/** selection.Operator values: `exists` is `key`, `!` is `!key`, `gt`/`lt` are `>`/`<`. */
export type SelectionOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** One condition on one label key; a selector ANDs its requirements. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectionOperator;
  readonly values: readonly string[];
}

/**
 * A parsed label selector. No requirements matches everything (labels.Everything);
 * `matchesNothing` is the selector of a null metav1.LabelSelector (labels.Nothing).
 */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
  readonly matchesNothing: boolean;
}

/** The selector that matches every object: an empty query or an empty metav1.LabelSelector. */
export const EVERYTHING_SELECTOR: LabelSelector = Object.freeze({ requirements: Object.freeze([]), matchesNothing: false });

/** The selector that matches no object: a null metav1.LabelSelector. */
export const NOTHING_SELECTOR: LabelSelector = Object.freeze({ requirements: Object.freeze([]), matchesNothing: true });

/** True for a selector without requirements that matches everything. */
export function isEverythingSelector(selector: LabelSelector): boolean {
  return !selector.matchesNothing && selector.requirements.length === 0;
}

// ---------------------------------------------------------------- requirements

const INT64_RE = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(v, 10, 64); undefined when Go would fail. */
function parseInt64(value: string): bigint | undefined {
  if (!INT64_RE.test(value)) return undefined;
  const n = BigInt(value);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** A field.Error as Go prints it: `path: Invalid value: <value>: detail`. */
function invalidText(path: string, value: string | readonly string[], detail: string): string {
  const shown = typeof value === 'string' ? JSON.stringify(value) : value.length === 0 ? 'null' : JSON.stringify(value);
  return `${path}: Invalid value: ${shown}: ${detail}`;
}

function keyErrors(key: string, path: string): string[] {
  const msgs = isQualifiedName(key);
  return msgs.length ? [invalidText(path, key, msgs.join('; '))] : [];
}

function valueCountErrors(operator: SelectionOperator, values: readonly string[]): string[] {
  switch (operator) {
    case 'in': case 'notin':
      return values.length === 0 ? [invalidText('values', values, "for 'in', 'notin' operators, values set can't be empty")] : [];
    case '=': case '==': case '!=':
      return values.length !== 1 ? [invalidText('values', values, 'exact-match compatibility requires one single value')] : [];
    case 'exists': case '!':
      return values.length !== 0 ? [invalidText('values', values, 'values set must be empty for exists and does not exist')] : [];
    case 'gt': case 'lt':
      return [
        ...(values.length !== 1 ? [invalidText('values', values, "for 'Gt', 'Lt' operators, exactly one value is required")] : []),
        ...values.flatMap((v, i) => parseInt64(v) === undefined
          ? [invalidText(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer")] : []),
      ];
  }
}

/** utilerrors.Aggregate's text: one error as is, several deduplicated in brackets. */
function aggregate(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** labels.NewRequirement: validates and builds one requirement, or throws with kube's text. */
function newRequirement(key: string, operator: SelectionOperator, values: readonly string[]): LabelRequirement {
  const errors = [
    ...keyErrors(key, 'key'),
    ...valueCountErrors(operator, values),
    ...values.flatMap((v, i) => {
      const msgs = isValidLabelValue(v);
      return msgs.length ? [invalidText(`values[${i}][${key}]`, v, msgs.join('; '))] : [];
    }),
  ];
  if (errors.length) throw new Error(aggregate(errors));
  return Object.freeze({ key, operator, values: Object.freeze([...values]) });
}

function byKey(a: LabelRequirement, b: LabelRequirement): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function selectorOf(requirements: LabelRequirement[]): LabelSelector {
  return Object.freeze({ requirements: Object.freeze([...requirements].sort(byKey)), matchesNothing: false });
}

// ---------------------------------------------------------------- lexer

type TokenKind = 'end' | 'id' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<';

interface Token {
  kind: TokenKind;
  literal: string;
}

const SPECIAL_CHARS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const WHITESPACE_CHARS = new Set([' ', '\t', '\r', '\n']);
const SYMBOL_TOKENS = new Set<string>(['(', ')', ',', '!', '=', '==', '!=', '>', '<']);

/** The longest symbol token at `start` (`!=` rather than `!`). */
function scanSymbol(text: string, start: number): [Token, number] {
  let longest = '';
  for (let end = start + 1; end <= text.length && SPECIAL_CHARS.has(text[end - 1]); end++) {
    const candidate = text.slice(start, end);
    if (!SYMBOL_TOKENS.has(candidate)) break;
    longest = candidate;
  }
  return [{ kind: longest as TokenKind, literal: longest }, start + longest.length];
}

/** An identifier (or the keywords `in`/`notin`) running up to whitespace or a symbol. */
function scanWord(text: string, start: number): [Token, number] {
  let end = start;
  while (end < text.length && !SPECIAL_CHARS.has(text[end]) && !WHITESPACE_CHARS.has(text[end])) end++;
  const literal = text.slice(start, end);
  const kind: TokenKind = literal === 'in' || literal === 'notin' ? literal : 'id';
  return [{ kind, literal }, end];
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (true) {
    while (pos < text.length && WHITESPACE_CHARS.has(text[pos])) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    const [token, next] = SPECIAL_CHARS.has(text[pos]) ? scanSymbol(text, pos) : scanWord(text, pos);
    tokens.push(token);
    pos = next;
  }
}

// ---------------------------------------------------------------- parser

const OPERATOR_OF_TOKEN: Partial<Record<TokenKind, SelectionOperator>> = {
  in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt',
};

/** Recursive-descent parser over the token list; errors are thrown as plain Errors with kube's text. */
class SelectorParser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(text: string) {
    this.tokens = tokenize(text);
  }

  /*
   * Where a value may stand, `in` and `notin` are ordinary identifiers (so `in in (in)` parses);
   * only the operator position sees them as keywords.
   */
  private peek(asValue = true): Token {
    const token = this.tokens[this.position];
    return asValue && (token.kind === 'in' || token.kind === 'notin') ? { kind: 'id', literal: token.literal } : token;
  }

  private next(asValue = true): Token {
    const token = this.peek(asValue);
    this.position++;
    return token;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    let token = this.peek();
    if (token.kind === 'end') return requirements;
    if (token.kind !== 'id' && token.kind !== '!') throw new Error(`found '${token.literal}', expected: !, identifier, or 'end of string'`);
    while (true) {
      requirements.push(this.requirementOrThrow());
      token = this.next();
      if (token.kind === 'end') return requirements;
      if (token.kind !== ',') throw new Error(`found '${token.literal}', expected: ',' or 'end of string'`);
      const after = this.peek();
      if (after.kind !== 'id' && after.kind !== '!') throw new Error(`found '${after.literal}', expected: identifier after ','`);
    }
  }

  private requirementOrThrow(): LabelRequirement {
    try {
      return this.requirement();
    } catch (err) {
      throw new Error(`unable to parse requirement: ${(err as Error).message}`, { cause: err });
    }
  }

  private requirement(): LabelRequirement {
    const { key, unary } = this.keyAndUnaryOperator();
    if (unary) return newRequirement(key, unary, []);
    const operatorToken = this.next(false);
    const operator = OPERATOR_OF_TOKEN[operatorToken.kind];
    if (!operator) throw new Error(`found '${operatorToken.literal}', expected: in, notin, =, ==, !=, gt, lt`);
    const values = operator === 'in' || operator === 'notin' ? this.valueSet() : this.exactValue();
    return newRequirement(key, operator, values);
  }

  /** The key, and `exists`/`!` when nothing but `,` or the end follows it. */
  private keyAndUnaryOperator(): { key: string; unary?: SelectionOperator } {
    let token = this.next();
    const negated = token.kind === '!';
    if (negated) token = this.next();
    if (token.kind !== 'id') throw new Error(`found '${token.literal}', expected: identifier`);
    // The parser validates the key before the requirement exists, with no field path: Go prints "<nil>".
    const errors = keyErrors(token.literal, '<nil>');
    if (errors.length) throw new Error(errors[0]);
    if (negated) return { key: token.literal, unary: '!' };
    const after = this.peek().kind;
    return after === 'end' || after === ',' ? { key: token.literal, unary: 'exists' } : { key: token.literal };
  }

  /** `(a, b)`: a sorted set; empty entries (`()`, `(a,)`) stand for the empty value. */
  private valueSet(): string[] {
    const open = this.next();
    if (open.kind !== '(') throw new Error(`found '${open.literal}' expected: '('`);
    const first = this.peek();
    if (first.kind === ')') {
      this.next();
      return [''];
    }
    if (first.kind !== 'id' && first.kind !== ',') throw new Error(`found '${first.literal}', expected: ',', ')' or identifier`);
    const values = this.identifierList();
    this.next(); // identifierList stops only in front of ')'
    return [...values].sort();
  }

  private identifierList(): Set<string> {
    const values = new Set<string>();
    while (true) {
      const token = this.next();
      if (token.kind === 'id') {
        values.add(token.literal);
        const after = this.peek();
        if (after.kind === ')') return values;
        if (after.kind !== ',') throw new Error(`found '${after.literal}', expected: ',' or ')'`);
      } else if (token.kind === ',') {
        // A comma with nothing before or after it contributes the empty value.
        const after = this.peek().kind;
        if (values.size === 0 || after === ')' || after === ',') values.add('');
        if (after === ')') return values;
      } else {
        throw new Error(`found '${token.literal}', expected: ',', or identifier`);
      }
    }
  }

  /** The single value after `=`, `==`, `!=`, `>` or `<`; missing means the empty value. */
  private exactValue(): string[] {
    const token = this.peek();
    if (token.kind === 'end' || token.kind === ',') return [''];
    this.next();
    if (token.kind !== 'id') throw new Error(`found '${token.literal}', expected: identifier`);
    return [token.literal];
  }
}

// ---------------------------------------------------------------- public API

/**
 * Parses a `labelSelector` query value. Throws a 400 BadRequest StatusError carrying kube's
 * message (e.g. `unable to parse requirement: found '', expected: in, notin, =, ==, !=, gt, lt`).
 * The empty string gives EVERYTHING_SELECTOR semantics.
 */
export function parseLabelSelector(text: string): LabelSelector {
  try {
    return selectorOf(new SelectorParser(text).parse());
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

/** metav1.LabelSelector operator to selection operator. */
const META_OPERATORS: Record<string, SelectionOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

function metaRequirements(ls: MetaLabelSelector): LabelRequirement[] {
  const fromLabels = Object.keys(ls.matchLabels ?? {}).sort()
    .map((key) => newRequirement(key, '=', [String(ls.matchLabels![key])]));
  const fromExpressions = (ls.matchExpressions ?? []).map((expr) => {
    const operator = META_OPERATORS[expr.operator];
    if (!operator) throw new Error(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    return newRequirement(expr.key, operator, expr.values ?? []);
  });
  return [...fromLabels, ...fromExpressions];
}

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing (NOTHING_SELECTOR), an empty
 * selector selects everything, otherwise matchLabels and matchExpressions are ANDed.
 * Throws a 400 BadRequest StatusError for an invalid key, value or operator.
 */
export function selectorFromLabelSelector(ls: MetaLabelSelector | null | undefined): LabelSelector {
  if (ls === null || ls === undefined) return NOTHING_SELECTOR;
  if (Object.keys(ls.matchLabels ?? {}).length + (ls.matchExpressions ?? []).length === 0) return EVERYTHING_SELECTOR;
  try {
    return selectorOf(metaRequirements(ls));
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

/** labels.SelectorFromSet: every label must equal its value; an empty set matches everything. */
export function labelSelectorFromSet(set: Record<string, string> | undefined): LabelSelector {
  const requirements = Object.entries(set ?? {}).map(([key, value]) => Object.freeze({ key, operator: '=' as const, values: Object.freeze([value]) }));
  return requirements.length ? selectorOf(requirements) : EVERYTHING_SELECTOR;
}

function hasValue(requirement: LabelRequirement, value: string): boolean {
  return requirement.values.includes(value);
}

function compareNumeric(requirement: LabelRequirement, actual: string): boolean {
  const left = parseInt64(actual);
  const right = requirement.values.length === 1 ? parseInt64(requirement.values[0]) : undefined;
  if (left === undefined || right === undefined) return false;
  return requirement.operator === 'gt' ? left > right : left < right;
}

/** Whether one requirement holds for a label set. */
export function requirementMatches(requirement: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const present = labels !== undefined && Object.hasOwn(labels, requirement.key);
  const actual = present ? labels[requirement.key] : undefined;
  switch (requirement.operator) {
    case 'in': case '=': case '==':
      return actual !== undefined && hasValue(requirement, actual);
    case 'notin': case '!=':
      return actual === undefined || !hasValue(requirement, actual);
    case 'exists':
      return present;
    case '!':
      return !present;
    case 'gt': case 'lt':
      return actual !== undefined && compareNumeric(requirement, actual);
  }
}

/** Whether an object's labels satisfy the selector (all requirements; never for NOTHING_SELECTOR). */
export function matchesLabels(selector: LabelSelector, labels?: Record<string, string>): boolean {
  if (selector.matchesNothing) return false;
  return selector.requirements.every((r) => requirementMatches(r, labels));
}

const OPERATOR_TEXT: Record<SelectionOperator, string> = {
  '=': '=', '==': '==', '!=': '!=', in: ' in ', notin: ' notin ', gt: '>', lt: '<', exists: '', '!': '',
};

/** One requirement in kube's canonical text: `!key`, `key`, `key=v`, `key in (a,b)`, `key>3`. */
export function requirementToString(requirement: LabelRequirement): string {
  const { key, operator, values } = requirement;
  if (operator === '!') return `!${key}`;
  if (operator === 'exists') return key;
  const list = values.length === 1 ? values[0] : [...values].sort().join(',');
  const shown = operator === 'in' || operator === 'notin' ? `(${list})` : list;
  return `${key}${OPERATOR_TEXT[operator]}${shown}`;
}

/** The selector in kube's canonical text (requirements sorted by key, comma-joined); "" for both empty selectors. */
export function labelSelectorToString(selector: LabelSelector): string {
  return selector.requirements.map(requirementToString).join(',');
}
