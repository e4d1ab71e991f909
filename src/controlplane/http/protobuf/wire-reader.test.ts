import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedProtobuf, toInt32, toInt64, toUtf8, WireReader } from './wire-reader.ts';

const reader = (...bytes: number[]): WireReader => new WireReader(Uint8Array.from(bytes));

void describe('WireReader', () => {
  void it('reads one- and multi-byte varints', () => {
    assert.equal(reader(0x00).varint(), 0n);
    assert.equal(reader(0x7f).varint(), 127n);
    assert.equal(reader(0xac, 0x02).varint(), 300n);
    assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x0f).varint(), 0xffffffffn);
  });

  void it('reads negative int32 and int64 from their 10-byte sign-extended form', () => {
    const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    assert.equal(toInt32(reader(...minusOne).varint()), -1);
    assert.equal(toInt64(reader(...minusOne).varint()), -1);
    // -2147483648 as int32 on the wire.
    assert.equal(toInt32(reader(0x80, 0x80, 0x80, 0x80, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x01).varint()), -2147483648);
  });

  void it('refuses int64 values JSON numbers cannot carry exactly', () => {
    assert.equal(toInt64(BigInt(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    assert.throws(() => toInt64(BigInt(Number.MAX_SAFE_INTEGER) + 1n), MalformedProtobuf);
  });

  void it('refuses truncated and overlong varints', () => {
    assert.throws(() => reader(0x80).varint(), /truncated varint/);
    assert.throws(() => reader(...Array(10).fill(0x80), 0x01).varint(), /longer than 10 bytes/);
  });

  void it('splits tags into field number and wire type, refusing field 0', () => {
    assert.deepEqual(reader(0x0a).tag(), { field: 1, wireType: 2 });
    assert.deepEqual(reader(0x88, 0x01).tag(), { field: 17, wireType: 0 });
    assert.throws(() => reader(0x02).tag(), /invalid field number 0/);
  });

  void it('hands back length-delimited bytes and refuses lengths past the end', () => {
    const r = reader(0x03, 0x61, 0x62, 0x63, 0x05);
    assert.equal(toUtf8(r.lengthDelimited()), 'abc');
    assert.equal(r.done(), false);
    assert.throws(() => reader(0x05, 0x61).lengthDelimited(), /runs past the end/);
  });

  void it('skips every wire type by its size', () => {
    // varint 300, fixed64, length-delimited "hi", fixed32, then a final byte 0x2a.
    const r = reader(0xac, 0x02, 1, 2, 3, 4, 5, 6, 7, 8, 0x02, 0x68, 0x69, 9, 9, 9, 9, 0x2a);
    r.skip(0);
    r.skip(1);
    r.skip(2);
    r.skip(5);
    assert.equal(r.varint(), 42n);
    assert.equal(r.done(), true);
  });

  void it('refuses group wire types and truncated fixed values', () => {
    assert.throws(() => reader().skip(3), /unsupported wire type 3/);
    assert.throws(() => reader(1, 2, 3).skip(5), /truncated fixed32/);
  });

  void it('refuses strings that are not UTF-8', () => {
    assert.throws(() => toUtf8(Uint8Array.of(0xff, 0xfe)), /not valid UTF-8/);
  });
});
