/**
 * Validation of a value against a structural schema, reporting what kube-apiserver reports for a
 * custom resource: kube-openapi's schema validator (messages like `spec.replicas in body should be
 * less than or equal to 10`) translated to field causes the way apiextensions-apiserver does, then
 * the embedded-resource and `x-kubernetes-list-type` checks that run after it.
 *
 * Field names follow kube-openapi: properties join with `.`, items with `[i]`, and errors that
 * carry no field of their own (anyOf/oneOf/allOf/not, integer range) are reported on the
 * validation root, which prints as `<nil>` for a whole object, as kube-apiserver does.
 */
import type { StatusCause } from '../../apimachinery/errors.ts';
import {
  goNumber, invalidCause, notSupportedCause, requiredCause, tooLongCause, tooManyCause, typeInvalidCause,
} from './field-causes.ts';
import type { JSONSchemaProps } from './json-schema-props.ts';
import { isPlainObject, jsonEqual, jsonType } from './json-values.ts';
import { validateListsAndEmbedded } from './list-and-embedded-validation.ts';
import { effectiveFormat, stringFormatCheck } from './string-formats.ts';

/** Where causes go, and the field path the validated value sits at (`status` for a status-only check). */
interface Run {
  prefix: string | undefined;
  causes: StatusCause[];
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_LIMIT = 2 ** 63;
const FLOAT32_MAX = 3.4028234663852886e38;

const patternCache = new Map<string, RegExp | Error>();

/** The cause field for a kube-openapi name: the leading `.` of root-level map keys dropped. */
function fieldOf(run: Run, name: string): string {
  const trimmed = name.startsWith('.') ? name.slice(1) : name;
  if (!trimmed) return rootField(run);
  return run.prefix ? `${run.prefix}.${trimmed}` : trimmed;
}

/** The field of errors kube-openapi raises without a name of their own. */
function rootField(run: Run): string {
  return run.prefix ?? '<nil>';
}

function childName(name: string, key: string): string {
  return name ? `${name}.${key}` : key;
}

function declaredTypes(schema: JSONSchemaProps): string[] {
  if (schema['x-kubernetes-int-or-string']) return ['integer', 'string'];
  return schema.type ? [schema.type] : [];
}

function compiledPattern(pattern: string): RegExp | Error {
  let re = patternCache.get(pattern);
  if (!re) {
    try {
      re = new RegExp(pattern);
    } catch (err) {
      re = err as Error;
    }
    patternCache.set(pattern, re);
  }
  return re;
}

/**
 * Validates `value` against `schema` and returns kube's causes for every violation.
 * `path` is the field path of `value` inside the object (omit it when validating a whole object).
 */
export function validateStructural(value: unknown, schema: JSONSchemaProps, path?: string): StatusCause[] {
  const run: Run = { prefix: path || undefined, causes: [] };
  validateNode(run, value, schema, '');
  run.causes.push(...validateListsAndEmbedded(value, schema, path ?? ''));
  return run.causes;
}

function validateNode(run: Run, value: unknown, schema: JSONSchemaProps, name: string): void {
  if (value === null || value === undefined) {
    checkNullType(run, schema, name);
    checkEnum(run, value, schema, name);
    return;
  }
  checkType(run, value, schema, name);
  checkJunctors(run, value, schema, name);
  if (typeof value === 'string') checkString(run, value, schema, name);
  else if (typeof value === 'number') checkNumber(run, value, schema, name);
  else if (Array.isArray(value)) checkArray(run, value, schema, name);
  checkEnum(run, value, schema, name);
  if (isPlainObject(value)) checkObject(run, value, schema, name);
}

function checkNullType(run: Run, schema: JSONSchemaProps, name: string): void {
  const types = declaredTypes(schema);
  if (types.length && !schema.nullable) {
    run.causes.push(typeInvalidCause(fieldOf(run, name), 'null', `${name} in body must be of type ${types.join(',')}: "null"`));
  }
}

function checkType(run: Run, value: unknown, schema: JSONSchemaProps, name: string): void {
  const types = declaredTypes(schema);
  const format = effectiveFormat(types.length === 1 ? types[0] : undefined, schema.format);
  if (!types.length && !format) return;
  const actual = jsonType(value);
  const matches = types.includes(actual) || (actual === 'integer' && types.includes('number'));
  // kube-openapi first compares a non-string value's own format (int64, float64) with the declared one.
  const valueFormat = actual === 'integer' ? 'int64' : actual === 'number' ? 'float64' : '';
  if (actual !== 'string' && actual !== 'array' && format && !matches && valueFormat !== format) {
    run.causes.push(typeInvalidCause(fieldOf(run, name), valueFormat, `${name} in body must be of type ${format}: "${valueFormat}"`));
    return;
  }
  if (types.length && !matches) {
    run.causes.push(typeInvalidCause(fieldOf(run, name), actual, `${name} in body must be of type ${types.join(',')}: "${actual}"`));
  }
}

/** Runs a nested schema on its own and returns what it found, without reporting it yet. */
function trial(run: Run, value: unknown, schema: JSONSchemaProps, name: string): StatusCause[] {
  const sub: Run = { prefix: run.prefix, causes: [] };
  validateNode(sub, value, schema, name);
  return sub.causes;
}

function compositeCause(run: Run, message: string): StatusCause {
  return invalidCause(rootField(run), '', message);
}

function checkJunctors(run: Run, value: unknown, schema: JSONSchemaProps, name: string): void {
  if (schema.anyOf?.length) checkAnyOf(run, value, schema.anyOf, name);
  if (schema.oneOf?.length) checkOneOf(run, value, schema.oneOf, name);
  if (schema.allOf?.length) checkAllOf(run, value, schema.allOf, name);
  if (schema.not && trial(run, value, schema.not, name).length === 0) {
    run.causes.push(compositeCause(run, `${JSON.stringify(name)} must not validate the schema (not)`));
  }
}

function checkAnyOf(run: Run, value: unknown, alternatives: JSONSchemaProps[], name: string): void {
  let firstFailure: StatusCause[] | undefined;
  for (const alternative of alternatives) {
    const found = trial(run, value, alternative, name);
    if (!found.length) return;
    firstFailure ??= found;
  }
  run.causes.push(compositeCause(run, `${JSON.stringify(name)} must validate at least one schema (anyOf)`), ...firstFailure ?? []);
}

function checkOneOf(run: Run, value: unknown, alternatives: JSONSchemaProps[], name: string): void {
  let valid = 0;
  let firstFailure: StatusCause[] | undefined;
  for (const alternative of alternatives) {
    const found = trial(run, value, alternative, name);
    if (found.length) firstFailure ??= found;
    else valid++;
  }
  if (valid === 1) return;
  const detail = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
  run.causes.push(compositeCause(run, `${JSON.stringify(name)} must validate one and only one schema (oneOf). ${detail}`));
  if (valid === 0) run.causes.push(...firstFailure ?? []);
}

function checkAllOf(run: Run, value: unknown, parts: JSONSchemaProps[], name: string): void {
  let valid = 0;
  for (const part of parts) {
    const found = trial(run, value, part, name);
    if (found.length) run.causes.push(...found);
    else valid++;
  }
  if (valid === parts.length) return;
  const none = valid === 0 ? '. None validated' : '';
  run.causes.push(compositeCause(run, `${JSON.stringify(name)} must validate all the schemas (allOf)${none}`));
}

/** maxLength, minLength, pattern: kube-openapi stops at the first of them that fails. */
function checkString(run: Run, value: string, schema: JSONSchemaProps, name: string): void {
  const length = schema.maxLength !== undefined || schema.minLength !== undefined ? [...value].length : 0;
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    run.causes.push(tooLongCause(fieldOf(run, name), schema.maxLength));
  } else if (schema.minLength !== undefined && length < schema.minLength) {
    run.causes.push(invalidCause(fieldOf(run, name), value, `${name} in body should be at least ${schema.minLength} chars long`));
  } else if (schema.pattern) {
    checkPattern(run, value, schema.pattern, name);
  }
  checkFormat(run, value, schema, name);
}

function checkPattern(run: Run, value: string, pattern: string, name: string): void {
  const re = compiledPattern(pattern);
  if (re instanceof Error) {
    run.causes.push(invalidCause(fieldOf(run, name), value, `${name} in body should match '${pattern}, but pattern is invalid: ${re.message}'`));
  } else if (!re.test(value)) {
    run.causes.push(invalidCause(fieldOf(run, name), value, `${name} in body should match '${pattern}'`));
  }
}

function checkFormat(run: Run, value: string, schema: JSONSchemaProps, name: string): void {
  if (!schema.format) return;
  const types = declaredTypes(schema);
  const format = effectiveFormat(types.length === 1 ? types[0] : undefined, schema.format);
  const check = format ? stringFormatCheck(format) : undefined;
  if (check && !check(value)) {
    run.causes.push(typeInvalidCause(fieldOf(run, name), value, `${name} in body must be of type ${format}: ${JSON.stringify(value)}`));
  }
}

/** The integer range check kube-openapi runs on every number of an integer (or float) field. */
function checkRange(run: Run, value: number, schema: JSONSchemaProps, name: string): void {
  const types = declaredTypes(schema);
  if (types.length !== 1) return;
  const format = effectiveFormat(types[0], schema.format);
  if (types[0] !== 'integer' && !(types[0] === 'number' && format === 'float')) return;
  if (fitsFormat(value, types[0], format)) return;
  const shape = format ? `with format ${format}` : '(default format)';
  run.causes.push(compositeCause(run, `Checked value must be of type ${types[0]} ${shape} in ${name}`));
}

function fitsFormat(value: number, type: string, format: string): boolean {
  if (type === 'number') return Math.abs(value) <= FLOAT32_MAX;
  if (!Number.isInteger(value) || value < -INT64_LIMIT || value >= INT64_LIMIT) return false;
  return format !== 'int32' || (value >= INT32_MIN && value <= INT32_MAX);
}

function checkNumber(run: Run, value: number, schema: JSONSchemaProps, name: string): void {
  checkRange(run, value, schema, name);
  if (schema.multipleOf !== undefined && !isMultiple(value, schema.multipleOf)) {
    const factor = Number.isInteger(value) ? String(Math.trunc(schema.multipleOf)) : goNumber(schema.multipleOf);
    run.causes.push(invalidCause(fieldOf(run, name), value, `${name} in body should be a multiple of ${factor}`));
  }
  if (schema.minimum !== undefined) checkBound(run, value, schema, name, 'min');
  if (schema.maximum !== undefined) checkBound(run, value, schema, name, 'max');
}

function isMultiple(value: number, factor: number): boolean {
  if (Number.isInteger(value)) {
    const whole = Math.trunc(factor);
    return whole !== 0 && value % whole === 0;
  }
  if (factor <= 0) return false;
  const ratio = factor < 1 ? (1 / factor) * value : value / factor;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}

/** Integers compare with the bound truncated to an integer, floats with the bound itself (kube-openapi's native-type rule). */
function checkBound(run: Run, value: number, schema: JSONSchemaProps, name: string, side: 'min' | 'max'): void {
  const raw = side === 'max' ? schema.maximum! : schema.minimum!;
  const exclusive = side === 'max' ? !!schema.exclusiveMaximum : !!schema.exclusiveMinimum;
  const bound = Number.isInteger(value) ? Math.trunc(raw) : raw;
  const beyond = side === 'max' ? (exclusive ? value >= bound : value > bound) : (exclusive ? value <= bound : value < bound);
  if (!beyond) return;
  const relation = side === 'max' ? (exclusive ? 'less than' : 'less than or equal to') : (exclusive ? 'greater than' : 'greater than or equal to');
  run.causes.push(invalidCause(fieldOf(run, name), value, `${name} in body should be ${relation} ${goNumber(bound)}`));
}

function checkArray(run: Run, value: unknown[], schema: JSONSchemaProps, name: string): void {
  if (schema.items) {
    for (let i = 0; i < value.length; i++) validateNode(run, value[i], schema.items, `${name}[${i}]`);
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    run.causes.push(invalidCause(fieldOf(run, name), value.length, `${name} in body should have at least ${schema.minItems} items`));
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    run.causes.push(tooManyCause(fieldOf(run, name), value.length, schema.maxItems));
  }
  if (schema.uniqueItems && hasDuplicates(value)) {
    run.causes.push(invalidCause(fieldOf(run, name), '', `${name} in body shouldn't contain duplicates`));
  }
}

function hasDuplicates(items: unknown[]): boolean {
  return items.some((item, i) => items.some((other, j) => j < i && jsonEqual(item, other)));
}

/** Enum values are listed as strings, or as JSON for anything else (apiextensions' NotSupported). */
function checkEnum(run: Run, value: unknown, schema: JSONSchemaProps, name: string): void {
  const allowed = schema.enum;
  if (!allowed?.length) return;
  // A null never matches: kube-openapi compares by the enum value's Go type, and null has none.
  if (value !== null && value !== undefined && allowed.some((candidate) => jsonEqual(candidate, value))) return;
  const listed = allowed.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
  run.causes.push(notSupportedCause(fieldOf(run, name), value ?? null, listed));
}

function checkObject(run: Run, value: Record<string, unknown>, schema: JSONSchemaProps, name: string): void {
  const keys = Object.keys(value);
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
    run.causes.push(invalidCause(fieldOf(run, name), keys.length, `${name} in body should have at least ${schema.minProperties} properties`));
  }
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
    run.causes.push(tooManyCause(fieldOf(run, name), keys.length, schema.maxProperties));
  }
  checkExtraKeys(run, value, schema, name);
  for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
    if (value[key] !== undefined) validateNode(run, value[key], propSchema, childName(name, key));
  }
  for (const key of schema.required ?? []) {
    if (value[key] === undefined) run.causes.push(requiredCause(fieldOf(run, `${name}.${key}`)));
  }
}

/** Keys the schema does not name: forbidden, checked against additionalProperties, or matched by patternProperties. */
function checkExtraKeys(run: Run, value: Record<string, unknown>, schema: JSONSchemaProps, name: string): void {
  const extra = schema.additionalProperties;
  if (extra === undefined && !schema.patternProperties) return;
  for (const key of Object.keys(value)) {
    if (schema.properties?.[key]) continue;
    const patterns = matchingPatterns(schema, key);
    for (const patternSchema of patterns) validateNode(run, value[key], patternSchema, `${name}.${key}`);
    if (patterns.length) continue;
    if (extra === false) {
      run.causes.push(invalidCause(fieldOf(run, name), key, `${name}.${key} in body is a forbidden property`));
    } else if (typeof extra === 'object') {
      validateNode(run, value[key], extra, `${name}.${key}`);
    }
  }
}

function matchingPatterns(schema: JSONSchemaProps, key: string): JSONSchemaProps[] {
  if (!schema.patternProperties) return [];
  const found: JSONSchemaProps[] = [];
  for (const [pattern, patternSchema] of Object.entries(schema.patternProperties)) {
    const re = compiledPattern(pattern);
    if (!(re instanceof Error) && re.test(key)) found.push(patternSchema);
  }
  return found;
}
