import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR, addQuantities, canonicalQuantityString, compareQuantities,
  formatQuantity, isValidQuantity, parseQuantity, subtractQuantities,
} from './quantity.ts';

const q = parseQuantity;
const fmt = (text: string | number) => formatQuantity(parseQuantity(text));

void describe('parseQuantity values', () => {
  void it('reads decimal suffixes exactly', () => {
    assert.equal(q('100m').toMilli(), 100);
    assert.equal(q('1.5').toMilli(), 1500);
    assert.equal(q('2k').toNumber(), 2000);
    assert.equal(q('3M').toNumber(), 3e6);
    assert.equal(q('1G').toNumber(), 1e9);
    assert.equal(q('1T').toNumber(), 1e12);
    assert.equal(q('1P').toNumber(), 1e15);
    assert.equal(q('1E').nanos, 10n ** 27n);
    assert.equal(q('250u').nanos, 250_000n);
    assert.equal(q('7n').nanos, 7n);
  });

  void it('reads binary suffixes exactly (1Ki = 1024)', () => {
    assert.equal(q('1Ki').toNumber(), 1024);
    assert.equal(q('1Mi').toNumber(), 1024 ** 2);
    assert.equal(q('2Gi').toNumber(), 2 * 1024 ** 3);
    assert.equal(q('1Ti').nanos, 2n ** 40n * 10n ** 9n);
    assert.equal(q('1Pi').nanos, 2n ** 50n * 10n ** 9n);
    assert.equal(q('1Ei').nanos, 2n ** 60n * 10n ** 9n);
    assert.equal(q('1.5Gi').toNumber(), 1.5 * 1024 ** 3);
  });

  void it('reads exponents', () => {
    assert.equal(q('1e3').toNumber(), 1000);
    assert.equal(q('1E3').toNumber(), 1000);
    assert.equal(q('1.5e3').toNumber(), 1500);
    assert.equal(q('5e-3').toMilli(), 5);
    assert.equal(q('1e+2').toNumber(), 100);
  });

  void it('reads signs, bare fractions and leading zeros', () => {
    assert.equal(q('-100m').toMilli(), -100);
    assert.equal(q('+2').toNumber(), 2);
    assert.equal(q('.5').toMilli(), 500);
    assert.equal(q('5.').toNumber(), 5);
    assert.equal(q('007').toNumber(), 7);
  });

  void it('rounds amounts below a nano-unit up, away from zero', () => {
    assert.equal(q('0.0000000001').nanos, 1n);
    assert.equal(q('-0.0000000001').nanos, -1n);
    assert.equal(q('1e-20').nanos, 1n);
    assert.equal(fmt('0.0000000001'), '1n');
  });

  void it('rounds toInteger/toMilli up away from zero, as Value()/MilliValue() do', () => {
    assert.equal(q('100m').toInteger(), 1);
    assert.equal(q('1500m').toInteger(), 2);
    assert.equal(q('2').toInteger(), 2);
    assert.equal(q('-1500m').toInteger(), -2);
    assert.equal(q('1n').toMilli(), 1);
    assert.equal(q('1u').toMilli(), 1);
  });

  void it('accepts JSON numbers', () => {
    assert.equal(fmt(0.5), '500m');
    assert.equal(fmt(2), '2');
    assert.equal(q(1.5).toMilli(), 1500);
    assert.equal(q(1e21).toNumber(), 1e21);
    assert.throws(() => q(Number.NaN), { message: QUANTITY_FORMAT_ERROR });
  });

  void it('caps binary amounts at 2^63-1 units', () => {
    assert.equal(q('16Ei').nanos, (2n ** 63n - 1n) * 10n ** 9n);
    assert.equal(fmt('16Ei'), '9223372036854775807');
  });
});

void describe('equality and ordering', () => {
  void it('finds 0.1 equal to 100m and 1Ki equal to 1024', () => {
    assert.equal(compareQuantities(q('0.1'), q('100m')), 0);
    assert.equal(compareQuantities(q('1Ki'), q('1024')), 0);
    assert.equal(compareQuantities(q('1'), q('1000m')), 0);
    assert.equal(compareQuantities(q('1e3'), q('1k')), 0);
  });

  void it('orders by value regardless of suffix', () => {
    assert.equal(compareQuantities(q('1Gi'), q('1G')), 1);
    assert.equal(compareQuantities(q('999m'), q('1')), -1);
    assert.equal(compareQuantities(q('-1'), q('0')), -1);
    assert.equal(compareQuantities(q('1Mi'), q('1M')), 1);
  });
});

void describe('formatQuantity (canonical form)', () => {
  void it('keeps text that is already canonical', () => {
    for (const text of ['100m', '1500m', '1', '100', '1k', '12M', '1Ki', '1Gi', '3Gi', '1e3', '12e6', '0']) {
      assert.equal(fmt(text), text, text);
    }
  });

  void it('re-prints decimal amounts with the largest exact suffix', () => {
    assert.equal(fmt('0.1'), '100m');
    assert.equal(fmt('1.5'), '1500m');
    assert.equal(fmt('0.5'), '500m');
    assert.equal(fmt('1000m'), '1');
    assert.equal(fmt('1000'), '1k');
    assert.equal(fmt('1500000'), '1500k');
    assert.equal(fmt('1.0'), '1');
    assert.equal(fmt('0.001'), '1m');
    assert.equal(fmt('10000u'), '10m');
    assert.equal(fmt('-0.5'), '-500m');
    assert.equal(fmt('-0'), '0');
    assert.equal(fmt('0.000'), '0');
  });

  void it('re-prints binary amounts with the largest exact binary suffix', () => {
    assert.equal(fmt('1024Mi'), '1Gi');
    assert.equal(fmt('1536Mi'), '1536Mi');
    assert.equal(fmt('1.5Gi'), '1536Mi');
    assert.equal(fmt('0.5Gi'), '512Mi');
    assert.equal(fmt('8Ki'), '8Ki');
    assert.equal(fmt('1024Ki'), '1Mi');
    assert.equal(fmt('2048Pi'), '2Ei');
  });

  void it('prints binary amounts below 1024 or with fractions in decimal SI', () => {
    assert.equal(fmt('0.5Ki'), '512');
    assert.equal(fmt('0.5Mi'), '512Ki');
    assert.equal(canonicalQuantityString(1500n * 10n ** 9n, 'BinarySI'), '1500');
    assert.equal(canonicalQuantityString(1025n * 10n ** 8n, 'BinarySI'), '102500m');
    assert.equal(fmt('0.1Ki'), '102400m');
  });

  void it('re-prints exponent amounts with exponents that are multiples of three', () => {
    assert.equal(fmt('1.5e3'), '1500');
    assert.equal(fmt('10e3'), '10e3');
    assert.equal(fmt('100e4'), '1e6');
    assert.equal(fmt('1e-3'), '1e-3');
    assert.equal(fmt('1.5e-3'), '1500e-6');
  });

  void it('keeps kube quirks of the parsed text', () => {
    assert.equal(fmt('+100m'), '+100m');
    assert.equal(fmt('01'), '01');
  });

  void it('stays at the E suffix beyond 10^18', () => {
    assert.equal(fmt('1000E'), '1000E');
  });

  void it('serialises as a JSON string', () => {
    assert.equal(JSON.stringify({ cpu: q('0.5'), memory: q('1Gi') }), '{"cpu":"500m","memory":"1Gi"}');
    assert.equal(String(q('1000m')), '1');
  });
});

void describe('addQuantities / subtractQuantities', () => {
  void it('adds exactly and keeps the first operand format', () => {
    assert.equal(formatQuantity(addQuantities(q('100m'), q('200m'))), '300m');
    assert.equal(formatQuantity(addQuantities(q('0.1'), q('0.2'))), '300m');
    assert.equal(formatQuantity(addQuantities(q('1Gi'), q('512Mi'))), '1536Mi');
    assert.equal(formatQuantity(addQuantities(q('1'), q('1Ki'))), '1025');
  });

  void it('takes the second operand format when the first is zero', () => {
    assert.equal(formatQuantity(addQuantities(q('0'), q('1024Ki'))), '1Mi');
  });

  void it('subtracts exactly', () => {
    assert.equal(formatQuantity(subtractQuantities(q('1'), q('250m'))), '750m');
    assert.equal(formatQuantity(subtractQuantities(q('1Gi'), q('1Gi'))), '0');
    assert.equal(formatQuantity(subtractQuantities(q('100m'), q('1'))), '-900m');
  });
});

void describe('isValidQuantity and parse errors', () => {
  void it('accepts well-formed quantities', () => {
    for (const text of ['1', '1.5', '100m', '1Gi', '1e3', '-2', '.5']) assert.deepEqual(isValidQuantity(text), [], text);
  });

  void it('rejects malformed text with the regular-expression message', () => {
    assert.equal(QUANTITY_FORMAT_ERROR,
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    for (const text of ['', 'abc', '1.5.5', '1 Gi', '1Gi ', ' 1', '1Gix', '1e3.5', '1x']) {
      assert.deepEqual(isValidQuantity(text), [QUANTITY_FORMAT_ERROR], JSON.stringify(text));
    }
  });

  void it('rejects unknown suffixes with the suffix message', () => {
    // '--1' scans as the number '-' followed by the suffix '-1', as in kube.
    for (const text of ['1mi', '1K', '1ki', '1e', '1Ee3', '1MM', '--1']) {
      assert.deepEqual(isValidQuantity(text), [QUANTITY_SUFFIX_ERROR], text);
    }
    assert.throws(() => parseQuantity('5mi'), { message: "unable to parse quantity's suffix" });
  });
});
