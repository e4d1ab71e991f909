import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveFormat, isDate, isDateTime, isDuration, stringFormatCheck } from './string-formats.ts';

function check(format: string, value: string): boolean {
  const fn = stringFormatCheck(format);
  assert.ok(fn, `${format} is a known format`);
  return fn(value);
}

describe('string formats', () => {
  it('checks calendar dates, including leap days', () => {
    assert.ok(isDate('2024-02-29'));
    assert.ok(!isDate('2023-02-29'));
    assert.ok(!isDate('2024-13-01'));
    assert.ok(!isDate('2024-1-01'));
  });

  it('checks RFC 3339 date-times as strfmt does', () => {
    for (const ok of ['2024-05-01T10:20:30Z', '2024-05-01t10:20:30.123456z', '2024-05-01T10:20:30+02:00']) assert.ok(isDateTime(ok), ok);
    for (const bad of ['2024-05-01', '2024-05-01T25:00:00Z', '2024-05-01T10:20:30', 'yesterday', '']) assert.ok(!isDateTime(bad), bad);
    assert.ok(check('date-time', '2024-05-01T10:20:30Z'));
    assert.ok(check('datetime', '2024-05-01T10:20:30Z'), 'names compare without dashes');
  });

  it('checks durations in Go and unit-word forms', () => {
    for (const ok of ['1h30m', '500ms', '0', '-1.5h', '3 days', '2 weeks']) assert.ok(isDuration(ok), ok);
    for (const bad of ['forever', '', '5']) assert.ok(!isDuration(bad), bad);
  });

  it('checks the other common formats', () => {
    assert.ok(check('byte', 'aGVsbG8='));
    assert.ok(!check('byte', 'not base64!'));
    assert.ok(check('uuid', '123E4567-E89B-12D3-A456-426614174000'));
    assert.ok(!check('uuid', '123'));
    assert.ok(check('ipv4', '10.0.0.1'));
    assert.ok(!check('ipv4', '::1'));
    assert.ok(check('ipv6', '::1'));
    assert.ok(check('cidr', '10.0.0.0/8'));
    assert.ok(!check('cidr', '10.0.0.0/33'));
    assert.ok(check('hostname', 'my-host.example.com'));
    assert.ok(!check('hostname', '-bad-'));
    assert.ok(check('email', 'a@b.c'));
    assert.ok(!check('email', 'nobody'));
    assert.ok(check('mac', '01:23:45:67:89:ab'));
    assert.ok(check('uri', 'https://example.com/x'));
    assert.ok(!check('uri', 'not a uri'));
    assert.ok(check('hexcolor', '#ffF'));
    assert.ok(check('rgbcolor', 'rgb(255, 0, 10)'));
    assert.ok(!check('rgbcolor', 'rgb(256,0,0)'));
    assert.ok(check('password', 'anything'));
  });

  it('does not know formats kube strips', () => {
    assert.equal(stringFormatCheck('my-format'), undefined);
  });

  it('keeps only the formats that take effect for a type', () => {
    assert.equal(effectiveFormat('string', 'date-time'), 'date-time');
    assert.equal(effectiveFormat('string', 'int32'), '');
    assert.equal(effectiveFormat('string', 'unknown'), '');
    assert.equal(effectiveFormat('integer', 'int32'), 'int32');
    assert.equal(effectiveFormat('integer', 'date-time'), '');
    assert.equal(effectiveFormat('number', 'double'), 'double');
    assert.equal(effectiveFormat('boolean', 'byte'), '');
    assert.equal(effectiveFormat(undefined, 'uuid'), 'uuid');
    assert.equal(effectiveFormat('string', undefined), '');
  });
});
