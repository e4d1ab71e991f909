import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from './decode-message.ts';
import { message } from './message-schema.ts';
import { lField, varint, vField } from './testdata/wire-bytes.ts';
import { MalformedProtobuf } from './wire-reader.ts';

const inner = message('Inner', { 1: ['name', 'string'] });
const sample = message('Sample', {
  1: ['text', 'string'],
  2: ['count', 'int32'],
  3: ['replicas', 'int32', 'pointer'],
  4: ['flag', 'bool'],
  5: ['groups', 'int64', 'list'],
  6: ['labels', 'string', 'map'],
  7: ['data', 'bytes', 'map'],
  8: ['inner', inner],
  9: ['items', inner, 'list'],
  10: ['', inner],
  11: ['when', 'time'],
  12: ['limits', 'quantity', 'map'],
  13: ['port', 'intOrString'],
  14: ['surge', 'intOrString', 'pointer'],
  15: ['big', 'int64'],
});

const decode = (...fields: number[][]) => decodeMessage(sample, Uint8Array.from(fields.flat()));

void describe('decodeMessage', () => {
  void it('leaves zero values of value fields out but keeps zeros of pointer fields', () => {
    const { value } = decode(lField(1, ''), vField(2, 0), vField(3, 0), vField(4, 0));
    assert.deepEqual(value, { replicas: 0 });
  });

  void it('reads scalars, including negative int32 and large int64', () => {
    const { value } = decode(lField(1, 'héllo'), vField(2, -5n), vField(4, 1), vField(15, 1_700_000_000_000));
    assert.deepEqual(value, { text: 'héllo', count: -5, flag: true, big: 1_700_000_000_000 });
  });

  void it('reads repeated numbers whether packed or not', () => {
    const unpacked = decode(vField(5, 1), vField(5, 2));
    const packed = decode(lField(5, [...varint(1), ...varint(2), ...varint(300)]));
    assert.deepEqual(unpacked.value, { groups: [1, 2] });
    assert.deepEqual(packed.value, { groups: [1, 2, 300] });
  });

  void it('reads maps, with bytes values as base64 and a missing value as the zero value', () => {
    const { value } = decode(
      lField(6, lField(1, 'app'), lField(2, 'web')),
      lField(6, lField(1, 'empty')),
      lField(7, lField(1, 'bin'), lField(2, [0x00, 0xff, 0xfe])),
    );
    assert.deepEqual(value, { labels: { app: 'web', empty: '' }, data: { bin: 'AP/+' } });
  });

  void it('reads nested messages and lists of them, writing an empty value struct as {}', () => {
    const { value } = decode(lField(8), lField(9, lField(1, 'a')), lField(9, lField(1, 'b')));
    assert.deepEqual(value, { inner: {}, items: [{ name: 'a' }, { name: 'b' }] });
  });

  void it('flattens an inline Go struct into its parent', () => {
    assert.deepEqual(decode(lField(10, lField(1, 'ref'))).value, { name: 'ref' });
  });

  void it('writes Time as RFC 3339 at second precision and drops the zero time', () => {
    assert.deepEqual(decode(lField(11, vField(1, 1_700_000_000), vField(2, 123_000_000))).value, { when: '2023-11-14T22:13:20Z' });
    assert.deepEqual(decode(lField(11)).value, {});
    assert.deepEqual(decode(lField(11, vField(1, -62_135_596_800n))).value, {});
    assert.deepEqual(decode(lField(11, vField(1, 0))).value, { when: '1970-01-01T00:00:00Z' });
  });

  void it('writes Quantity as its string and IntOrString as a number or a string', () => {
    const { value } = decode(
      lField(12, lField(1, 'cpu'), lField(2, lField(1, '500m'))),
      lField(13, vField(1, 1), lField(3, 'http')),
      lField(14, vField(1, 0), vField(2, 0)),
    );
    assert.deepEqual(value, { limits: { cpu: '500m' }, port: 'http', surge: 0 });
    // An unset value IntOrString (int 0) is left out, so the server defaults it.
    assert.deepEqual(decode(lField(13, vField(1, 0), vField(2, 0))).value, {});
    assert.deepEqual(decode(lField(13, vField(1, 0), vField(2, 8080))).value, { port: 8080 });
  });

  void it('skips unknown fields of every wire type and reports each with its message and path', () => {
    const fixed64 = [...varint((40 << 3) | 1), 1, 2, 3, 4, 5, 6, 7, 8];
    const fixed32 = [...varint((41 << 3) | 5), 1, 2, 3, 4];
    const unknownInItem = lField(9, lField(1, 'a'), vField(7, 1));
    const { value, skipped } = decode(vField(42, 7), fixed64, fixed32, lField(43, 'x'), unknownInItem, lField(1, 'kept'));
    assert.deepEqual(value, { text: 'kept', items: [{ name: 'a' }] });
    assert.deepEqual(skipped.map((s) => [s.message, s.field, s.wireType, s.path]), [
      ['Sample', 42, 0, ''], ['Sample', 40, 1, ''], ['Sample', 41, 5, ''], ['Sample', 43, 2, ''], ['Inner', 7, 0, 'items[0]'],
    ]);
  });

  void it('refuses a known field with the wrong wire type', () => {
    assert.throws(() => decode(vField(1, 3)), MalformedProtobuf);
    assert.throws(() => decode(vField(1, 3)), /Sample field text has wire type 0, expected 2/);
  });

  void it('refuses truncated input', () => {
    assert.throws(() => decode(lField(1, 'abc').slice(0, 3)), MalformedProtobuf);
  });
});
