import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from './errors.ts';
import {
  EVERYTHING_FIELDS, escapeFieldValue, fieldSelectorExactMatch, fieldSelectorFromSet, fieldSelectorToString,
  matchesFields, parseFieldSelector, requireSupportedFields, unescapeFieldValue,
} from './fields.ts';

function assertBadRequest(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    assert.equal(err.message, message);
    return true;
  });
}

const pod = { 'metadata.name': 'web-1', 'metadata.namespace': 'default', 'status.phase': 'Running' };

void describe('parseFieldSelector', () => {
  void it('treats the empty string as select-everything', () => {
    const selector = parseFieldSelector('');
    assert.equal(selector.requirements.length, 0);
    assert.equal(matchesFields(selector, {}), true);
    assert.equal(matchesFields(EVERYTHING_FIELDS, pod), true);
  });

  void it('matches =, == and !=', () => {
    assert.equal(matchesFields(parseFieldSelector('metadata.name=web-1'), pod), true);
    assert.equal(matchesFields(parseFieldSelector('metadata.name=web-2'), pod), false);
    assert.equal(matchesFields(parseFieldSelector('metadata.name==web-1'), pod), true);
    assert.equal(matchesFields(parseFieldSelector('status.phase!=Running'), pod), false);
    assert.equal(matchesFields(parseFieldSelector('status.phase!=Pending'), pod), true);
  });

  void it('reads a missing field as the empty string', () => {
    assert.equal(matchesFields(parseFieldSelector('spec.nodeName!=node-1'), pod), true);
    assert.equal(matchesFields(parseFieldSelector('spec.nodeName='), pod), true);
    assert.equal(matchesFields(parseFieldSelector('spec.nodeName=node-1'), pod), false);
  });

  void it('ANDs comma-separated terms and skips empty ones', () => {
    const selector = parseFieldSelector('metadata.namespace=default,,status.phase!=Pending');
    assert.equal(selector.requirements.length, 2);
    assert.equal(matchesFields(selector, pod), true);
    assert.equal(matchesFields(selector, { ...pod, 'metadata.namespace': 'other' }), false);
  });

  void it('orders terms as kube does (sorted raw terms) and prints == as =', () => {
    assert.equal(fieldSelectorToString(parseFieldSelector('status.phase==Running,metadata.name!=x')),
      'metadata.name!=x,status.phase=Running');
  });

  void it('unescapes \\\\, \\, and \\= in values', () => {
    const selector = parseFieldSelector('metadata.name=a\\,b\\=c\\\\d,status.phase=x');
    assert.deepEqual(selector.requirements.map((r) => r.value), ['a,b=c\\d', 'x']);
    assert.equal(matchesFields(selector, { 'metadata.name': 'a,b=c\\d', 'status.phase': 'x' }), true);
    assert.equal(fieldSelectorToString(selector), 'metadata.name=a\\,b\\=c\\\\d,status.phase=x');
  });

  void it('does not trim whitespace (kube keeps it as part of the field name)', () => {
    const selector = parseFieldSelector('metadata.name = web-1');
    assert.deepEqual(selector.requirements[0], { field: 'metadata.name ', operator: '=', value: ' web-1' });
  });

  void it('splits at the first operator from the left', () => {
    assert.deepEqual(parseFieldSelector('a!=b').requirements[0], { field: 'a', operator: '!=', value: 'b' });
    assert.deepEqual(parseFieldSelector('a==b').requirements[0], { field: 'a', operator: '=', value: 'b' });
  });

  void it('rejects malformed selectors with kube messages', () => {
    assertBadRequest(() => parseFieldSelector('metadata.name'), "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
    assertBadRequest(() => parseFieldSelector('b=1,a'), "invalid selector: 'b=1,a'; can't understand 'a'");
    // An unescaped '=' in a value is reported by its code point, as Go prints a rune with %v.
    assertBadRequest(() => parseFieldSelector('a=b=c'), 'invalid field selector: unescaped character in value: 61');
    assertBadRequest(() => parseFieldSelector('a=b\\x'), 'invalid field selector: invalid escape sequence: \\x');
    assertBadRequest(() => parseFieldSelector('a=b\\'), 'invalid field selector: invalid escape sequence: \\');
  });
});

void describe('escapeFieldValue / unescapeFieldValue', () => {
  void it('round-trip special characters', () => {
    const raw = 'a\\b,c=d';
    assert.equal(escapeFieldValue(raw), 'a\\\\b\\,c\\=d');
    assert.equal(unescapeFieldValue(escapeFieldValue(raw)), raw);
    assert.equal(unescapeFieldValue('plain'), 'plain');
  });
});

void describe('requireSupportedFields', () => {
  void it('accepts supported fields and rejects others with 400 field label not supported', () => {
    const supported = ['metadata.name', 'metadata.namespace'];
    requireSupportedFields(parseFieldSelector('metadata.name=x,metadata.namespace!=y'), supported);
    requireSupportedFields(parseFieldSelector(''), supported);
    assertBadRequest(() => requireSupportedFields(parseFieldSelector('metadata.name=x,spec.foo=bar'), supported),
      'field label not supported: spec.foo');
    assertBadRequest(() => requireSupportedFields(parseFieldSelector('metadata.name =x'), supported),
      'field label not supported: metadata.name ');
  });
});

void describe('fieldSelectorExactMatch and fieldSelectorFromSet', () => {
  void it('finds the value a selector pins a field to with =', () => {
    const selector = parseFieldSelector('metadata.name=web-1,metadata.namespace!=kube-system');
    assert.equal(fieldSelectorExactMatch(selector, 'metadata.name'), 'web-1');
    assert.equal(fieldSelectorExactMatch(selector, 'metadata.namespace'), undefined);
  });

  void it('builds an equality selector from a set', () => {
    const selector = fieldSelectorFromSet({ 'metadata.name': 'a,b' });
    assert.equal(fieldSelectorToString(selector), 'metadata.name=a\\,b');
    assert.equal(matchesFields(selector, { 'metadata.name': 'a,b' }), true);
  });
});
