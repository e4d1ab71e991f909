import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RfbInputReader } from './rfb-input.ts';

const handshake = Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1, 1])]);
const fbur = Buffer.from([3, 1, 0, 0, 0, 0, 2, 128, 1, 224]);
const key = Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x61]);
const pointer = Buffer.from([5, 1, 0, 10, 0, 20]);
const setEncodings = Buffer.from([2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 7]);

describe('RfbInputReader', () => {
  it('counts key and pointer events, not update requests or encodings, across any chunking', () => {
    const stream = Buffer.concat([handshake, setEncodings, fbur, fbur, key, fbur, pointer, key]);
    for (const size of [1, 3, 7, stream.length]) {
      const reader = new RfbInputReader();
      let inputs = 0;
      for (let i = 0; i < stream.length; i += size) inputs += reader.push(stream.subarray(i, i + size));
      assert.equal(inputs, 3, `chunks of ${size}`);
      assert.equal(reader.lost, false);
    }
  });

  it('follows VNC authentication and counts a paste (ClientCutText) as input', () => {
    const reader = new RfbInputReader();
    const cut = Buffer.concat([Buffer.from([6, 0, 0, 0, 0, 0, 0, 5]), Buffer.from('hello')]);
    assert.equal(reader.push(Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([2]), Buffer.alloc(16), Buffer.from([1]), fbur, cut])), 1);
  });

  it('stops counting, rather than guessing, after a message it cannot size', () => {
    const reader = new RfbInputReader();
    assert.equal(reader.push(Buffer.concat([handshake, Buffer.from([99, 1, 2, 3]), key])), 0);
    assert.equal(reader.lost, true);
    assert.equal(reader.push(key), 0);
  });
});
