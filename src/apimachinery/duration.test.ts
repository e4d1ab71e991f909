import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatAge, formatDuration, formatDurationNanos, parseDuration, parseDurationNanos } from './duration.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

void describe('parseDuration', () => {
  void it('reads the usual CRD durations in milliseconds', () => {
    assert.equal(parseDuration('30m'), 30 * MINUTE);
    assert.equal(parseDuration('1h30m'), 90 * MINUTE);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2h'), 2 * HOUR);
    assert.equal(parseDuration('45s'), 45 * SECOND);
    assert.equal(parseDuration('1h2m3s4ms'), HOUR + 2 * MINUTE + 3 * SECOND + 4);
  });

  void it('reads fractions, signs and zero', () => {
    assert.equal(parseDuration('1.5h'), 90 * MINUTE);
    assert.equal(parseDuration('.5s'), 500);
    assert.equal(parseDuration('1.s'), 1000);
    assert.equal(parseDuration('-1m'), -MINUTE);
    assert.equal(parseDuration('+5s'), 5 * SECOND);
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('-0'), 0);
    assert.equal(parseDuration('0s'), 0);
  });

  void it('reads sub-millisecond units, including both micro signs', () => {
    assert.equal(parseDuration('1500us'), 1.5);
    assert.equal(parseDuration('1\u00b5s'), 0.001);
    assert.equal(parseDuration('1\u03bcs'), 0.001);
    assert.equal(parseDurationNanos('1ns'), 1n);
    assert.equal(parseDurationNanos('1.000000001s'), 1_000_000_001n);
    assert.equal(parseDurationNanos('0.3s'), 300_000_000n);
  });

  void it('accepts the full int64 range and rejects beyond it', () => {
    assert.equal(parseDurationNanos('9223372036854775807ns'), 2n ** 63n - 1n);
    assert.equal(parseDurationNanos('-9223372036854775808ns'), -(2n ** 63n));
    assert.throws(() => parseDuration('9223372036854775808ns'), { message: 'time: invalid duration "9223372036854775808ns"' });
    assert.throws(() => parseDuration('3000000h'), { message: 'time: invalid duration "3000000h"' });
    assert.throws(() => parseDuration('99999999999999999999x'), { message: 'time: invalid duration "99999999999999999999x"' });
  });

  void it('throws Go error messages for bad input', () => {
    const cases: Array<[string, string]> = [
      ['', 'time: invalid duration ""'],
      ['-', 'time: invalid duration "-"'],
      ['5', 'time: missing unit in duration "5"'],
      ['1h5', 'time: missing unit in duration "1h5"'],
      ['5x', 'time: unknown unit "x" in duration "5x"'],
      ['1h 30m', 'time: unknown unit "h " in duration "1h 30m"'],
      ['1d', 'time: unknown unit "d" in duration "1d"'],
      ['.s', 'time: invalid duration ".s"'],
      ['h', 'time: invalid duration "h"'],
      [' 1h', 'time: invalid duration " 1h"'],
      ['1"h', 'time: unknown unit "\\"h" in duration "1\\"h"'],
    ];
    for (const [text, message] of cases) assert.throws(() => parseDuration(text), { message }, text);
  });
});

void describe('formatDuration', () => {
  void it('prints Go Duration.String forms', () => {
    assert.equal(formatDuration(90 * MINUTE), '1h30m0s');
    assert.equal(formatDuration(30 * MINUTE), '30m0s');
    assert.equal(formatDuration(2 * HOUR), '2h0m0s');
    assert.equal(formatDuration(500), '500ms');
    assert.equal(formatDuration(1500), '1.5s');
    assert.equal(formatDuration(HOUR + 2 * MINUTE + 3500), '1h2m3.5s');
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(-MINUTE), '-1m0s');
    assert.equal(formatDuration(1.5), '1.5ms');
    assert.equal(formatDuration(0.001), '1\u00b5s');
    assert.equal(formatDuration(0.0015), '1.5\u00b5s');
    assert.equal(formatDuration(100 * DAY), '2400h0m0s');
  });

  void it('prints nanoseconds exactly', () => {
    assert.equal(formatDurationNanos(1n), '1ns');
    assert.equal(formatDurationNanos(1_000_000_001n), '1.000000001s');
    assert.equal(formatDurationNanos(-(2n ** 63n)), '-2562047h47m16.854775808s');
  });

  void it('round-trips through parseDuration', () => {
    for (const text of ['1h30m0s', '30m0s', '500ms', '1.5s', '2h0m0s', '-1m0s', '1.5ms']) {
      assert.equal(formatDuration(parseDuration(text)), text);
    }
  });
});

void describe('formatAge', () => {
  void it('prints seconds up to two minutes', () => {
    assert.equal(formatAge(0), '0s');
    assert.equal(formatAge(5 * SECOND), '5s');
    assert.equal(formatAge(5999), '5s');
    assert.equal(formatAge(119 * SECOND), '119s');
  });

  void it('prints minutes and seconds below ten minutes, then minutes up to three hours', () => {
    assert.equal(formatAge(2 * MINUTE), '2m');
    assert.equal(formatAge(3 * MINUTE + 20 * SECOND), '3m20s');
    assert.equal(formatAge(9 * MINUTE + 59 * SECOND), '9m59s');
    assert.equal(formatAge(10 * MINUTE + 30 * SECOND), '10m');
    assert.equal(formatAge(179 * MINUTE), '179m');
  });

  void it('prints hours (with minutes below eight hours) up to two days', () => {
    assert.equal(formatAge(3 * HOUR), '3h');
    assert.equal(formatAge(5 * HOUR + 3 * MINUTE), '5h3m');
    assert.equal(formatAge(20 * HOUR + 59 * MINUTE), '20h');
    assert.equal(formatAge(47 * HOUR), '47h');
  });

  void it('prints days (with hours below eight days) and years', () => {
    assert.equal(formatAge(48 * HOUR), '2d');
    assert.equal(formatAge(2 * DAY + 3 * HOUR), '2d3h');
    assert.equal(formatAge(7 * DAY + 23 * HOUR), '7d23h');
    assert.equal(formatAge(8 * DAY + 5 * HOUR), '8d');
    assert.equal(formatAge(729 * DAY), '729d');
    assert.equal(formatAge(730 * DAY), '2y');
    assert.equal(formatAge(740 * DAY), '2y10d');
    assert.equal(formatAge(3650 * DAY), '10y');
  });

  void it('forgives up to two seconds of clock skew', () => {
    assert.equal(formatAge(-1500), '0s');
    assert.equal(formatAge(-1999), '0s');
    assert.equal(formatAge(-2000), '<invalid>');
  });
});
