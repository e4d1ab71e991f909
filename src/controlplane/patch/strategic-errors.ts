/**
 * The failures of a strategic merge patch, with the statuses kube-apiserver gives them
 * (apiserver `interpretStrategicMergePatchError`): malformed directives are 400 BadRequest with
 * apimachinery's mergepatch messages, lists of lists are a bare 422, and every other patch error
 * (missing merge key, unknown `$patch` value, …) reaches the client as a 500 with no reason and
 * the raw message, because apiserver does not translate it.
 */
import { StatusError, badRequest } from '../../apimachinery/errors.ts';
import { jsonPatchNotApplicable } from './jsonpatch.ts';
import { isJsonObject } from './json-value.ts';

/** 400 for a `$deleteFromPrimitiveList` key without `/<field>`. */
export function badPrimitiveListDirective(): StatusError {
  return badRequest('invalid patch format of primitive list');
}

/** 400 for a malformed `$retainKeys`, or a patch key missing from it. */
export function badRetainKeysDirective(): StatusError {
  return badRequest('invalid patch format of retainKeys');
}

/** 400 for a malformed `$setElementOrder/<field>`. */
export function badSetElementOrderDirective(): StatusError {
  return badRequest('invalid patch format of setElementOrder list');
}

/** 422 (generic body) for a list whose elements are lists. */
export function listOfListsUnsupported(): StatusError {
  return jsonPatchNotApplicable('lists of lists are not supported');
}

/** The untranslated patch error: 500, empty reason, raw message. */
export function untranslatedPatchError(message: string): StatusError {
  return new StatusError(500, '', message);
}

/** `map: map[…] does not contain declared merge key: name`. */
export function missingMergeKey(item: unknown, mergeKey: string): StatusError {
  return untranslatedPatchError(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
}

/** `unknown patch type: x in map: map[…]`. */
export function unknownPatchType(directive: unknown, item: unknown): StatusError {
  return untranslatedPatchError(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(item)}`);
}

/** Formats a JSON value the way Go's `%v` prints decoded JSON (`map[a:1 b:[x y]]`), for messages. */
export function goFormat(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goFormat).join(' ')}]`;
  if (isJsonObject(value)) {
    const entries = Object.keys(value).sort().map((k) => `${k}:${goFormat(value[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(value);
}
